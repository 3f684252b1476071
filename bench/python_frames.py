#!/usr/bin/env python3
"""The Python package against the CLI's JSON (issue 18): `Registry.obs()` of every observation into a
DataFrame, and `Registry.files(OBSNUM)`, against running `tolteca_db query obs|files … --json` and
building the same DataFrame from its output in Python (json.loads, pandas.DataFrame, the start times
parsed). Each measurement runs in a fresh interpreter (its peak memory is its own: ru_maxrss; for the
CLI path the CLI process's peak is given apart); the median of --repeat runs is printed.

  VENV/bin/python bench/python_frames.py --db REGISTRY [--bin build/tolteca_db] [--obsnum N] [--repeat 3]

VENV: a venv with the package installed (scripts/python-install.sh VENV). REGISTRY: e.g. the 1 M
observations of `bench_driver registry --n 1000000`. Prints JSON.
"""
import argparse, json, statistics, subprocess, sys

DATAFRAME = """
import resource, sys, time, tolteca_db
t = time.perf_counter()
with tolteca_db.Registry(sys.argv[1]) as r:
    df = r.obs() if sys.argv[2] == "obs" else r.files(sys.argv[3])
s = time.perf_counter() - t
print(s, len(df), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""

CLI_JSON = """
import json, resource, subprocess, sys, time
import pandas as pd
t = time.perf_counter()
cmd = [sys.argv[4], "query", sys.argv[2]] + ([sys.argv[3]] if sys.argv[2] == "files" else ["--limit", "0"])
out = subprocess.run(cmd + ["--db", sys.argv[1], "--json"], check=True, capture_output=True).stdout
df = pd.DataFrame(json.loads(out))
if "start_time" in df:
    df["start_time"] = pd.to_datetime(df["start_time"], utc=True)
s = time.perf_counter() - t
print(s, len(df), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
      resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def run(code, *args):
    out = subprocess.run([sys.executable, "-c", code, *map(str, args)], check=True, capture_output=True,
                         text=True).stdout.split()
    return [float(x) for x in out]


def median_of(n, code, *args):
    runs = [run(code, *args) for _ in range(n)]
    return [statistics.median(r[i] for r in runs) for i in range(len(runs[0]))]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", required=True)
    ap.add_argument("--bin", default="build/tolteca_db")
    ap.add_argument("--obsnum", default="18340")
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    result = {}
    for what in ("obs", "files"):
        df_s, df_rows, df_kib = median_of(a.repeat, DATAFRAME, a.db, what, a.obsnum)
        cli_s, cli_rows, py_kib, cli_kib = median_of(a.repeat, CLI_JSON, a.db, what, a.obsnum, a.bin)
        if df_rows != cli_rows:
            raise SystemExit(f"{what}: {df_rows:.0f} rows from the package, {cli_rows:.0f} from the CLI")
        result[what] = {"rows": int(df_rows), "dataframe_s": round(df_s, 3), "dataframe_peak_mib": round(df_kib / 1024),
                        "cli_json_s": round(cli_s, 3), "cli_json_python_peak_mib": round(py_kib / 1024),
                        "cli_json_cli_peak_mib": round(cli_kib / 1024), "speedup": round(cli_s / df_s, 1)}
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
