#!/usr/bin/env bash
# Decisions over HTTP on the peers' scenario, Castellan builds side by side in
# one run (bench/README.md, "Issue 14: decisions over HTTP"): each binary
# serves the RBAC pack that ../shared/bench-peers/castellan-bodies.js writes;
# every batch body (2,000 x 100 checks, all 100,000 requests) and the first
# VERIFY_SINGLE single bodies are checked against the `expected` column
# (verify-http.js; any mismatch fails); then wrk -t2 -cCONNECTIONS for DUR
# with the peers' rotating-body script (http-bench.lua), RUNS interleaved
# rounds of single checks and batches of 100. One JSON line per run; the
# medians per binary and variant at the end.
#
#   PEERS=/tmp/peers-copy bash bench/http_batch.sh NAME=BINARY [NAME=BINARY ...]
#
# PEERS: a copy of ../shared/bench-peers with `npm ci` done and
# scenario/castellan written (node castellan-bodies.js scenario); read only.
# env: RUNS (3), DUR (5s), CONNECTIONS (64), VERIFY_SINGLE (20000),
# VARIANTS ("single batch100"). Needs node, curl and wrk. Every server started
# here is stopped by its PID; their access logs go to /dev/null.
set -euo pipefail
PEERS="${PEERS:?set PEERS to a copy of ../shared/bench-peers with scenario/castellan}"
RUNS="${RUNS:-3}"
DUR="${DUR:-5s}"
CONNECTIONS="${CONNECTIONS:-64}"
VERIFY_SINGLE="${VERIFY_SINGLE:-20000}"
VARIANTS="${VARIANTS:-single batch100}"
[ $# -gt 0 ] || { echo "usage: PEERS=DIR bash bench/http_batch.sh NAME=BINARY ..." >&2; exit 2; }
SC="$PEERS/scenario/castellan"
[ -f "$SC/bodies-batch100.jsonl" ] || { echo "no $SC: run node castellan-bodies.js scenario in $PEERS" >&2; exit 2; }
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 2; }

PIDS=()
OUT="$(mktemp)"
trap 'for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; rm -f "$OUT"' EXIT
free_port() {
  node -e 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => console.log(p)); });'
}

declare -A URL
NAMES=()
for spec in "$@"; do
  name="${spec%%=*}"; bin="${spec#*=}"
  [ -x "$bin" ] || { echo "$bin is not executable" >&2; exit 2; }
  port=$(free_port)
  "$bin" serve --policies "$SC/rbac-policies" --entities "$SC/rbac-entities.json" \
    --listen "127.0.0.1:$port" > /dev/null 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 300); do curl -fsS -o /dev/null "http://127.0.0.1:$port/readyz" 2>/dev/null && break; sleep 0.05; done
  URL[$name]="http://127.0.0.1:$port/v1/check"
  NAMES+=("$name")
  echo "== $name: $bin on 127.0.0.1:$port"
  (cd "$PEERS" && node verify-http.js --url "${URL[$name]}" --format castellan --concurrency 4 \
    --bodies "$SC/bodies-batch100.jsonl" --index "$SC/bodies-batch100.idx" --csv scenario/requests.csv) \
    || { echo "verification of $name (batches) FAILED" >&2; exit 1; }
  (cd "$PEERS" && node verify-http.js --url "${URL[$name]}" --format castellan --concurrency 4 \
    --bodies "$SC/bodies.jsonl" --csv scenario/requests.csv --limit "$VERIFY_SINGLE") \
    || { echo "verification of $name (single) FAILED" >&2; exit 1; }
done

echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq 1 "$RUNS"); do
  for v in $VARIANTS; do
    case "$v" in
      single) bodies="$SC/bodies.jsonl"; checks=1 ;;
      batch100) bodies="$SC/bodies-batch100.jsonl"; checks=100 ;;
      *) echo "unknown variant $v" >&2; exit 2 ;;
    esac
    for name in "${NAMES[@]}"; do
      w="$(cd "$PEERS" && BODIES="$bodies" wrk -t2 -c"$CONNECTIONS" -d"$DUR" --timeout 30s --latency \
        -s http-bench.lua "${URL[$name]}" | sed -n 's/^WRK_JSON //p')"
      [ -n "$w" ] || { echo "wrk gave no WRK_JSON line" >&2; exit 1; }
      node -e '
        const [w, name, variant, checks, load] = process.argv.slice(1);
        const j = JSON.parse(w); const sec = j.durationUs / 1e6;
        console.log(JSON.stringify({ name, variant, checksPerRequest: +checks,
          decisionsPerSec: Math.round(j.requests * checks / sec), requestsPerSec: Math.round(j.requestsPerSec),
          p50Ms: j.latencyP50Us / 1000, p99Ms: j.latencyP99Us / 1000,
          httpErrors: j.connectErrors + j.readErrors + j.writeErrors + j.non2xx + j.timeouts, loadAvg: load }));' \
        "$w" "$name" "$v" "$checks" "$(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT"
    done
  done
done
echo "== medians over $RUNS runs"
node -e '
  const rows = require("fs").readFileSync(process.argv[1], "utf8").split("\n").filter(Boolean).map(JSON.parse);
  const groups = {};
  for (const r of rows) (groups[r.name + " " + r.variant] ||= []).push(r);
  const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
  for (const [k, rs] of Object.entries(groups)) {
    console.log(`${k}: ${Math.round(median(rs.map((r) => r.decisionsPerSec)))} decisions/s, p50 ${median(rs.map((r) => r.p50Ms))} ms, p99 ${median(rs.map((r) => r.p99Ms))} ms, errors ${rs.reduce((s, r) => s + r.httpErrors, 0)}`);
  }' "$OUT"
