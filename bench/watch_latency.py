#!/usr/bin/env python3
"""Latency of `serve --watch` (issue 16): how long after a file settles it is registered, and how
long after an observation's last file settles the groups reflect it.

Writes a simulated night's network files observation by observation (each file in two steps, as an
instrument writes) into a watched root, and polls GET /api/v1/health every 10 ms:
  file latency        = files_ingested grows   - (last write of the file + --settle-file)
  completion latency  = association_runs grows - (last write of the observation's last file + --settle-file)
(the completion figure holds for observations completed by their networks, not by --settle).

  bench/watch_latency.py [--bin build/tolteca_db] [--mode inotify|poll] [--poll 1] [--settle-file 0.5] [--obs 40]
"""
import argparse, json, os, re, shutil, subprocess, tempfile, time
from collections import OrderedDict

from watch_common import health, start_serve, write_in_two_steps


def wait_for(url, key, above, timeout=30):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        w = health(url)
        if w[key] > above:
            return time.monotonic(), w
        time.sleep(0.01)
    raise SystemExit(f"watch_latency: {key} did not grow past {above} in {timeout} s")


def write_file(src, dst):
    write_in_two_steps(open(src, "rb").read(), dst)
    return time.monotonic()


def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default="build/tolteca_db")
    ap.add_argument("--mode", choices=["inotify", "poll"], default="inotify")
    ap.add_argument("--poll", type=float, default=1.0)
    ap.add_argument("--settle-file", type=float, default=0.5)
    ap.add_argument("--obs", type=int, default=40)
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="tolteca_watch_bench.")
    src, live, db = f"{work}/sim", f"{work}/data_lmt", f"{work}/live.duckdb"
    subprocess.run([a.bin, "simulate", src, "--seed", "7"], check=True, stdout=subprocess.DEVNULL)
    os.makedirs(live)
    # Network files of ics observations, grouped by obsnum (the observation), in obsnum order.
    by_obs = OrderedDict()
    for d, _, names in sorted(os.walk(f"{src}/toltec/ics")):
        for n in names:
            m = re.match(r"toltec\d+_(\d+)_(\d+)_(\d+)_", n)
            if m:
                by_obs.setdefault(m.groups(), []).append(os.path.join(d, n))
    # Those with every active network (the others complete by --settle, which is not what is measured).
    obs = [o for o in sorted(by_obs.items()) if len(o[1]) == 11][: a.obs]
    args = [a.bin, "serve", "--db", db, "--listen", "127.0.0.1:0", "--json", "--watch", live,
            "--settle-file", str(a.settle_file), "--settle", "60",
            "--networks", "0-12", "--disabled-networks", "6,11", "--log", f"{work}/serve.log"]
    if a.mode == "poll":
        args += ["--poll", str(a.poll)]
    srv, url = start_serve(args)
    try:
        wait_for(url, "catch_up_scans", 0)
        file_lat, obs_lat = [], []
        for key, paths in obs:
            w0 = health(url)
            runs0 = w0["association_runs"]
            for p in sorted(paths):
                before = health(url)["files_ingested"]
                t_written = write_file(p, p.replace(src, live))
                t_seen, _ = wait_for(url, "files_ingested", before)
                file_lat.append(t_seen - (t_written + a.settle_file))
            t_done, _ = wait_for(url, "association_runs", runs0)
            obs_lat.append(t_done - (t_written + a.settle_file))
        res = {"mode": a.mode, "poll_s": a.poll if a.mode == "poll" else None, "settle_file_s": a.settle_file,
               "files": len(file_lat), "observations": len(obs_lat),
               "file_latency_s": {"p50": pct(file_lat, 50), "p99": pct(file_lat, 99), "max": max(file_lat)},
               "completion_latency_s": {"p50": pct(obs_lat, 50), "p99": pct(obs_lat, 99), "max": max(obs_lat)}}
        print(json.dumps(res, indent=2))
    finally:
        srv.terminate()
        srv.wait(timeout=60)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
