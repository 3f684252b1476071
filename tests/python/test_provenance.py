"""Registry.provenance: the same graph as `tolteca_db query provenance --json`."""
import subprocess

import pytest

import tolteca_db
from compare import OBS, dtypes, records

PARTS = {"groups": {"obs": "object", "uid": "object", "name": "object", "type": "object"},
         "cal_chain": {"obs": "object", "depth": "int64", "from": "object", "uid": "object", "data_kind": "int64",
                       "kinds": "object", "networks": "object"},
         "reduced": {"obs": "object", "uid": "object"},
         "cal_of": {"obs": "object", "uid": "object"}}


@pytest.fixture(scope="module")
def reduced(cli, tmp_path_factory):
    """A night simulated with reduction products (simulate --reduced), ingested with associations."""
    root = tmp_path_factory.mktemp("reduced")
    data, db = root / "data", str(root / "reg.duckdb")
    subprocess.run([cli.binary, "simulate", str(data), "--scale", "0.1", "--reduced"], check=True, capture_output=True)
    subprocess.run([cli.binary, "ingest", "directory", str(data), "--db", db, "--with-associations", "-q"],
                   check=True, capture_output=True)
    return type(cli)(cli.binary, db)


def as_json(p):
    """A Provenance as the CLI's --json array: one object per observation."""
    obs = records(p.obs.drop(columns=["complete"]))
    out = []
    for o in obs:
        entry = {"obs": o}
        for name in PARTS:
            rows = [{k: v for k, v in r.items() if k != "obs"} for r in records(getattr(p, name)) if r["obs"] == o["uid"]]
            entry[name] = [r["uid"] for r in rows] if name in ("reduced", "cal_of") else rows
        out.append(entry)
    return out


@pytest.mark.parametrize("specs", [["ics-18340-0-0"], ["ics-18343"], ["tcs-131289"], ["[]"], ["latest"]])
def test_provenance_equals_the_cli(reg, cli, specs):
    p = reg.provenance(*specs)
    assert isinstance(p, tolteca_db.Provenance) and p._fields == ("obs", "groups", "cal_chain", "reduced", "cal_of")
    assert dtypes(p.obs) == OBS
    for name, columns in PARTS.items():
        assert dtypes(getattr(p, name)) == columns, name
    expected = cli.json("query", "provenance", *specs)
    assert len(expected) == len(p.obs) > 0
    assert as_json(p) == expected


def test_provenance_has_every_part(reg, reduced):
    every = reg.provenance("[]", limit=1000)
    assert len(every.groups) > 0 and len(every.cal_chain) > 0 and len(every.cal_of) > 0
    chain = reg.provenance("ics-18343").cal_chain
    assert chain.depth.tolist() == list(range(1, len(chain) + 1)) and chain["from"][0] == "ics-18343-0-0"
    with tolteca_db.Registry(reduced.db) as r:
        p = r.provenance("[]", limit=1000)
        assert len(p.reduced) > 0
        assert as_json(p) == reduced.json("query", "provenance", "[]", "--limit", "1000")


def test_provenance_limit_and_errors(reg, cli):
    assert len(reg.provenance("[]", limit=3).obs) == 3
    assert as_json(reg.provenance("[]", limit=3)) == cli.json("query", "provenance", "[]", "--limit", "3")
    empty = reg.provenance("ics-999999")
    assert len(empty.obs) == 0 and dtypes(empty.obs) == OBS and dtypes(empty.cal_chain) == PARTS["cal_chain"]
    with pytest.raises(tolteca_db.SpecError):
        reg.provenance("ics-18x")
    with pytest.raises(TypeError):
        reg.provenance()
