#!/usr/bin/env python3
"""Load figures of `tolteca_db serve` (issue: serve), standard library only.

  bench/serve_bench.py --bin build/tolteca_db --db REGISTRY.duckdb --night NIGHT_DIR
                       [--clients 32] [--cli-runs 20] [--rss-minutes 60] [--work DIR] [--json OUT]

REGISTRY is an existing registry (bench/run.sh builds one of 1 000 000 raw observations with
`bench_driver registry`); NIGHT_DIR a simulated night (`tolteca_db simulate`) that is not in it. Steps:
  1. the night's ingest alone, on a copy of the registry, no server;
  2. `query obs ics-N --json` through the CLI, directly (no server): --cli-runs runs;
  3. serve REGISTRY; the same CLI queries through the server;
  4. --clients HTTP clients issuing one-obsnum queries (GET /api/v1/obs?spec=ics-N) for 10 s, no ingest;
  5. the same clients while the night is ingested (a separate CLI run, forwarded to the server):
     p50/p99 latency, errors, and the ingest's wall time against step 1;
  6. mixed load for --rss-minutes (8 clients: obs, stats, files, groups; every 5 min an incremental
     assoc generate through the CLI), the server's RSS sampled every 10 s: first, last, max, and the
     slope over the second half;
  7. SIGTERM: the server's exit code.
Prints one line per figure and writes them all as JSON (--json).
"""
import argparse
import http.client
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time


def quantile(values, q):
    if not values:
        return float("nan")
    v = sorted(values)
    return v[min(len(v) - 1, int(q * len(v)))]


def run(cmd, **kw):
    t0 = time.monotonic()
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
    return r, time.monotonic() - t0


def obsnum_range(bin_, db):
    lo, _ = run([bin_, "query", "obs", "--db", db, "--master", "ics", "--sort", "obsnum", "--limit", "1", "--json"])
    hi, _ = run([bin_, "query", "obs", "--db", db, "--master", "ics", "--sort", "obsnum", "--newest", "--limit", "1",
                 "--json"])
    return json.loads(lo.stdout)[0]["obsnum"], json.loads(hi.stdout)[0]["obsnum"]


def cli_latencies(bin_, db, lo, hi, runs):
    times = []
    rng = random.Random(1)
    for _ in range(runs):
        r, secs = run([bin_, "query", "obs", f"ics-{rng.randint(lo, hi)}", "--db", db, "--json"])
        if r.returncode != 0:
            raise SystemExit(f"query failed: {r.stderr}")
        times.append(secs * 1000)
    return times


class Clients:
    """n threads, each with a keep-alive connection, issuing GETs until stop()."""

    def __init__(self, address, n, paths):
        self.host, self.port = address.rsplit(":", 1)
        self.paths, self.n = paths, n
        self.latencies, self.errors, self.lock = [], 0, threading.Lock()
        self.running = threading.Event()
        self.threads = []

    def _loop(self, seed):
        rng = random.Random(seed)
        conn = http.client.HTTPConnection(self.host, int(self.port), timeout=120)
        while self.running.is_set():
            path = self.paths(rng)
            t0 = time.monotonic()
            try:
                conn.request("GET", path)
                res = conn.getresponse()
                res.read()
                ok = res.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection(self.host, int(self.port), timeout=120)
            ms = (time.monotonic() - t0) * 1000
            with self.lock:
                if ok:
                    self.latencies.append(ms)
                else:
                    self.errors += 1
        conn.close()

    def start(self):
        self.running.set()
        self.threads = [threading.Thread(target=self._loop, args=(i,), daemon=True) for i in range(self.n)]
        for t in self.threads:
            t.start()

    def stop(self):
        self.running.clear()
        for t in self.threads:
            t.join()

    def take(self):
        with self.lock:
            lat, err = self.latencies, self.errors
            self.latencies, self.errors = [], 0
        return lat, err


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def slope_kb_per_min(samples):
    """Least-squares slope of (minutes, kb) samples."""
    if len(samples) < 2:
        return 0.0
    xs = [s[0] for s in samples]
    ys = [s[1] for s in samples]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    den = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / den if den else 0.0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", required=True)
    ap.add_argument("--db", required=True)
    ap.add_argument("--night", required=True)
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--cli-runs", type=int, default=20)
    ap.add_argument("--rss-minutes", type=float, default=60)
    ap.add_argument("--work", default=None)
    ap.add_argument("--json", default=None)
    a = ap.parse_args()
    bin_, db = os.path.abspath(a.bin), os.path.abspath(a.db)
    work = os.path.abspath(a.work or os.path.dirname(db))
    out = {"clients": a.clients}

    def say(key, value, text):
        out[key] = value
        print(text, flush=True)

    lo, hi = obsnum_range(bin_, db)
    say("obsnum_range", [lo, hi], f"ics obsnums {lo}..{hi}")

    # 1. the ingest alone, on a copy
    alone = os.path.join(work, "serve_bench_alone.duckdb")
    shutil.copyfile(db, alone)
    r, secs = run([bin_, "ingest", "directory", a.night, "--db", alone, "--location", "NIGHT", "-q"])
    os.remove(alone)
    if r.returncode != 0:
        raise SystemExit(f"ingest alone failed: {r.stderr}")
    say("ingest_alone_s", secs, f"ingest alone (no server, no load): {secs:.2f} s")

    # 2. CLI direct
    direct = cli_latencies(bin_, db, lo, hi, a.cli_runs)
    say("cli_direct_ms", {"p50": quantile(direct, .5), "p99": quantile(direct, .99)},
        f"CLI query obs, direct: p50 {quantile(direct, .5):.1f} ms, p99 {quantile(direct, .99):.1f} ms")

    # 3. serve
    log = open(os.path.join(work, "serve_bench.log"), "w")
    server = subprocess.Popen([bin_, "serve", "--db", db, "--listen", "127.0.0.1:0"], stdout=subprocess.DEVNULL,
                              stderr=log)
    info_path = db + ".server.json"
    for _ in range(600):
        if os.path.exists(info_path):
            break
        time.sleep(0.1)
    info = json.load(open(info_path))
    served = cli_latencies(bin_, db, lo, hi, a.cli_runs)
    say("cli_served_ms", {"p50": quantile(served, .5), "p99": quantile(served, .99)},
        f"CLI query obs, through the server: p50 {quantile(served, .5):.1f} ms, p99 {quantile(served, .99):.1f} ms")

    one_obsnum = lambda rng: f"/api/v1/obs?spec=ics-{rng.randint(lo, hi)}"
    clients = Clients(info["http"], a.clients, one_obsnum)

    # 4. HTTP, no ingest
    clients.start()
    time.sleep(10)
    lat, err = clients.take()
    say("http_idle", {"requests": len(lat), "errors": err, "p50_ms": quantile(lat, .5), "p99_ms": quantile(lat, .99)},
        f"HTTP {a.clients} clients, no ingest, 10 s: {len(lat)} requests, {err} errors, "
        f"p50 {quantile(lat, .5):.1f} ms, p99 {quantile(lat, .99):.1f} ms")

    # 5. HTTP during the ingest
    t0 = time.monotonic()
    r = subprocess.run([bin_, "ingest", "directory", a.night, "--db", db, "--location", "NIGHT", "-q"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    ingest_s = time.monotonic() - t0
    lat, err = clients.take()
    clients.stop()
    if r.returncode != 0:
        raise SystemExit(f"ingest under load failed: {r.stderr}")
    say("http_during_ingest", {"requests": len(lat), "errors": err, "p50_ms": quantile(lat, .5),
                               "p99_ms": quantile(lat, .99), "ingest_s": ingest_s,
                               "slowdown": ingest_s / out["ingest_alone_s"]},
        f"HTTP {a.clients} clients during the ingest: {len(lat)} requests, {err} errors, p50 {quantile(lat, .5):.1f} ms, "
        f"p99 {quantile(lat, .99):.1f} ms; ingest {ingest_s:.2f} s = {ingest_s / out['ingest_alone_s']:.2f}x alone")

    # 6. mixed load, RSS
    kinds = [one_obsnum, lambda rng: "/api/v1/stats", lambda rng: f"/api/v1/files?spec=ics-{rng.randint(lo, hi)}",
             lambda rng: "/api/v1/groups?limit=20"]
    mixed = Clients(info["http"], 8, lambda rng: rng.choice(kinds)(rng))
    mixed.start()
    samples, t_start, next_write = [], time.monotonic(), 0.0
    writes = 0
    while (time.monotonic() - t_start) / 60 < a.rss_minutes:
        minutes = (time.monotonic() - t_start) / 60
        samples.append((minutes, rss_kb(server.pid)))
        if minutes >= next_write:
            subprocess.run([bin_, "assoc", "generate", "--incremental", "--db", db, "-q"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            writes += 1
            next_write += 5
        time.sleep(10)
    lat, err = mixed.take()
    mixed.stop()
    half = [s for s in samples if s[0] >= a.rss_minutes / 2]
    say("rss", {"minutes": a.rss_minutes, "first_kb": samples[0][1], "last_kb": samples[-1][1],
                "max_kb": max(s[1] for s in samples), "slope_second_half_kb_per_min": slope_kb_per_min(half),
                "requests": len(lat), "errors": err, "writes": writes},
        f"mixed load {a.rss_minutes:g} min ({len(lat)} requests, {err} errors, {writes} assoc runs): RSS first "
        f"{samples[0][1] / 1024:.0f} MiB, last {samples[-1][1] / 1024:.0f} MiB, max "
        f"{max(s[1] for s in samples) / 1024:.0f} MiB, second-half slope {slope_kb_per_min(half):.1f} KiB/min")

    # 7. stop
    server.send_signal(signal.SIGTERM)
    code = server.wait(timeout=120)
    say("sigterm_exit", code, f"SIGTERM: exit {code}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(out, f, indent=2)
    return 0 if code == 0 and out["http_during_ingest"]["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
