#!/usr/bin/env python3
"""Generate a data_lmt-like tree of zero-byte, correctly named TolTEC files for
names-only ingest benchmarks.

usage: bench/gen_names_tree.py OUT_DIR N_FILES [--networks 12]

Raw observations alternate between ics sweeps (vnasweep/targsweep/tune/timestream)
and tcs timestreams with a telescope file; each has one file per network.
"""
import os
import sys

def main():
    out, n = sys.argv[1], int(sys.argv[2])
    networks = 12
    if "--networks" in sys.argv:
        networks = int(sys.argv[sys.argv.index("--networks") + 1])
    suffixes = ["_vnasweep", "_targsweep", "_tune", "_timestream"]
    made = 0
    dirs = set()
    obs = 0
    t0 = 1731518686  # 2024-11-13T17:24:46Z
    import time
    while made < n:
        tcs = obs % 3 == 2
        t = t0 + obs * 37
        ts = time.strftime("%Y_%m_%d_%H_%M_%S", time.gmtime(t))
        if tcs:
            obsnum, sub, scan, master, suffix = 100000 + obs, 0, 2, "tcs", ""
        else:
            obsnum, sub, scan, master, suffix = 10000 + obs // 100, obs % 100, 0, "ics", suffixes[obs % 4]
        for net in range(networks):
            if made >= n:
                break
            d = os.path.join(out, "toltec", master, f"toltec{net}")
            if d not in dirs:
                os.makedirs(d, exist_ok=True)
                dirs.add(d)
            name = f"toltec{net}_{obsnum:06d}_{sub:03d}_{scan:04d}_{ts}{suffix}.nc"
            open(os.path.join(d, name), "wb").close()
            made += 1
        if tcs and made < n:
            d = os.path.join(out, "tel")
            if d not in dirs:
                os.makedirs(d, exist_ok=True)
                dirs.add(d)
            day = time.strftime("%Y-%m-%d", time.gmtime(t))
            open(os.path.join(d, f"tel_toltec_{day}_{obsnum:06d}_{sub:02d}_{scan:04d}.nc"), "wb").close()
            made += 1
        obs += 1
    print(f"{made} files, {obs} raw observations under {out}")

if __name__ == "__main__":
    main()
