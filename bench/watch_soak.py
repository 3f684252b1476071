#!/usr/bin/env python3
"""Soak of `serve --watch` (issue 16): simulated nights written live into a watched root at high speed
(`simulate --live`: files growing in chunks, the current-file links, networks finishing at different
times, network 3 dropping out), while the server's memory and open descriptors are sampled every second.
At the end the registry must equal a batch ingest of the finished tree.

  bench/watch_soak.py [--bin build/tolteca_db] [--nights 3] [--scale 1] [--speed 600] [--mode inotify|poll]
  bench/watch_soak.py --control [--nights 3] [--scale 1] [--batch 40]

--control is the reference: the same server without the watcher, fed the same nights (written at once)
in time order as forwarded `ingest file F…` jobs of --batch files, each followed by an incremental
`assoc generate`: the library work the watcher does, without the watcher.

Memory is reported three ways: the resident set (RSS), what DuckDB's buffer manager holds for the
registry (`registry_memory_bytes` of GET /api/v1/metrics: its block cache, which grows with the database
up to DuckDB's memory limit), and the difference (everything else: the server, the watcher, DuckDB's
other allocations, the allocator). Prints JSON: files, plan hours, seconds, the three memory series
(first, max, last, slope over the second half), descriptors, equal.
"""
import argparse, json, os, re, shutil, subprocess, sys, tempfile, time, urllib.request

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


class Sampler:
    def __init__(self, url, pid):
        self.url, self.pid, self.t0 = url, pid, time.monotonic()
        self.rss, self.cache, self.other, self.fd = [], [], [], []

    def __call__(self):
        m = metrics(self.url)
        t = time.monotonic() - self.t0
        self.rss.append((t, m["rss_bytes"]))
        self.cache.append((t, m["registry_memory_bytes"]))
        self.other.append((t, m["rss_bytes"] - m["registry_memory_bytes"]))
        self.fd.append((t, fds(self.pid)))


def watch_live(a, sim, url, sample, work):
    """The nights written live into the watched root; returns the watcher's final status."""
    with open(f"{work}/manifest.json", "w") as out:
        writer = subprocess.Popen(sim + ["--live", "--speed", str(a.speed)], stdout=out)  # no pipe to fill
        while writer.poll() is None:
            sample()
            time.sleep(1)
    if writer.returncode != 0:
        raise SystemExit(f"simulate --live failed ({writer.returncode})")
    end = time.monotonic() + 300
    while time.monotonic() < end:
        w = health(url)
        if w["files_pending"] == 0 and w["observations_incomplete"] == 0:
            break
        time.sleep(0.5)
    time.sleep(3)
    return health(url)


def feed_control(a, sim, live, db, sample, work):
    """The nights written at once, then fed to the server as forwarded ingest jobs in time order."""
    with open(f"{work}/manifest.json", "w") as out:
        subprocess.run(sim, check=True, stdout=out)
    stamp = re.compile(r"(\d{4}_\d{2}_\d{2}_\d{2}_\d{2}_\d{2})")
    files = sorted((os.path.join(d, n) for d, _, ns in os.walk(live) for n in ns),
                   key=lambda p: (stamp.search(p).group(1) if stamp.search(p) else "", p))
    next_sample = time.monotonic()
    for i in range(0, len(files), a.batch):
        subprocess.run([a.bin, "ingest", "file", *files[i:i + a.batch], "--db", db, "-q"], check=True)
        subprocess.run([a.bin, "assoc", "generate", "--incremental", "--db", db], check=True, stdout=subprocess.DEVNULL)
        if time.monotonic() >= next_sample:
            sample()
            next_sample = time.monotonic() + 1
    time.sleep(3)
    return {"files_ingested": len(files), "errors": 0}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default="build/tolteca_db")
    ap.add_argument("--nights", type=int, default=3)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--speed", type=float, default=600.0, help="plan seconds per wall second (simulate --speed)")
    ap.add_argument("--mode", choices=["inotify", "poll"], default="inotify")
    ap.add_argument("--control", action="store_true", help="no watcher: forwarded ingest jobs (see above)")
    ap.add_argument("--batch", type=int, default=40, help="--control: files per ingest job")
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="tolteca_watch_soak.")
    live, db = f"{work}/data_lmt", f"{work}/live.duckdb"
    os.makedirs(live)
    args = [a.bin, "serve", "--db", db, "--listen", "127.0.0.1:0", "--json", "--log", f"{work}/serve.log"]
    if a.control:
        subprocess.run([a.bin, "db", "init", "--db", db, "--data-root", live], check=True, stdout=subprocess.DEVNULL)
    else:
        args += ["--watch", live, "--settle-file", "0.5", "--settle", "5"] + (["--poll", "1"] if a.mode == "poll" else [])
    sim = [a.bin, "simulate", live, "--nights", str(a.nights), "--scale", str(a.scale), "--drop-network", "3@40",
           "--force", "--json"]
    srv, url = start_serve(args)
    try:
        sample = Sampler(url, srv.pid)
        w = feed_control(a, sim, live, db, sample, work) if a.control else watch_live(a, sim, url, sample, work)
        sample()
        seconds = time.monotonic() - sample.t0
    finally:
        srv.terminate()
        srv.wait(timeout=120)
    manifest = json.load(open(f"{work}/manifest.json"))
    batch = f"{work}/batch.duckdb"
    subprocess.run([a.bin, "ingest", "directory", live, "--db", batch, "--with-associations", "-q"], check=True)
    equal = view(a.bin, db) == view(a.bin, batch)
    starts = sorted(o["start_time"] for o in manifest["raw_obs"] if o.get("start_time"))
    to_s = lambda iso: time.mktime(time.strptime(iso[:19], "%Y-%m-%dT%H:%M:%S"))
    print(json.dumps({
        "mode": "control" if a.control else a.mode, "nights": a.nights, "scale": a.scale,
        "speed": None if a.control else a.speed, "files": len(manifest["files"]),
        "plan_hours": round((to_s(starts[-1]) - to_s(starts[0])) / 3600, 1) if starts else 0,
        "seconds": round(seconds, 1), "files_ingested": w["files_ingested"], "errors": w["errors"],
        "rss_mib": series(sample.rss), "registry_cache_mib": series(sample.cache),
        "rss_minus_cache_mib": series(sample.other),
        "fds": {"first": sample.fd[0][1], "max": max(v for _, v in sample.fd), "last": sample.fd[-1][1]},
        "equal_to_batch": equal}, indent=2))
    shutil.rmtree(work, ignore_errors=True)
    sys.exit(0 if equal else 1)


if __name__ == "__main__":
    main()
