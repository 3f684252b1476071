"""Fixtures of the Python package's tests: a small registry made with the built CLI, and the CLI's
--json answers to compare with.

TOLTECA_DB_BINARY names the tolteca_db binary (tests/python/run.sh, the ctest test `python`, sets it).
"""
import json
import os
import subprocess
from pathlib import Path

import pytest


def _binary() -> str:
    path = os.environ.get("TOLTECA_DB_BINARY")
    if not path or not os.access(path, os.X_OK):
        raise RuntimeError("TOLTECA_DB_BINARY must name the built tolteca_db binary (tests/python/run.sh sets it)")
    return path


class Cli:
    """Runs the tolteca_db binary against one registry."""

    def __init__(self, binary: str, db: str) -> None:
        self.binary = binary
        self.db = db

    def run(self, *args: str, db: str = "") -> subprocess.CompletedProcess:
        return subprocess.run([self.binary, *args, "--db", db or self.db], capture_output=True, text=True)

    def json(self, *args: str):
        """The parsed --json output of `tolteca_db ARGS --json`; fails on a non-zero exit."""
        p = self.run(*args, "--json")
        assert p.returncode == 0, p.stderr
        return json.loads(p.stdout)

    def error(self, *args: str, db: str = "") -> str:
        """The message of a failing command (stderr without 'tolteca_db: error: ')."""
        p = self.run(*args, db=db)
        assert p.returncode == 1, (p.returncode, p.stdout, p.stderr)
        line = p.stderr.strip().splitlines()[-1]
        prefix = "tolteca_db: error: "
        assert line.startswith(prefix), line
        return line[len(prefix):]


@pytest.fixture(scope="session")
def cli(tmp_path_factory) -> Cli:
    """A simulated night (simulate --scale 0.1) ingested with associations; one file deleted and
    pruned, so that one file is recorded as missing."""
    binary = _binary()
    root = tmp_path_factory.mktemp("registry")
    data, db = root / "data", str(root / "reg.duckdb")
    subprocess.run([binary, "simulate", str(data), "--scale", "0.1"], check=True, capture_output=True)
    subprocess.run([binary, "ingest", "directory", str(data), "--db", db, "--with-associations", "-q"],
                   check=True, capture_output=True)
    gone = sorted(Path(data).rglob("toltec7_*.nc"))[0]
    gone.unlink()
    subprocess.run([binary, "ingest", "directory", str(data), "--db", db, "--prune", "-q"], check=True,
                   capture_output=True)
    return Cli(binary, db)


@pytest.fixture(scope="session")
def reg(cli):
    import tolteca_db

    with tolteca_db.Registry(cli.db) as r:
        yield r
