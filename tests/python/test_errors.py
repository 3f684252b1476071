"""Empty answers keep their columns; errors are tolteca_db.Error with the CLI's message."""
import shutil
import subprocess
import threading

import pytest

import tolteca_db
from compare import FILES, GROUPS, OBS, dtypes, records


def test_empty_answers_keep_columns_and_dtypes(reg):
    assert dtypes(reg.obs("ics-1")) == OBS and len(reg.obs("ics-1")) == 0
    assert dtypes(reg.obs(master="clip")) == OBS
    assert dtypes(reg.files("ics-1")) == FILES and len(reg.files("ics-1")) == 0
    assert dtypes(reg.groups(type="named_group")) == GROUPS and len(reg.groups(type="named_group")) == 0
    empty = reg.groups(type="named_group", members=True)
    assert dtypes(empty) == {**GROUPS, "members": "object"}


def test_a_bad_spec_raises_naming_it_with_the_cli_message(reg, cli):
    with pytest.raises(tolteca_db.SpecError) as e:
        reg.obs("ics-183x6")
    assert str(e.value) == cli.error("query", "obs", "ics-183x6")
    assert "'ics-183x6' at character 8" in str(e.value)
    assert e.value.spec == "ics-183x6" and e.value.position == 7 and "unexpected 'x'" in e.value.reason
    assert isinstance(e.value, tolteca_db.Error) and isinstance(e.value, ValueError)
    with pytest.raises(tolteca_db.SpecError, match="tcs-1-{2,"):
        reg.files("tcs-1-{2,")
    with pytest.raises(tolteca_db.SpecError, match="ics-1-x"):
        reg.groups("ics-1-x")


def test_a_missing_database_raises_with_the_cli_message(cli, tmp_path):
    missing = str(tmp_path / "none.duckdb")
    with pytest.raises(tolteca_db.Error) as e:
        tolteca_db.Registry(missing)
    assert str(e.value) == cli.error("query", "obs", db=missing)
    assert "does not exist" in str(e.value)
    with pytest.raises(tolteca_db.Error, match="does not exist"):
        tolteca_db.Registry("duckdb:///" + missing, read_only=False)


@pytest.mark.parametrize("call, cli_args, words", [
    (lambda r: r.obs(master="lmt"), ["query", "obs", "--master", "lmt"], "'lmt': expected tcs, ics or clip"),
    (lambda r: r.obs(kind="Sweep"), ["query", "obs", "--kind", "Sweep"], "'Sweep': expected VnaSweep"),
    (lambda r: r.obs(since="tomorrow"), ["query", "obs", "--since", "tomorrow"], "'tomorrow': not a time; expected"),
    (lambda r: r.files("[]", interface="toltec99"), ["query", "files", "[]", "--interface", "toltec99"],
     "'toltec99': expected 0-12"),
    (lambda r: r.groups(type="bogus"), ["query", "groups", "--type", "bogus"], "unknown group type 'bogus'"),
])
def test_bad_arguments_raise_with_the_cli_words(reg, cli, call, cli_args, words):
    with pytest.raises(tolteca_db.Error) as e:
        call(reg)
    assert words in str(e.value) and words in cli.error(*cli_args)


def test_files_needs_a_spec_or_missing(reg):
    with pytest.raises(tolteca_db.Error, match=r"at least one observation spec \('\[\]' for all\), or missing=True"):
        reg.files()


def test_a_negative_limit_raises(reg):
    with pytest.raises(tolteca_db.Error, match="must not be negative"):
        reg.obs(limit=-1)


def test_a_closed_registry_raises_and_reports_closed(cli):
    r = tolteca_db.Registry(cli.db)
    assert not r.closed and r.read_only and "read-only" in repr(r)
    r.close()
    assert r.closed
    with pytest.raises(tolteca_db.Error, match="is closed"):
        r.obs()


def test_threads_share_one_registry(reg):
    expected = reg.obs().uid.tolist()
    results, errors = [], []

    def work():
        try:
            for _ in range(5):
                results.append(reg.obs().uid.tolist())
                reg.files("[]")
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(results) == 20 and all(r == expected for r in results)


def test_a_registry_a_server_without_http_holds_is_read_through_its_socket(cli, tmp_path):
    # The server route (test_served.py): the engine cannot open it (the server holds the lock), so the
    # package runs the queries on the server, over its Unix socket (no HTTP listener here).
    db = tmp_path / "served.duckdb"
    shutil.copy(cli.db, db)
    with tolteca_db.Registry(str(db)) as direct:
        expected = records(direct.obs())
    server = subprocess.Popen([cli.binary, "serve", "--db", str(db), "--no-http"], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    try:
        assert "serving" in server.stdout.readline() + server.stdout.readline()
        with pytest.raises(tolteca_db.Error, match=rf"locked by another process \(pid {server.pid}\)"):
            tolteca_db._core.Registry(str(db), True)
        with tolteca_db.Registry(str(db)) as reg:
            assert records(reg.obs()) == expected and dtypes(reg.obs()) == OBS
    finally:
        server.terminate()
        server.wait(timeout=30)
