"""The writers: ingest_directory, ingest_files, generate_associations, the named-group edits. Each
is compared with the CLI command it stands for, run on a twin registry of the same data."""
import json
import subprocess
import threading
from pathlib import Path

import pytest

import tolteca_db
from compare import records

# The fields of the summaries that depend on the run (times, speed), not on what was written.
RUN_FIELDS = {"elapsed_s", "files_per_s", "jobs", "batches"}


def _stable(summary: dict) -> dict:
    out = {k: v for k, v in summary.items() if k not in RUN_FIELDS}
    if "associations" in out:
        out["associations"] = {k: v for k, v in out["associations"].items() if k != "elapsed_s"}
    return out


@pytest.fixture(scope="module")
def night(cli, tmp_path_factory) -> Path:
    """A simulated night of its own (the session's registry is never written)."""
    data = tmp_path_factory.mktemp("writers") / "data"
    subprocess.run([cli.binary, "simulate", str(data), "--scale", "0.1"], check=True, capture_output=True)
    return data


def _fresh(cli, where: Path, name: str) -> str:
    db = str(where / f"{name}.duckdb")
    subprocess.run([cli.binary, "db", "init", "--db", db], check=True, capture_output=True)
    return db


def test_ingest_directory_writes_what_the_cli_writes(cli, night, tmp_path):
    mine, theirs = _fresh(cli, tmp_path, "py"), _fresh(cli, tmp_path, "cli")
    with tolteca_db.Registry(mine, read_only=False) as reg:
        summary = reg.ingest_directory(night, with_associations=True, jobs=2)
        again = reg.ingest_directory(night, skip_existing=True)
    p = subprocess.run([cli.binary, "ingest", "directory", str(night), "--db", theirs, "--with-associations",
                        "--jobs", "2", "--json"], capture_output=True, text=True, check=True)
    expected = json.loads(p.stdout)
    assert _stable(summary) == _stable(expected)
    assert summary["new"] > 0 and summary["failed"] == 0 and summary["associations"]["groups_created"] > 0
    assert again["new"] == 0 and again["updated"] == 0 and again["failed"] == 0
    with tolteca_db.Registry(mine) as a, tolteca_db.Registry(theirs) as b:
        assert records(a.obs()) == records(b.obs())
        assert records(a.groups(members=True)) == records(b.groups(members=True))


def test_ingest_files_and_a_dry_run(cli, night, tmp_path):
    db = _fresh(cli, tmp_path, "files")
    paths = sorted(night.rglob("toltec3_*.nc"))[:4]
    assert len(paths) == 4
    with tolteca_db.Registry(db, read_only=False) as reg:
        dry = reg.ingest_files(paths, dry_run=True)
        assert dry["dry_run"] is True and dry["new"] == 4
        assert len(reg.files("[]")) == 0  # nothing written
        done = reg.ingest_files([str(p) for p in paths])
        assert done["new"] == 4 and done["scanned"] == 4 and "files" not in done
        assert sorted(reg.files("[]")["path"]) == sorted(str(p) for p in paths)
        assert reg.ingest_files(paths[0])["unchanged"] == 1


def test_generate_associations_as_the_cli(cli, night, tmp_path):
    mine, theirs = _fresh(cli, tmp_path, "py"), _fresh(cli, tmp_path, "cli")
    for db in (mine, theirs):
        subprocess.run([cli.binary, "ingest", "directory", str(night), "--db", db, "-q"], check=True,
                       capture_output=True)
    with tolteca_db.Registry(mine, read_only=False) as reg:
        limited = reg.generate_associations(limit=5, dry_run=True)
        assert limited["limit"] == 5 and limited["dry_run"] is True and limited["processed"] > 0
        with pytest.raises(tolteca_db.Error, match="--limit and --full do not go together"):
            reg.generate_associations(incremental=False, limit=5)
        dry = reg.generate_associations(dry_run=True)
        assert dry["dry_run"] is True and len(reg.groups()) == 0
        first = reg.generate_associations()
        second = reg.generate_associations(incremental=True)
        full = reg.generate_associations(incremental=False, types=["cal_group", "drivefit"])
    drop = {"elapsed_s"}
    p = subprocess.run([cli.binary, "assoc", "generate", "--db", theirs, "--limit", "5", "--dry-run", "--json"],
                       capture_output=True, text=True, check=True)
    assert {k: v for k, v in limited.items() if k not in drop} == \
        {k: v for k, v in json.loads(p.stdout).items() if k not in drop}
    p = subprocess.run([cli.binary, "assoc", "generate", "--db", theirs, "--json"], capture_output=True, text=True,
                       check=True)
    expected = json.loads(p.stdout)
    assert {k: v for k, v in first.items() if k not in drop} == {k: v for k, v in expected.items() if k not in drop}
    assert first["groups_created"] > 0 and second["groups_created"] == 0 and second["mode"] == "incremental"
    assert full["mode"] == "full" and {r["type"] for r in full["rules"]} == {"cal_group", "drivefit"}
    with tolteca_db.Registry(mine) as a, tolteca_db.Registry(theirs) as b:
        assert records(a.groups(members=True)) == records(b.groups(members=True))


def test_named_group_edits(cli, night, tmp_path):
    db = _fresh(cli, tmp_path, "named")
    subprocess.run([cli.binary, "ingest", "directory", str(night), "--db", db, "-q"], check=True,
                   capture_output=True)
    with tolteca_db.Registry(db, read_only=False) as reg:
        made = reg.named_group_create("night1", "ics-18340", "ics-18341")
        assert made == {"name": "night1", "created": True, "matched": 2, "added": 2, "removed": 0, "n_items": 2}
        assert reg.named_group_add("night1", "ics-18342")["n_items"] == 3
        assert reg.named_group_remove("night1", "ics-18340")["removed"] == 1
        g = reg.groups(type="named_group", members=True)
        assert list(g["name"]) == ["night1"] and g["n_items"][0] == 2
        with pytest.raises(tolteca_db.Error) as e:
            reg.named_group_create("night1", "ics-18343")
        msg = str(e.value)
        with pytest.raises(tolteca_db.SpecError):
            reg.named_group_add("night1", "ics-183x")
        assert reg.named_group_delete("night1") == {"name": "night1", "deleted": True}
        with pytest.raises(tolteca_db.Error) as gone:
            reg.named_group_delete("night1")
        assert len(reg.groups(type="named_group")) == 0
    subprocess.run([cli.binary, "assoc", "group", "create", "night1", "ics-18343", "--db", db], check=True,
                   capture_output=True)
    assert msg == cli.error("assoc", "group", "create", "night1", "ics-18343", db=db)
    assert str(gone.value) == cli.error("assoc", "group", "delete", "nope", db=db).replace("nope", "night1")


@pytest.mark.parametrize("call, cli_args", [
    (lambda r, d: r.ingest_directory(d / "nowhere"), ["ingest", "directory", "{d}/nowhere"]),
    (lambda r, d: r.ingest_directory(d, jobs=-1), ["ingest", "directory", "{d}", "--jobs", "-1"]),
    (lambda r, d: r.ingest_directory(d, jobs=9999), ["ingest", "directory", "{d}", "--jobs", "9999"]),
    (lambda r, d: r.ingest_directory(d, master="lmt"), ["ingest", "directory", "{d}", "--master", "lmt"]),
    (lambda r, d: r.ingest_directory(d, dry_run=True, with_associations=True),
     ["ingest", "directory", "{d}", "--dry-run", "--with-associations"]),
    (lambda r, d: r.ingest_directory(d, data_root="/"), ["ingest", "directory", "{d}", "--data-root", "/"]),
    (lambda r, d: r.generate_associations(types="bogus"), ["assoc", "generate", "--types", "bogus"]),
    (lambda r, d: r.generate_associations(state_dir="x", state="database"),
     ["assoc", "generate", "--state", "database", "--state-dir", "x"]),
])
def test_writer_errors_have_the_cli_message(cli, night, tmp_path, call, cli_args):
    db = _fresh(cli, tmp_path, "errors")
    subprocess.run([cli.binary, "ingest", "directory", str(night), "--db", db, "-q", "-l", "LMT"], check=True,
                   capture_output=True)
    with tolteca_db.Registry(db, read_only=False) as reg:
        with pytest.raises(tolteca_db.Error) as e:
            call(reg, night)
    args = [a.replace("{d}", str(night)) for a in cli_args]
    assert str(e.value) == cli.error(*args, db=db)


def test_a_read_only_registry_refuses_writes(cli, night):
    with tolteca_db.Registry(cli.db) as reg:
        for call in (lambda: reg.ingest_directory(night), lambda: reg.ingest_files([str(night)]),
                     lambda: reg.generate_associations(), lambda: reg.named_group_create("x", "latest"),
                     lambda: reg.named_group_delete("x")):
            with pytest.raises(tolteca_db.Error, match="is open read-only; open it with Registry"):
                call()
        # a dry run writes nothing, so a read-only registry may run it
        assert reg.ingest_directory(night, dry_run=True)["dry_run"] is True


def test_an_ingest_releases_the_gil(cli, night, tmp_path):
    db = _fresh(cli, tmp_path, "gil")
    ticks = []
    done = threading.Event()

    def count():
        while not done.is_set():
            ticks.append(1)
            done.wait(0.001)

    t = threading.Thread(target=count)
    t.start()
    try:
        with tolteca_db.Registry(db, read_only=False) as reg:
            before = len(ticks)
            reg.ingest_directory(night, jobs=1, headers=True)
            during = len(ticks) - before
    finally:
        done.set()
        t.join()
    assert during > 10  # the other thread ran while the engine worked
