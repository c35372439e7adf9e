#!/usr/bin/env bash
# legba-server against connections that hold on: RSS and /healthz latency with nothing else
# open, with 2,000 idle connections (connected, never sending), and with 500 more that
# pipeline requests and never read an answer. Loopback only; stops by itself.
#
# usage: bench/server/connections.sh [path/to/legba-server] [idle] [non-reading]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
server="${1:-$here/../../build/test/legba-server}"
idle="${2:-2000}"
nonreading="${3:-500}"
# Both ends of every connection are in this process group: twice the sockets, plus slack.
ulimit -n "$(((idle + nonreading) * 2 + 1024))"

data="$(mktemp -d)"
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$data"' EXIT
"$server" init --data-dir "$data" --json >/dev/null
"$server" serve --data-dir "$data" --listen 127.0.0.1:0 >"$data/serve.out" 2>"$data/serve.err" &
pid=$!
for _ in $(seq 50); do grep -q listening "$data/serve.out" 2>/dev/null && break; sleep 0.1; done
url="$(head -1 "$data/serve.out" | awk '{print $3}')"

python3 - "$pid" "${url#http://}" "$idle" "$nonreading" <<'EOF'
import socket, statistics, sys, time

pid, hostport, idle, nonreading = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
host, port = hostport.rsplit(":", 1)
address = (host, int(port))

def rss_mb():
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0

def healthz_ms(samples=200):
    # Each on a fresh connection, as a new client would come; None when refused or too slow.
    times = []
    for _ in range(samples):
        start = time.perf_counter()
        try:
            with socket.create_connection(address, timeout=5) as s:
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                got = b""
                while True:
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    got += chunk
            if not got.startswith(b"HTTP/1.1 200"):
                return None, len(times)
        except OSError:
            return None, len(times)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return times, len(times)

def row(name, open_count):
    times, answered = healthz_ms()
    if times is None:
        print(f"| {name:<42} | {open_count:>6} | {rss_mb():>8.1f} | {'refused or timed out after ' + str(answered) + ' answers':>27} |")
        return
    p50 = statistics.median(times)
    p99 = times[int(len(times) * 0.99) - 1]
    print(f"| {name:<42} | {open_count:>6} | {rss_mb():>8.1f} | {p50:>8.2f} ms | {p99:>8.2f} ms |")

def alive(sockets):
    # A connection the server closed reads as end of file.
    count = 0
    for s in sockets:
        try:
            s.setblocking(False)
            if s.recv(1, socket.MSG_PEEK) == b"":
                continue
        except BlockingIOError:
            pass
        except OSError:
            continue
        count += 1
    return count

print(f"| {'state':<42} | {'open':>6} | {'RSS MB':>8} | {'healthz p50':>11} | {'healthz p99':>11} |")
print(f"|{'-' * 44}|{'-' * 8}|{'-' * 10}|{'-' * 13}|{'-' * 13}|")
row("nothing else open", 0)

held = []
for _ in range(idle):
    try:
        held.append(socket.create_connection(address, timeout=5))
    except OSError as error:
        print(f"connecting failed after {len(held)}: {error}")
        break
time.sleep(1)
row(f"{idle} idle connections", alive(held))

pipelined = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n" * 20000  # 700 KB of requests each
flood = []
for _ in range(nonreading):
    try:
        s = socket.create_connection(address, timeout=5)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # takes few answers
        s.setblocking(False)
        flood.append([s, 0])
    except OSError as error:
        print(f"connecting failed after {len(flood)}: {error}")
        break
# Send what each will take without blocking, for a few seconds: the server reads ahead
# until its limits (or memory) stop it.
deadline = time.monotonic() + 5
while time.monotonic() < deadline:
    progressed = False
    for entry in flood:
        s, sent = entry
        if sent >= len(pipelined):
            continue
        try:
            n = s.send(pipelined[sent:sent + 65536])
            entry[1] += n
            progressed = progressed or n > 0
        except (BlockingIOError, OSError):
            pass
    if not progressed:
        time.sleep(0.05)
sent_mb = sum(entry[1] for entry in flood) / 1e6
row(f"+ {nonreading} pipelining, never reading ({sent_mb:.0f} MB sent)", alive(held) + alive([e[0] for e in flood]))
for s in held:
    s.close()
for s, _ in flood:
    s.close()
EOF
