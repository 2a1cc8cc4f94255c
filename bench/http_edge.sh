#!/usr/bin/env bash
# The HTTP edge's measurements (bench/README.md, "HTTP edge"), all in one run
# so that the ratios compare like with like:
#   1. the static nginx floor (../shared/bench-peers/http-floor.sh), POST;
#   2. wrk -t2 -c64 and -c1000 on /v1/check, one decision per request, against
#      CASTELLAN_BIN and, when POCO_BIN is set, the Poco HTTPServer build tuned;
#   3. 10,000 idle keep-alive connections + 200 slowloris sockets while a normal
#      client checks (bench/idle_clients.py), against CASTELLAN_BIN.
# Needs wrk, nginx-light and python3. Only 127.0.0.1 is used; every server
# started here is stopped by its PID.
#
#   CASTELLAN_BIN=build/edge-release/cli/castellan [POCO_BIN=...] [DUR=10s] bash bench/http_edge.sh
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${CASTELLAN_BIN:?set CASTELLAN_BIN to a Release castellan}"
DUR="${DUR:-10s}"
PORT="${PORT:-18281}"
IDLE="${IDLE:-10000}"
SLOW="${SLOW:-200}"
ulimit -n "$(ulimit -Hn)"
WORK="$(mktemp -d)"
PID=""
stop() { if [ -n "$PID" ]; then kill -TERM "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; PID=""; fi; }
trap 'stop; rm -rf "$WORK"' EXIT

cat > "$WORK/check.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"principal":{"id":"adam@acme.example"},"resource":{"kind":"organization","id":"contoso"},"actions":["company.view"],"context":{"now":"2026-11-02T12:00:00Z"}}'
LUA

serve() {  # serve BINARY ARGS...: starts it on $PORT, logs to /dev/null
  "$1" serve --listen "127.0.0.1:$PORT" --policies policies --entities policies/entities.yaml \
    "${@:2}" > /dev/null 2>&1 &
  PID=$!
  for _ in $(seq 1 100); do curl -fsS -o /dev/null "http://127.0.0.1:$PORT/healthz" 2>/dev/null && return; sleep 0.1; done
  echo "server did not start" >&2; exit 1
}

wrk_run() {  # wrk_run LABEL CONNECTIONS
  local out
  out=$(wrk -t2 -c"$2" -d"$DUR" --timeout 2s --latency -s "$WORK/check.lua" "http://127.0.0.1:$PORT/v1/check")
  echo "RESULT $1 c=$2 rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')" \
    "p50=$(echo "$out" | awk '$1=="50%" {print $2}') p99=$(echo "$out" | awk '$1=="99%" {print $2}')" \
    "$(echo "$out" | grep -E 'Socket errors|Non-2xx' | tr '\n' ' ' || true)"
}

echo "load: $(uptime)"
DUR="$DUR" bash ../shared/bench-peers/http-floor.sh nginx 1 1 2>/dev/null | grep '^RESULT.*POST' || true
if [ -n "${POCO_BIN:-}" ]; then
  serve "$POCO_BIN" --threads 64 --max-queued 4096 --timeout 10
  wrk_run poco-tuned 64; wrk_run poco-tuned 1000; stop
fi
serve "$BIN" --max-connections 20000 --idle-timeout 300
wrk_run edge 64; wrk_run edge 1000
echo "RESULT edge idle+slow: $(python3 bench/idle_clients.py --port "$PORT" --pid "$PID" --idle "$IDLE" --slow "$SLOW" --seconds 10)"
stop
DUR="$DUR" bash ../shared/bench-peers/http-floor.sh nginx 1 1 2>/dev/null | grep '^RESULT.*POST' || true
echo "load: $(uptime)"
