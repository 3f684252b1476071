#!/usr/bin/env python3
"""Soak of `serve --watch` (issue 16): several simulated nights written into a watched root at high
speed, as instruments write (each file in two steps, the current-file link beside it), while the
server's resident memory and open descriptors are sampled every second. At the end the registry must
equal a batch ingest of the finished tree.

  bench/watch_soak.py [--bin build/tolteca_db] [--nights 3] [--scale 1] [--rate 20] [--mode inotify|poll]

--rate: files written per second (a night of about 1 400 files at 20/s takes 70 s: 12 h of telescope
time at about 600x). Prints JSON: files, seconds, RSS and descriptors (first, max, last, slope), equal.
"""
import argparse, json, os, re, shutil, subprocess, sys, tempfile, time

from watch_common import health, start_serve, write_in_two_steps


def rss_kib(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def slope(samples):  # least squares, per minute
    n = len(samples)
    if n < 2:
        return 0.0
    mt = sum(t for t, _ in samples) / n
    mv = sum(v for _, v in samples) / n
    den = sum((t - mt) ** 2 for t, _ in samples)
    return 60 * sum((t - mt) * (v - mv) for t, v in samples) / den if den else 0.0


def view(tdb, db):
    return "".join(subprocess.run([tdb, "query", q, "--db", db, "--json"], check=True, capture_output=True,
                                  text=True).stdout for q in ("obs", "groups"))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default="build/tolteca_db")
    ap.add_argument("--nights", type=int, default=3)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--rate", type=float, default=20.0)
    ap.add_argument("--mode", choices=["inotify", "poll"], default="inotify")
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="tolteca_watch_soak.")
    src, live, db = f"{work}/sim", f"{work}/data_lmt", f"{work}/live.duckdb"
    subprocess.run([a.bin, "simulate", src, "--nights", str(a.nights), "--scale", str(a.scale)], check=True,
                   stdout=subprocess.DEVNULL)
    files = sorted(os.path.relpath(os.path.join(d, n), src) for d, _, ns in os.walk(src) for n in ns)
    # Night order: by the timestamp in the name where there is one (instruments write in time order).
    stamp = re.compile(r"(\d{4}_\d{2}_\d{2}_\d{2}_\d{2}_\d{2})")
    files.sort(key=lambda p: (stamp.search(p).group(1) if stamp.search(p) else "", p))
    os.makedirs(live)
    args = [a.bin, "serve", "--db", db, "--listen", "127.0.0.1:0", "--json", "--watch", live, "--settle-file", "0.5",
            "--settle", "5", "--log", f"{work}/serve.log"] + (["--poll", "1"] if a.mode == "poll" else [])
    srv, url = start_serve(args)
    try:
        rss, fd = [], []
        t0 = time.monotonic()
        next_sample = t0
        for i, rel in enumerate(files):
            out = os.path.join(live, rel)
            os.makedirs(os.path.dirname(out), exist_ok=True)
            m = re.fullmatch(r"toltec(\d+)", os.path.basename(os.path.dirname(out)))
            if m:
                link = os.path.join(os.path.dirname(out), f"toltec{m.group(1)}.nc")
                if os.path.lexists(link):
                    os.remove(link)
                os.symlink(os.path.basename(out), link)
            write_in_two_steps(open(os.path.join(src, rel), "rb").read(), out)
            now = time.monotonic()
            if now >= next_sample:
                rss.append((now - t0, rss_kib(srv.pid)))
                fd.append((now - t0, fds(srv.pid)))
                next_sample = now + 1
            time.sleep(max(0.0, t0 + (i + 1) / a.rate - time.monotonic()))
        end = time.monotonic() + 300
        while time.monotonic() < end:
            w = health(url)
            if w["files_pending"] == 0 and w["observations_incomplete"] == 0:
                break
            time.sleep(0.5)
        time.sleep(3)
        w = health(url)
        rss.append((time.monotonic() - t0, rss_kib(srv.pid)))
        fd.append((time.monotonic() - t0, fds(srv.pid)))
        seconds = time.monotonic() - t0
    finally:
        srv.terminate()
        srv.wait(timeout=120)
    batch = f"{work}/batch.duckdb"
    subprocess.run([a.bin, "ingest", "directory", live, "--db", batch, "--with-associations", "-q"], check=True)
    equal = view(a.bin, db) == view(a.bin, batch)
    half = [s for s in rss if s[0] >= rss[-1][0] / 2]
    print(json.dumps({
        "mode": a.mode, "nights": a.nights, "scale": a.scale, "files": len(files), "rate_per_s": a.rate,
        "seconds": round(seconds, 1), "files_ingested": w["files_ingested"], "errors": w["errors"],
        "rss_mib": {"first": round(rss[0][1] / 1024, 1), "max": round(max(v for _, v in rss) / 1024, 1),
                    "last": round(rss[-1][1] / 1024, 1),
                    "slope_kib_per_min_second_half": round(slope(half), 1)},
        "fds": {"first": fd[0][1], "max": max(v for _, v in fd), "last": fd[-1][1]},
        "equal_to_batch": equal}, indent=2))
    shutil.rmtree(work, ignore_errors=True)
    sys.exit(0 if equal else 1)


if __name__ == "__main__":
    main()
