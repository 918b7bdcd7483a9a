#!/usr/bin/env bash
# Many merchants on one node: builds the release binary, makes a temporary data dir and runs
# loadtest/many_catalogs.py, which starts kirana on 127.0.0.1 (only), creates N catalogs of
# ~300 products, and prints start-to-ready time, resident memory, cold/warm search p50/p99
# per cache size and how soon an upsert is visible while three big replaces run. Bounded:
# every phase has a deadline; the server is stopped on exit, error or Ctrl-C.
# Usage: loadtest/many_catalogs.sh [--catalogs 2000] [--products 300] [--cache-mb 1024,256]
#                                  [--port 18090] [--skip-fairness]   (--help for all options)
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="$(command -v python3 || command -v python || true)"
if [ -z "$PYTHON" ] || ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "many_catalogs: needs Python 3.11 or newer (python3 not found or too old)" >&2
  exit 1
fi

cargo build --release --quiet
DATA="$(cd "$(mktemp -d "${TMPDIR:-/tmp}/kirana-many-XXXXXX")" && pwd -P)"
cleanup() {
  # The python script stops its server itself; this only catches a server it left behind
  # (the script killed with SIGKILL), and only the pid it recorded for its own server.
  if [ -f "$DATA/server.pid" ]; then
    pid="$(cat "$DATA/server.pid")"
    if [ -n "$pid" ] && grep -qa -- "$DATA" "/proc/$pid/cmdline" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -rf "$DATA"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$PYTHON" loadtest/many_catalogs.py --binary target/release/kirana --data-dir "$DATA" "$@"
