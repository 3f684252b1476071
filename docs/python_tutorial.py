#!/usr/bin/env python3
"""A short tour of tolteca_db from Python, run against a simulated night.

Make the night and its registry first (a few seconds), then run this script with the registry:

    tolteca_db simulate night --scale 0.1
    tolteca_db ingest directory night --db night.duckdb --with-associations
    python3 docs/python_tutorial.py night.duckdb

(the Python is the venv the README's install command filled). The comments are the prose; each
step prints what it found. The ctest test `python` runs this script (tests/python/test_tutorial.py).
"""
import sys

import tolteca_db

url = sys.argv[1] if len(sys.argv) > 1 else "duckdb:///night.duckdb"

# 1. Open the registry. Read-only is the default: any number of readers may share it. Everything
#    below answers what `tolteca_db query …` would, as pandas DataFrames.
with tolteca_db.Registry(url) as reg:

    # 2. The night at a glance: one row of counts (`query stats`).
    stats = reg.stats()
    print(f"{stats.observations[0]} raw observations, {stats.files[0]} files, "
          f"first {stats.first_start[0]:%Y-%m-%d %H:%M} UT")

    # 3. Observations (`query obs`): one row per raw observation, typed columns. Specs are those of
    #    the command line; keyword arguments are its filters.
    obs = reg.obs()
    print(obs[["uid", "start_time", "kinds", "networks", "n_files"]].head().to_string(index=False))
    sweeps = reg.obs(kind="VnaSweep,TargetSweep,Tune")
    print(f"{len(sweeps)} sweep observations; masters: {sorted(set(obs.master))}")

    # 4. Times are tz-aware UTC, so ordinary pandas works: observations per hour of the night.
    per_hour = obs.groupby(obs.start_time.dt.floor("h")).size()
    print(per_hour.rename("observations").to_string())

    # 5. Files (`query files`) of one observation, here the newest one ("latest"), network 7 only.
    newest = reg.files("latest", interface=7)
    print(newest[["obs_uid", "interface", "size", "path"]].to_string(index=False))

    # 6. Calibration groups with their members in sequence order (`query groups --members`).
    groups = reg.groups(type="cal_group", members=True)
    first = groups.iloc[0]
    print(f"{len(groups)} cal groups; {first['name']}: {[m['uid'] for m in first['members']]}")

    # 7. Provenance (`query provenance`): what an observation belongs to and which sweeps calibrate
    #    it, as five tables (obs, groups, cal_chain, reduced, cal_of) linked by the `obs` column.
    timestream = obs[obs.kinds.apply(lambda k: "RawTimeStream" in k) & obs.cal.apply(len).astype(bool)].uid.iloc[0]
    prov = reg.provenance(timestream)
    print(f"cal chain of {timestream}:")
    print(prov.cal_chain[["depth", "uid", "kinds"]].to_string(index=False))

    # 8. astropy: the same answers as astropy Tables, with units where the domain has them
    #    (times as astropy.time.Time, tau dimensionless, sizes in bytes).
    table = reg.files(timestream, astropy=True)
    print(f"{len(table)} files of {timestream}, {table['size'].quantity.sum().to('kbyte'):.1f} in all")

# 9. The original API: scripts written for the first tolteca_db (and tolteca_v2) keep working with
#    only their import changed. One row per raw file, the columns those scripts expect.
from tolteca_db import ObsQuery  # noqa: E402  (where an old script has its import)

query = ObsQuery(url)
tbl = query.get_raw_obs_info_table(timestream, raise_on_empty=True).sort_values("roach")
print(tbl[["interface", "roach", "file_suffix", "uid_raw_obs_file"]].to_string(index=False))
# Explicit arguments override the spec's fields: the same observation, network 3 only.
one = query.get_raw_obs_info_table(timestream, interface="toltec3", raise_on_multiple=True)
print(f"one file: {one.source[0]}")
latest = query.get_raw_obs_latest(master="ics")
print(f"newest ics observation: {latest.uid_raw_obs[0]} ({len(latest)} files)")
query.close()
