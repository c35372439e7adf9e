#!/usr/bin/env bash
# legba-server under load from wrk on loopback, 32 connections, side by side in one run:
# the unauthenticated, database-free /healthz as the baseline; authenticated GET /instances
# and GET /key (each writes its api.request audit event); POST /keys and POST /instances
# (each one committed transaction with its audit event before the answer); then one
# address sending a wrong key without pause (refused 429 after 20, counted, not recorded).
#
# usage: bench/server/run.sh [path/to/legba-server] [seconds per run]
# SERVE_ARGS adds options to serve (e.g. SERVE_ARGS="--audit-max-events 100000").
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
server="${1:-$here/../../build/test/legba-server}"
seconds="${2:-10}"
command -v wrk >/dev/null || { echo "wrk is missing (apt-get install wrk)" >&2; exit 1; }

data="$(mktemp -d)"
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$data"' EXIT
init="$("$server" init --data-dir "$data" --json)"
export ORG="$(sed -E 's/.*"org_uuid":"([^"]+)".*/\1/' <<<"$init")"
export KEY="$(sed -E 's/.*"key":"([^"]+)".*/\1/' <<<"$init")"

# shellcheck disable=SC2086 # SERVE_ARGS is a list of options
"$server" serve --data-dir "$data" --listen 127.0.0.1:0 --instance-quota 100000000 ${SERVE_ARGS:-} \
  >"$data/serve.out" 2>"$data/serve.err" &
pid=$!
for _ in $(seq 50); do grep -q listening "$data/serve.out" 2>/dev/null && break; sleep 0.1; done
url="$(head -1 "$data/serve.out" | awk '{print $3}')"

# A few instances so that the list has something in it.
for _ in 1 2 3; do
  curl -s -o /dev/null -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
    -d '{"image":"ubuntu-22.04","size":"small"}' "$url/orgs/$ORG/api/instances"
done

bench() { # name, wrk args...
  local name="$1"; shift
  local out
  out="$(wrk -t1 -c32 -d"${seconds}s" --latency "$@")"
  local rps p50 p99 errors
  rps="$(awk '/Requests\/sec/ {print $2}' <<<"$out")"
  p50="$(awk '$1=="50%" {print $2}' <<<"$out")"
  p99="$(awk '$1=="99%" {print $2}' <<<"$out")"
  errors="$(awk '/Non-2xx/ {print $5}' <<<"$out")"
  printf '| %-28s | %10s | %8s | %8s | %6s |\n' "$name" "$rps" "$p50" "$p99" "${errors:-0}"
}

echo "legba-server $("$server" --version | awk '{print $2}'), wrk 1 thread, 32 connections, ${seconds}s each, $(nproc) cores"
echo
echo '| route                        |    req/s   |   p50    |   p99    | non-2xx |'
echo '|------------------------------|------------|----------|----------|--------|'
bench "GET /healthz (baseline)" "$url/healthz"
BENCH_PATH=/instances bench "GET /instances (auth, audit)" -s "$here/get_auth.lua" "$url"
BENCH_PATH=/key bench "GET /key (auth, audit)" -s "$here/get_auth.lua" "$url"
bench "POST /keys (durable)" -s "$here/post_keys.lua" "$url"
bench "POST /instances (durable)" -s "$here/post_instances.lua" "$url"
# One address failing authentication without pause: 20 events, then one count per minute.
KEY=legba_not_a_key BENCH_PATH=/instances bench "GET /instances (bad key, 429)" \
  -s "$here/get_auth.lua" "$url"

echo
echo "data dir after the run (the WAL must stay bounded: checkpoints keep up):"
ls -l "$data" | awk '/legba.sqlite3/ {printf "  %-22s %12d bytes\n", $9, $5}'
echo "  the whole data dir      $(du -sb "$data" | awk '{print $1}') bytes"
kill -TERM "$pid"; wait "$pid" || true
echo
echo "audit: $("$server" audit verify --data-dir "$data")"
if command -v sqlite3 >/dev/null; then
  echo "auth.failed events: $(sqlite3 "$data/legba.sqlite3" \
    "SELECT COUNT(*) || ' (' || COALESCE(SUM(json_extract(details, '$.aggregated')), 0) || \
     ' attempts counted in aggregates)' FROM audit_events WHERE action = 'auth.failed'")"
fi
