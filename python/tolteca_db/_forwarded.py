"""A local database a live ``tolteca_db serve`` process holds: every call runs on the server as the
CLI's command would (forwarded over the server's Unix socket, src/server/client.h, as the CLI
forwards its commands; docs/SERVER.md), and its ``--json`` answer is read back. Reads and writes
both work; Ctrl-C cancels the command on the server (an ingest keeps what it committed) and raises
KeyboardInterrupt. Errors are the command's message, as :class:`tolteca_db.Error`.
"""
import json
from typing import Any, List, Optional, Sequence, Tuple

from . import _core
from ._served import _Served


def _opt(name: str, value: Any) -> List[str]:
    """``--name=value``, or nothing for None / "" (the command's default)."""
    return [] if value is None or value == "" else [f"--{name}={value}"]


class ForwardCore(_Served):
    def __init__(self, url: str, read_only: bool) -> None:
        super().__init__(url)
        self._read_only = read_only

    read_only = property(lambda self: self._read_only)

    def _run(self, argv: Sequence[str], writes: bool = False) -> str:
        self._check_open()
        if writes and self._read_only:
            raise _core.Error(f"registry {self._url} is open read-only; open it with Registry(url, read_only=False) "
                              f"to write")
        code, out, err = _core._forward(self._url, ["tolteca_db", *argv, "--db", self._url])
        if code != 0:
            lines = err.decode(errors="replace").strip().splitlines()
            message = lines[-1] if lines else f"the command exited with {code}"
            prefix = "tolteca_db: error: "
            raise _core.Error(message[len(prefix):] if message.startswith(prefix) else message)
        return out.decode(errors="surrogateescape")

    def _rows(self, what: str, params: List[Tuple[str, str]]) -> Any:
        argv = ["query", what] + [v for k, v in params if k == "spec"]
        argv += [f"--{k}={v}" for k, v in params if k != "spec"] + ["--json"]
        return json.loads(self._run(argv))

    # The writers: the same arguments as _core.Registry's (src/python/writers.cpp), as the CLI's flags.
    def ingest_directory(self, root: str, *, location: str = "", data_root: str = "", pattern: str = "",
                         recursive: bool = True, skip_existing: bool = False, master: Optional[str] = None,
                         nw_id: Optional[int] = None, headers: bool = True, jobs: int = 0,
                         with_associations: bool = False, prune: bool = False, prune_max_percent: float = 50.0,
                         force: bool = False, dry_run: bool = False, batch_size: int = 100000) -> str:
        argv = ["ingest", "directory", root, "--json", "-q"] + _opt("location", location) + _opt("data-root", data_root)
        argv += _opt("pattern", pattern) + _opt("master", master) + _opt("nw-id", nw_id) + _opt("jobs", jobs)
        argv += _opt("prune-max-percent", prune_max_percent) + _opt("batch-size", batch_size)
        argv += [] if recursive else ["--no-recursive"]
        argv += [] if headers else ["--names-only"]
        for flag, on in (("--skip-existing", skip_existing), ("--with-associations", with_associations),
                         ("--prune", prune), ("--force", force), ("--dry-run", dry_run)):
            argv += [flag] if on else []
        return self._run(argv, writes=not dry_run)

    def ingest_files(self, paths: Sequence[str], *, location: str = "", data_root: str = "",
                     master: Optional[str] = None, nw_id: Optional[int] = None, headers: bool = True,
                     with_associations: bool = False, dry_run: bool = False) -> str:
        if with_associations:
            raise _core.Error("with_associations: run generate_associations() after ingest_files() on a served "
                              "registry ('ingest file' has no --with-associations)")
        argv = ["ingest", "file", *paths, "--json"] + _opt("location", location) + _opt("data-root", data_root)
        argv += _opt("master", master) + _opt("nw-id", nw_id) + ([] if headers else ["--names-only"])
        argv += ["--dry-run"] if dry_run else []
        summary = json.loads(self._run(argv, writes=not dry_run))
        summary.pop("files", None)
        return json.dumps(summary)

    def generate_associations(self, incremental: bool = True, *, types: str = "", dry_run: bool = False,
                              state: Optional[str] = None, state_dir: str = "", limit: Optional[int] = None) -> str:
        argv = ["assoc", "generate", "--json"] + ([] if incremental else ["--full"]) + _opt("types", types)
        argv += _opt("limit", limit)
        argv += _opt("state", state) + _opt("state-dir", state_dir) + (["--dry-run"] if dry_run else [])
        return self._run(argv, writes=not dry_run)

    def named_group_create(self, name: str, specs: Sequence[str]) -> str:
        return self._run(["assoc", "group", "create", name, *specs, "--json"], writes=True)

    def named_group_add(self, name: str, specs: Sequence[str]) -> str:
        return self._run(["assoc", "group", "add", name, *specs, "--json"], writes=True)

    def named_group_remove(self, name: str, specs: Sequence[str]) -> str:
        return self._run(["assoc", "group", "remove", name, *specs, "--json"], writes=True)

    def named_group_delete(self, name: str) -> None:
        self._run(["assoc", "group", "delete", name, "--json"], writes=True)
