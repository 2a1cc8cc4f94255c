# Shared by scripts/run and scripts/test: installs missing Debian packages and
# configures + builds one CMake tree. Sourced, not executed.

# Debian packages the build needs. libpq-dev and libsqlite3-dev: the store's
# Poco Data connectors (PostgreSQL's headers for the PostgreSQL::client shim).
CASTELLAN_BUILD_PACKAGES=(
  g++ cmake ninja-build pkg-config
  libyaml-cpp-dev tao-pegtl-dev nlohmann-json3-dev libre2-dev libpoco-dev
  libhowardhinnant-date-dev tzdata libboost1.81-dev libssl-dev
  libpq-dev libsqlite3-dev
)
# curl and openssl: the HTTP edge's TLS tests (tests/server/http_edge_test.cc).
# python3-yaml, python3-jsonschema: docs/policy.schema.json checked against
# every pack (tests/docs/policy_schema_test.cc).
# postgresql: the server the storage tests start themselves (tests/storage/postgres_server.h).
CASTELLAN_TEST_PACKAGES=(libgtest-dev libgmock-dev libbenchmark-dev curl openssl
  python3-yaml python3-jsonschema postgresql)

# install_missing PKG...: apt-get installs only what dpkg does not already have,
# so a second run costs nothing.
install_missing() {
  local missing=()
  for pkg in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed'; then
      missing+=("$pkg")
    fi
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "Installing Debian packages: ${missing[*]}"
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# build_tree DIR BUILD_TYPE [CMAKE_ARGS...]: configures once, then builds
# incrementally with Ninja.
build_tree() {
  local dir="$1" type="$2"
  shift 2
  if [ ! -f "$dir/build.ninja" ]; then
    cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE="$type" "$@"
  fi
  cmake --build "$dir" --parallel "$(nproc)"
}
