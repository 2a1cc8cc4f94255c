# Finds RE2 through pkg-config: Debian's libre2-dev ships re2.pc but no CMake
# package. Defines the imported target RE2::re2.
find_package(PkgConfig QUIET REQUIRED)
pkg_check_modules(PC_RE2 QUIET IMPORTED_TARGET re2)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(RE2 REQUIRED_VARS PC_RE2_FOUND)
if(RE2_FOUND AND NOT TARGET RE2::re2)
  add_library(RE2::re2 INTERFACE IMPORTED)
  target_link_libraries(RE2::re2 INTERFACE PkgConfig::PC_RE2)
endif()
