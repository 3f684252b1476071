"""Ctrl-C during a long ingest: KeyboardInterrupt in Python, and a registry that opens and is
consistent (whole batches committed, nothing half-written); running the ingest again completes it."""
import json
import signal
import subprocess
import sys
import time

import tolteca_db

CHILD = r"""
import json, sys, time
import tolteca_db
reg = tolteca_db.Registry(sys.argv[1], read_only=False)
print("go", flush=True)
t0 = time.monotonic()
try:
    s = reg.ingest_directory(sys.argv[2], jobs=1)
    print(json.dumps({"outcome": "finished", "new": s["new"], "at": time.monotonic() - t0}), flush=True)
except KeyboardInterrupt:
    print(json.dumps({"outcome": "KeyboardInterrupt", "at": time.monotonic() - t0}), flush=True)
    reg.close()
"""


def test_ctrl_c_stops_an_ingest_and_what_was_committed_stays(cli, tmp_path):
    data = tmp_path / "nc4"
    # ~3800 netCDF-4 files: one worker reads their headers (in its header helper process) for 6-8 s
    subprocess.run([cli.binary, "simulate", str(data), "--format", "netcdf4", "--scale", "0.5", "--nights", "4"],
                   check=True, capture_output=True)
    total = sum(1 for p in data.rglob("*") if p.is_file())
    db = str(tmp_path / "interrupted.duckdb")
    subprocess.run([cli.binary, "db", "init", "--db", db], check=True, capture_output=True)

    child = subprocess.Popen([sys.executable, "-c", CHILD, db, str(data)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "go"
    time.sleep(2.5)  # after the first time-based commit (every 2 s), well before the end
    sent = time.monotonic()
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=60)
    stopped_after = time.monotonic() - sent
    assert child.returncode == 0, (out, err)
    result = json.loads(out.strip().splitlines()[-1])
    assert result["outcome"] == "KeyboardInterrupt", (result, err)
    assert stopped_after < 30  # promptly (a loaded machine is slow); "committed < total" below is the real check

    with tolteca_db.Registry(db) as reg:  # opens (no lock left behind), and is consistent
        stats = reg.stats()
        obs = reg.obs()
        files = reg.files("[]")
        committed = int(stats["files"][0])
        assert 0 < committed < total
        assert len(files) == committed and int(obs["n_files"].sum()) == committed
        assert set(files["obs_uid"]) == set(obs["uid"])
        assert int(stats["observations"][0]) == len(obs)

    with tolteca_db.Registry(db, read_only=False) as reg:  # running it again completes the rest
        again = reg.ingest_directory(data)
        assert again["new"] == total - committed and again["failed"] == 0
    twin = str(tmp_path / "twin.duckdb")
    subprocess.run([cli.binary, "ingest", "directory", str(data), "--db", twin, "-q"], check=True,
                   capture_output=True)
    with tolteca_db.Registry(db) as a, tolteca_db.Registry(twin) as b:
        keys = ["observations", "files", "missing_files", "per_master", "per_kind"]
        assert a.stats()[keys].to_dict("records") == b.stats()[keys].to_dict("records")


GENERATE_CHILD = r"""
import json, signal, sys, time
import tolteca_db

def interrupt(signum, frame):
    raise KeyboardInterrupt

reg = tolteca_db.Registry(sys.argv[1], read_only=False)
t0 = time.monotonic()
reg.generate_associations(incremental=False, dry_run=True)  # computes all, writes nothing
took = time.monotonic() - t0
signal.signal(signal.SIGALRM, interrupt)
signal.setitimer(signal.ITIMER_REAL, took / 3)  # a third of the way through the real run
try:
    reg.generate_associations(incremental=False)
    print(json.dumps({"outcome": "finished", "dry_run_s": took}), flush=True)
except KeyboardInterrupt:
    print(json.dumps({"outcome": "KeyboardInterrupt", "dry_run_s": took}), flush=True)
reg.close()
"""


def test_ctrl_c_stops_a_generation_and_nothing_of_it_is_written(cli, tmp_path):
    data = tmp_path / "nights"
    subprocess.run([cli.binary, "simulate", str(data), "--scale", "0.5", "--nights", "6"], check=True,
                   capture_output=True)
    db = str(tmp_path / "assoc.duckdb")
    subprocess.run([cli.binary, "ingest", "directory", str(data), "--db", db, "--names-only", "-q"], check=True,
                   capture_output=True)
    child = subprocess.run([sys.executable, "-c", GENERATE_CHILD, db], capture_output=True, text=True, timeout=120)
    assert child.returncode == 0, child.stderr
    result = json.loads(child.stdout.strip().splitlines()[-1])
    # "finished" would mean the alarm came after the call returned: then the groups below are there.
    assert result["outcome"] == "KeyboardInterrupt", (result, child.stderr)
    with tolteca_db.Registry(db) as reg:  # the generation's transaction was rolled back
        assert len(reg.groups()) == 0
        assert int(reg.stats()["groups"][0]) == 0
    with tolteca_db.Registry(db, read_only=False) as reg:  # and a new one runs
        summary = reg.generate_associations(incremental=False)
        assert summary["groups_created"] > 0
        assert len(reg.groups()) == summary["groups_created"]
