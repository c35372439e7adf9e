#!/usr/bin/env bash
# What a refusal costs, by kind: the latency of GET /key with a valid key, an unknown key, a
# revoked key, an expired key and a malformed token, from wrk on loopback with ONE connection
# (so the figure is one request's service time, not a queue). With a second binary
# (the code before a change), both run side by side in the same run, interleaved round by
# round, so that the machine's load falls on both alike.
#
# usage: bench/server/auth_timing.sh [path/to/legba-server] [seconds per measure] [rounds]
# OLD_SERVER=path/to/other/legba-server adds it to the comparison.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
server="${1:-$here/../../build/test/legba-server}"
seconds="${2:-5}"
rounds="${3:-3}"
command -v wrk >/dev/null || { echo "wrk is missing (apt-get install wrk)" >&2; exit 1; }
command -v python3 >/dev/null || { echo "python3 is missing" >&2; exit 1; }

work="$(mktemp -d)"
cleanup() {
  for f in "$work"/*.pid; do
    [[ -e "$f" ]] || continue
    kill "$(cat "$f")" 2>/dev/null || true
    wait "$(cat "$f")" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

# Starts one binary on a data dir of its own, with the keys of every kind; writes
# "URL ORG VALID UNKNOWN REVOKED EXPIRED" to $work/LABEL.conf.
start() { # label binary
  local label="$1" bin="$2" data="$work/$1"
  local init org key url
  init="$("$bin" init --data-dir "$data" --json)"
  org="$(json '["org_uuid"]' <<<"$init")"
  key="$(json '["key"]' <<<"$init")"
  # Failed authentications unlimited: the 429 path is not what is measured.
  "$bin" serve --data-dir "$data" --listen 127.0.0.1:0 --failed-auth-limit 0 \
    >"$data.out" 2>"$data.err" &
  echo $! >"$work/$label.pid"
  for _ in $(seq 100); do grep -q listening "$data.out" 2>/dev/null && break; sleep 0.1; done
  url="$(head -1 "$data.out" | awk '{print $3}')"
  local api="$url/orgs/$org/api"
  post() { curl -sf -H "Authorization: Bearer $key" -H 'Content-Type: application/json' "$@"; }
  local revoked revokedId expired
  revoked="$(post -d '{"name":"to revoke","scopes":["keys:read"]}' "$api/keys")"
  revokedId="$(json '["key_id"]' <<<"$revoked")"
  curl -sf -o /dev/null -X DELETE -H "Authorization: Bearer $key" "$api/keys/$revokedId"
  local soon
  soon="$(date -u -d '+2 seconds' +%Y-%m-%dT%H:%M:%SZ)"
  expired="$(post -d "{\"name\":\"to expire\",\"scopes\":[\"keys:read\"],\"expires_at\":\"$soon\"}" \
    "$api/keys")"
  # A key of the right shape and checksum that this data dir never stored.
  local unknown
  unknown="$("$bin" init --data-dir "$work/$label-other" --json | json '["key"]')"
  echo "$url $org $key $unknown $(json '["key"]' <<<"$revoked") $(json '["key"]' <<<"$expired")" \
    >"$work/$label.conf"
}

# p50 and p99 latency of GET /key with this token, one connection.
measure() { # url org token
  local out
  out="$(ORG="$2" KEY="$3" BENCH_PATH=/key wrk -t1 -c1 -d"${seconds}s" --latency \
    -s "$here/get_auth.lua" "$1")"
  printf '%s %s' "$(awk '$1=="50%" {print $2}' <<<"$out")" "$(awk '$1=="99%" {print $2}' <<<"$out")"
}

labels=(new)
start new "$server"
if [[ -n "${OLD_SERVER:-}" ]]; then
  labels=(old new)
  start old "$OLD_SERVER"
fi
sleep 2.5 # the expiring keys expire

kinds=(valid unknown revoked expired malformed)
echo "GET /key, wrk 1 thread, 1 connection, ${seconds}s per measure, ${rounds} rounds, $(nproc) cores, load average $(cut -d' ' -f1 /proc/loadavg) at start"
echo
printf '| round | binary | %s |\n' "$(printf '%-20s | ' "${kinds[@]}" | sed 's/ | $//')"
for round in $(seq "$rounds"); do
  for label in "${labels[@]}"; do
    read -r url org valid unknown revoked expired <"$work/$label.conf"
    declare -A token=([valid]="$valid" [unknown]="$unknown" [revoked]="$revoked"
                      [expired]="$expired" [malformed]="legba_not_a_key")
    row=""
    for kind in "${kinds[@]}"; do
      read -r p50 p99 <<<"$(measure "$url" "$org" "${token[$kind]}")"
      row+="$(printf '%-20s | ' "$p50 (p99 $p99)")"
      echo "$label $kind $p50" >>"$work/results"
    done
    printf '| %5s | %6s | %s\n' "$round" "$label" "${row% }"
  done
done

echo
echo "median of the rounds' p50, by binary:"
echo
python3 - "$work/results" "${kinds[@]}" <<'PY'
import statistics, sys
def us(text):
    for unit, factor in (("us", 1), ("ms", 1000), ("s", 1000000)):
        if text.endswith(unit):
            return float(text[: -len(unit)]) * factor
    return float(text)
kinds = sys.argv[2:]
runs = {}
for line in open(sys.argv[1]):
    label, kind, p50 = line.split()
    runs.setdefault(label, {}).setdefault(kind, []).append(us(p50))
print("| binary | " + " | ".join(kinds) + " |")
print("|---|" + "---|" * len(kinds))
for label, by_kind in runs.items():
    print(f"| {label} | " + " | ".join(f"{statistics.median(by_kind[k]):.0f} µs" for k in kinds) + " |")
PY
