"""docs/python_tutorial.py runs as its docstring says: simulate a night, ingest it, run the script."""
import subprocess
import sys
from pathlib import Path

TUTORIAL = Path(__file__).resolve().parents[2] / "docs" / "python_tutorial.py"


def test_the_tutorial_runs_against_a_simulated_night(cli, tmp_path):
    steps = [[cli.binary, "simulate", "night", "--scale", "0.1"],
             [cli.binary, "ingest", "directory", "night", "--db", "night.duckdb", "--with-associations"]]
    for step in steps:
        done = subprocess.run(step, cwd=tmp_path, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    run = subprocess.run([sys.executable, str(TUTORIAL), "night.duckdb"], cwd=tmp_path, capture_output=True,
                         text=True)
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert "raw observations" in out and "cal chain of " in out and "one file: " in out
    assert "newest ics observation: ics-" in out and "kbyte in all" in out
    assert run.stderr == ""
