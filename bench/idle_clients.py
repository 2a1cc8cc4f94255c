#!/usr/bin/env python3
"""Idle and slow clients against `castellan serve` (bench/README.md, "HTTP edge").

Opens IDLE keep-alive connections (each makes one request, then waits) and
SLOW slowloris sockets (one header byte a second, reopened when the server
closes them), then times a normal client's checks on its own keep-alive
connection, and /healthz on a fresh one. Prints the latencies, the server's
thread count and its resident memory before and after the idle connections.

  idle_clients.py --port 8181 --pid SERVER_PID [--idle 10000] [--slow 200] [--seconds 10]
"""
import argparse, json, os, select, socket, statistics, sys, time

CHECK = json.dumps({"principal": {"id": "adam@acme.example"},
                    "resource": {"kind": "organization", "id": "contoso"},
                    "actions": ["company.view"],
                    "context": {"now": "2026-11-02T12:00:00Z"}}).encode()


def status_of(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return -1


def read_response(sock):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    while len(body) < length:
        body += sock.recv(65536)
    return head.split(b" ")[1].decode(), body


def request(path, body=None):
    if body is None:
        return f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode()
    return (f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode() + body


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=8181)
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--idle", type=int, default=10000)
    ap.add_argument("--slow", type=int, default=200)
    ap.add_argument("--seconds", type=float, default=10)
    a = ap.parse_args()
    addr = ("127.0.0.1", a.port)

    rss_before = status_of(a.pid, "VmRSS")
    idle, failed = [], 0
    for i in range(a.idle):
        try:
            s = socket.create_connection(addr, timeout=10)
            s.sendall(request("/healthz"))
            read_response(s)
            idle.append(s)
        except OSError:
            failed += 1
    time.sleep(1)
    rss_idle = status_of(a.pid, "VmRSS")

    def open_slow():
        s = socket.create_connection(addr, timeout=10)
        s.setblocking(False)
        s.send(b"POST /v1/check HTTP/1.1\r\nHost: x\r\n")
        return s
    slow = [open_slow() for _ in range(a.slow)]
    reopened = 0

    client = socket.create_connection(addr, timeout=10)
    client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    latencies, errors, health, threads_max = [], 0, [], 0
    end = time.monotonic() + a.seconds
    next_trickle = 0.0
    while time.monotonic() < end:
        now = time.monotonic()
        if now >= next_trickle:  # one byte a second on every slow socket
            next_trickle = now + 1
            for i, s in enumerate(slow):
                try:
                    s.send(b"X")
                except OSError:
                    s.close()
                    slow[i] = open_slow()
                    reopened += 1
            threads_max = max(threads_max, status_of(a.pid, "Threads"))
            t = time.monotonic()
            h = socket.create_connection(addr, timeout=10)
            h.sendall(request("/healthz"))
            code, _ = read_response(h)
            health.append((time.monotonic() - t) * 1000)
            h.close()
            if code != "200":
                errors += 1
        t = time.monotonic()
        client.sendall(request("/v1/check", CHECK))
        code, body = read_response(client)
        latencies.append((time.monotonic() - t) * 1000)
        if code != "200" or b'"allow"' not in body:
            errors += 1

    poller = select.poll()  # an idle connection the server closed reads as ready (EOF)
    for s in idle:
        poller.register(s, select.POLLIN)
    still_open = len(idle) - len(poller.poll(0))
    latencies.sort()
    q = lambda p: latencies[min(len(latencies) - 1, int(p * len(latencies)))]
    print(json.dumps({
        "idle_opened": len(idle), "idle_failed": failed, "idle_still_open": still_open,
        "slow": a.slow, "slow_reopened": reopened,
        "checks": len(latencies), "check_errors": errors,
        "check_p50_ms": round(q(0.50), 3), "check_p99_ms": round(q(0.99), 3),
        "check_max_ms": round(latencies[-1], 3),
        "healthz_max_ms": round(max(health), 3), "server_threads_max": threads_max,
        "rss_before_kb": rss_before, "rss_idle_kb": rss_idle,
        "rss_per_idle_connection_bytes": round((rss_idle - rss_before) * 1024 / max(1, len(idle))),
    }))


if __name__ == "__main__":
    sys.exit(main())
