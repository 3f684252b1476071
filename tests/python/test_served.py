"""The server route: a registry a `tolteca_db serve` process holds is read through it, and
Registry("http://host:port") reads a remote server; the DataFrames equal the direct ones (same
columns, dtypes and values; the served times are whole seconds, as the JSON has them)."""
import json
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pandas as pd
import pytest

import tolteca_db
from compare import FILES, GROUPS, OBS, STATS, dtypes, records


@pytest.fixture(scope="module")
def served(cli, tmp_path_factory):
    """A copy of the session's registry, held by a real `tolteca_db serve` (HTTP on a free port);
    yields (direct answers' registry path, served database path, http address)."""
    where = tmp_path_factory.mktemp("served")
    db = str(where / "served.duckdb")
    shutil.copy(cli.db, db)
    with tolteca_db.Registry(db, read_only=False) as reg:  # a named group, so that every type is there
        reg.named_group_create("night1", "ics-18340", "ics-18341")
    direct = {
        "obs": (lambda r: r.obs()), "obs_kind": (lambda r: r.obs(kind="VnaSweep", limit=3, newest=True)),
        "obs_spec": (lambda r: r.obs("ics-18340", "latest")), "obs_master": (lambda r: r.obs(master="tcs")),
        "files": (lambda r: r.files("[]")), "files_iface": (lambda r: r.files("latest", interface=7)),
        "missing": (lambda r: r.files(missing=True)), "groups": (lambda r: r.groups(members=True)),
        "groups_type": (lambda r: r.groups(type="cal_group,named_group")), "stats": (lambda r: r.stats()),
    }
    for table in tolteca_db.Provenance._fields:  # each of provenance()'s five tables
        direct["provenance_" + table] = (lambda r, t=table: getattr(r.provenance("ics-18340", "latest"), t))
    with tolteca_db.Registry(db) as reg:
        expected = {k: f(reg) for k, f in direct.items()}
    server_file = Path(db + ".server.json")
    proc = subprocess.Popen([cli.binary, "serve", "--db", db, "--listen", "127.0.0.1:0"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (server_file.exists() and
                                               json.loads(server_file.read_text() or "{}").get("pid") == proc.pid):
        assert proc.poll() is None, "tolteca_db serve stopped"
        time.sleep(0.05)
    info = json.loads(server_file.read_text())
    try:
        yield db, info["http"], direct, expected
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)


def _same(served_df: pd.DataFrame, direct_df: pd.DataFrame) -> None:
    assert list(served_df.columns) == list(direct_df.columns)
    assert dtypes(served_df) == dtypes(direct_df)
    assert records(served_df) == records(direct_df)  # times compared to the second, as the JSON has them


def test_a_database_a_server_holds_is_read_through_it(served):
    db, _, direct, expected = served
    with pytest.raises(tolteca_db.Error, match="locked by another process|lock"):
        tolteca_db._core.Registry(db, True)  # what the engine says: the server holds it
    with tolteca_db.Registry(db) as reg:
        for name, f in direct.items():
            _same(f(reg), expected[name])
        assert dtypes(reg.obs()) == OBS and dtypes(reg.files("[]")) == FILES
        assert dtypes(reg.groups()) == GROUPS and dtypes(reg.stats()) == STATS
        assert set(reg.groups(type="named_group")["name"]) == {"night1"}
        chain = reg.provenance("ics-18340", "latest").cal_chain
        assert len(chain) > 0, "the served provenance has the cal chain of the direct one (compared above)"


def test_a_remote_server_by_its_http_url(served):
    _, http, direct, expected = served
    with tolteca_db.Registry(f"http://{http}") as reg:
        for name, f in direct.items():
            _same(f(reg), expected[name])
        empty = reg.obs("ics-1")
        assert len(empty) == 0 and dtypes(empty) == OBS


def test_served_errors(served):
    db, http, _, _ = served
    for url in (f"http://{http}", db):
        with tolteca_db.Registry(url) as reg:
            with pytest.raises(tolteca_db.Error, match="ics-183x6"):
                reg.obs("ics-183x6")
            with pytest.raises(tolteca_db.Error, match="'lmt': expected tcs, ics or clip"):
                reg.obs(master="lmt")
    with tolteca_db.Registry(f"http://{http}", read_only=False) as reg:
        with pytest.raises(tolteca_db.Error, match="read through a server's HTTP API"):
            reg.ingest_directory("/nowhere")
    with pytest.raises(tolteca_db.Error, match="cannot reach the server"):
        tolteca_db.Registry("http://127.0.0.1:9")


def test_writes_to_a_database_a_server_holds_run_on_the_server(served, cli):
    db, _, _, _ = served
    with tolteca_db.Registry(db) as reg:
        with pytest.raises(tolteca_db.Error, match="open read-only"):
            reg.named_group_create("py", "ics-18342")
    with tolteca_db.Registry(db, read_only=False) as reg:
        made = reg.named_group_create("py", "ics-18342", "ics-18343")
        assert made == {"name": "py", "created": True, "matched": 2, "added": 2, "removed": 0, "n_items": 2}
        assert reg.named_group_add("py", "ics-18344")["n_items"] > 2
        assert set(reg.groups(type="named_group")["name"]) == {"night1", "py"}
        with pytest.raises(tolteca_db.Error) as e:
            reg.named_group_create("py", "ics-18345")
        assert str(e.value) == "named group 'py' exists; use 'assoc group add'"
        dry = reg.generate_associations(dry_run=True)
        assert dry["dry_run"] is True and dry["mode"] in ("incremental", "full")
        assert reg.named_group_delete("py") == {"name": "py", "deleted": True}
        assert set(reg.groups(type="named_group")["name"]) == {"night1"}
        chain = reg.provenance("ics-18340", "latest").cal_chain
        assert len(chain) > 0, "the served provenance has the cal chain of the direct one (compared above)"
        data = Path(reg.files("latest")["path"][0]).parent.parent.parent.parent
        again = reg.ingest_directory(data, skip_existing=True)
        assert again["new"] == 0 and again["failed"] == 0
