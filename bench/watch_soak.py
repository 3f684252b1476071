#!/usr/bin/env python3
"""Soak of `serve --watch` (issue 16): simulated nights written live into a watched root at high speed
(`simulate --live`: files growing in chunks, the current-file links, networks finishing at different
times, network 3 dropping out), while the server's memory and open descriptors are sampled every second.
At the end the registry must equal a batch ingest of the finished tree.

  bench/watch_soak.py [--bin build/tolteca_db] [--nights 3] [--scale 1] [--speed 600] [--mode inotify|poll]

Memory is reported three ways: the resident set (RSS, /proc), what DuckDB's buffer manager holds for the
registry (`registry_memory_bytes` of GET /api/v1/metrics: its block cache, which grows with the database
up to DuckDB's memory limit), and the difference (everything else: the server, the watcher, the allocator).
Prints JSON: files, plan hours, seconds, the three memory series (first, max, last, slope over the second
half), descriptors, equal.
"""
import argparse, json, os, shutil, subprocess, sys, tempfile, time, urllib.request

from watch_common import health, start_serve


def fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def metrics(url):
    with urllib.request.urlopen(url + "/api/v1/metrics", timeout=30) as r:
        return json.load(r)


def slope(samples):  # least squares, per minute
    n = len(samples)
    if n < 2:
        return 0.0
    mt = sum(t for t, _ in samples) / n
    mv = sum(v for _, v in samples) / n
    den = sum((t - mt) ** 2 for t, _ in samples)
    return 60 * sum((t - mt) * (v - mv) for t, v in samples) / den if den else 0.0


def series(samples):
    mib = [(t, v / 2**20) for t, v in samples]
    half = [s for s in mib if s[0] >= mib[-1][0] / 2]
    return {"first": round(mib[0][1], 1), "max": round(max(v for _, v in mib), 1), "last": round(mib[-1][1], 1),
            "slope_mib_per_min_second_half": round(slope(half), 2)}


def view(tdb, db):
    return "".join(subprocess.run([tdb, "query", q, "--db", db, "--json"], check=True, capture_output=True,
                                  text=True).stdout for q in ("obs", "groups"))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default="build/tolteca_db")
    ap.add_argument("--nights", type=int, default=3)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--speed", type=float, default=600.0, help="plan seconds per wall second (simulate --speed)")
    ap.add_argument("--mode", choices=["inotify", "poll"], default="inotify")
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="tolteca_watch_soak.")
    live, db = f"{work}/data_lmt", f"{work}/live.duckdb"
    os.makedirs(live)
    args = [a.bin, "serve", "--db", db, "--listen", "127.0.0.1:0", "--json", "--watch", live, "--settle-file", "0.5",
            "--settle", "5", "--log", f"{work}/serve.log"] + (["--poll", "1"] if a.mode == "poll" else [])
    srv, url = start_serve(args)
    try:
        writer = subprocess.Popen([a.bin, "simulate", live, "--nights", str(a.nights), "--scale", str(a.scale),
                                   "--drop-network", "3@40", "--live", "--speed", str(a.speed), "--force", "--json"],
                                  stdout=open(f"{work}/manifest.json", "w"))  # read at the end
        rss, cache, other, fd = [], [], [], []
        t0 = time.monotonic()

        def sample():
            m = metrics(url)
            t = time.monotonic() - t0
            rss.append((t, m["rss_bytes"]))
            cache.append((t, m["registry_memory_bytes"]))
            other.append((t, m["rss_bytes"] - m["registry_memory_bytes"]))
            fd.append((t, fds(srv.pid)))

        while writer.poll() is None:
            sample()
            time.sleep(1)
        manifest = json.load(open(f"{work}/manifest.json"))
        if writer.returncode != 0:
            raise SystemExit(f"simulate --live failed ({writer.returncode})")
        end = time.monotonic() + 300
        while time.monotonic() < end:
            w = health(url)
            if w["files_pending"] == 0 and w["observations_incomplete"] == 0:
                break
            time.sleep(0.5)
        time.sleep(3)
        w = health(url)
        sample()
        seconds = time.monotonic() - t0
    finally:
        srv.terminate()
        srv.wait(timeout=120)
    batch = f"{work}/batch.duckdb"
    subprocess.run([a.bin, "ingest", "directory", live, "--db", batch, "--with-associations", "-q"], check=True)
    equal = view(a.bin, db) == view(a.bin, batch)
    starts = sorted(o["start_time"] for o in manifest["raw_obs"] if o.get("start_time"))
    to_s = lambda iso: time.mktime(time.strptime(iso[:19], "%Y-%m-%dT%H:%M:%S"))
    print(json.dumps({
        "mode": a.mode, "nights": a.nights, "scale": a.scale, "speed": a.speed, "files": len(manifest["files"]),
        "plan_hours": round((to_s(starts[-1]) - to_s(starts[0])) / 3600, 1) if starts else 0,
        "seconds": round(seconds, 1), "files_ingested": w["files_ingested"], "errors": w["errors"],
        "rss_mib": series(rss), "registry_cache_mib": series(cache), "rss_minus_cache_mib": series(other),
        "fds": {"first": fd[0][1], "max": max(v for _, v in fd), "last": fd[-1][1]},
        "equal_to_batch": equal}, indent=2))
    shutil.rmtree(work, ignore_errors=True)
    sys.exit(0 if equal else 1)


if __name__ == "__main__":
    main()
