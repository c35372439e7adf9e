"""The soak run behind scripts/soak. Loopback only, bounded in time and count."""
import http.client
import json
import multiprocessing as mp
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

SERVER, SECONDS, CLIENTS = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
MAX_REQUESTS_PER_CLIENT = 200_000


def start_server(data_dir, port):
    proc = subprocess.Popen(
        [SERVER, "serve", "--data-dir", data_dir, "--listen", f"127.0.0.1:{port}",
         "--instance-quota", "100000", "--failed-auth-limit", "1000000",
         "--provisioning-delay-ms", "200", "--termination-delay-ms", "200"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline().strip()
    if not line.startswith("listening on http://"):
        raise SystemExit(f"soak: server did not start: {line!r}")
    return proc, int(line.rsplit(":", 1)[1])


def request(port, method, path, key, body=None, timeout=5):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        response = conn.getresponse()
        data = response.read()
        return response.status, (json.loads(data) if data else None)
    finally:
        conn.close()


def client(index, port_value, org, owner_key, deadline, results):
    """Mixed traffic; records only what the server acknowledged."""
    rng = random.Random(index)
    base = f"/orgs/{org}/api"
    acked_keys, revoked, acked_instances, destroyed = {}, [], [], []
    done = errors = 0
    while time.time() < deadline and done < MAX_REQUESTS_PER_CLIENT:
        port = port_value.value
        op = rng.random()
        try:
            if op < 0.45:
                status, _ = request(port, "GET", base + rng.choice(["/instances", "/key", "/keys"]), owner_key)
            elif op < 0.65:
                status, body = request(port, "POST", base + "/keys", owner_key,
                                       {"name": f"soak-{index}-{done}", "scopes": ["instances:read"]})
                if status == 201:
                    acked_keys[body["key_id"]] = body["key"]
            elif op < 0.75 and acked_keys:
                key_id = rng.choice(list(acked_keys))
                status, _ = request(port, "DELETE", f"{base}/keys/{key_id}", owner_key)
                if status == 204:
                    revoked.append((key_id, acked_keys.pop(key_id)))
            elif op < 0.92:
                status, body = request(port, "POST", base + "/instances", owner_key,
                                       {"image": "ubuntu-22.04", "size": "small"})
                if status == 201:
                    acked_instances.append(body["instance_uuid"])
            elif acked_instances:
                uuid = acked_instances.pop(rng.randrange(len(acked_instances)))
                status, _ = request(port, "DELETE", f"{base}/instances/{uuid}", owner_key)
                if status != 204:
                    acked_instances.append(uuid)  # not acknowledged: still expected
                else:
                    destroyed.append(uuid)
            done += 1
        except (OSError, http.client.HTTPException):
            errors += 1  # the server is being killed: expected, nothing was acknowledged
            time.sleep(0.02)
    results.put({"done": done, "errors": errors, "keys": acked_keys, "revoked": revoked,
                 "instances": acked_instances, "destroyed": destroyed})


def main():
    data_dir = tempfile.mkdtemp(prefix="legba-soak-")
    try:
        init = subprocess.run([SERVER, "init", "--data-dir", data_dir, "--json"],
                              check=True, capture_output=True, text=True)
        owner = json.loads(init.stdout)
        org, owner_key = owner["org_uuid"], owner["key"]
        proc, port = start_server(data_dir, 0)
        port_value = mp.Value("i", port)
        deadline = time.time() + SECONDS
        results = mp.Queue()
        workers = [mp.Process(target=client, args=(i, port_value, org, owner_key, deadline, results))
                   for i in range(CLIENTS)]
        for w in workers:
            w.start()
        kills = 0
        rng = random.Random(42)
        while time.time() < deadline - 1:
            time.sleep(rng.uniform(0.5, 3.0))
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            kills += 1
            time.sleep(rng.uniform(0.0, 0.3))
            proc, _ = start_server(data_dir, port)
        collected = [results.get(timeout=60) for _ in workers]
        for w in workers:
            w.join()

        # Verification, against a server restarted once more.
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc, port = start_server(data_dir, port)
        base = f"/orgs/{org}/api"
        lost = wrong = 0
        keys = {k: v for r in collected for k, v in r["keys"].items()}
        for key_id in keys:
            status, body = request(port, "GET", f"{base}/keys/{key_id}", owner_key)
            if status != 200:
                lost += 1
            elif body["status"] != "active":
                wrong += 1
        revoked = [pair for r in collected for pair in r["revoked"]]
        for key_id, secret in revoked:
            status, body = request(port, "GET", f"{base}/keys/{key_id}", owner_key)
            if status != 200 or body["status"] != "revoked":
                wrong += 1
            status, _ = request(port, "GET", f"{base}/key", secret)
            if status != 401:
                wrong += 1
        instances = [u for r in collected for u in r["instances"]]
        for uuid in instances:
            status, _ = request(port, "GET", f"{base}/instances/{uuid}", owner_key)
            if status != 200:
                lost += 1
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)
        verify = subprocess.run([SERVER, "audit", "verify", "--data-dir", data_dir],
                                capture_output=True, text=True)

        total = sum(r["done"] for r in collected)
        refused = sum(r["errors"] for r in collected)
        print(f"soak: {SECONDS} s, {CLIENTS} clients, {total} requests answered, "
              f"{refused} refused while the server was down")
        print(f"soak: SIGKILL and restart {kills} times")
        print(f"soak: acknowledged and checked: {len(keys)} keys, {len(revoked)} revoked keys, "
              f"{len(instances)} instances")
        print(f"soak: lost {lost}, wrong state {wrong}")
        print(f"soak: audit verify: {(verify.stdout + verify.stderr).strip()} (exit {verify.returncode})")
        ok = lost == 0 and wrong == 0 and verify.returncode == 0 and total > 0
        print("soak: PASS" if ok else "soak: FAIL")
        return 0 if ok else 1
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
