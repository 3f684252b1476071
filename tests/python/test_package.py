"""The installed package: typed, documented, the module from the build (not the source tree)."""
import inspect
import os

import tolteca_db


def test_the_package_is_typed_and_documented():
    here = os.path.dirname(tolteca_db.__file__)
    assert os.path.exists(os.path.join(here, "py.typed"))
    assert os.path.exists(os.path.join(here, "_core.pyi"))
    for name in ("obs", "files", "groups", "stats", "close"):
        method = getattr(tolteca_db.Registry, name)
        assert inspect.getdoc(method), name
    assert "DataFrame" in str(inspect.signature(tolteca_db.Registry.obs).return_annotation)
    assert tolteca_db.__version__.count(".") == 2
    assert issubclass(tolteca_db.Error, Exception) and tolteca_db.Error.__module__ == "tolteca_db"


def test_default_url_follows_the_cli(monkeypatch, cli):
    monkeypatch.setenv("TOLTECA_DB_URL", cli.db)
    with tolteca_db.Registry() as r:
        assert r.url == cli.db and len(r.obs()) > 0
