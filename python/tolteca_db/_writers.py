"""The writers of tolteca_db.Registry: ingest, association generation, named-group edits.

They are the CLI's ``ingest directory``, ``ingest file``, ``assoc generate`` and ``assoc group
create|add|remove|delete``, with the CLI's options as keyword arguments (its names in snake_case),
its checks and its error messages (:class:`tolteca_db.Error`). Each returns the summary the
command's ``--json`` prints, as a dict (docs/OUTPUT.md). They need a registry opened with
``read_only=False`` (a dry run also works read-only).

Every write is the engine's: an ingest commits batch by batch (``batch_size`` files per
transaction, and at least every 2 s), a generation or a group edit in one transaction. The calls
release the GIL. Ctrl-C (SIGINT) stops an ingest at its next progress tick (every 0.1 s; the
workers then stop, within a second): the batch in flight is not written, what was committed stays
(running it again completes the rest), and KeyboardInterrupt is raised.
"""
import json
import os
import sys
from typing import Any, Dict, Iterable, Optional, Union

from . import _core
from ._core import Registry as _CoreRegistry

PathLike = Union[str, "os.PathLike[str]"]

# netCDF-4 headers are read in helper processes (one per worker thread) so that a libhdf5 crash on a
# damaged file costs that file, never the run (docs/RELIABILITY.md). The helper is this interpreter
# loading the extension module by its path (without importing pandas) and serving on descriptor 3.
# TOLTECA_HEADER_ISOLATION=0 reads every header in this process, as for the CLI.
_HELPER_CODE = ("import sys, importlib.util as u; s = u.spec_from_file_location('tolteca_db._core', sys.argv[1]); "
                "m = u.module_from_spec(s); s.loader.exec_module(m); m._serve_header_helper()")
_core._configure_header_helper([sys.executable, "-c", _HELPER_CODE, _core.__file__],
                               isolate=os.environ.get("TOLTECA_HEADER_ISOLATION") != "0")


def _names_text(value: Optional[Union[str, Iterable[str]]]) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return ",".join(str(v) for v in value)


def _specs_list(specs: Iterable[str]) -> list:
    out = [specs] if isinstance(specs, str) else list(specs)
    for s in out:
        if not isinstance(s, str):
            raise TypeError(f"a spec is a str ('ics-18343', 'tcs-131289-0-{{2,3}}', ...), not {type(s).__name__}")
    return out


class _Writers:
    """Mixed into tolteca_db.Registry (which sets ``self._core``)."""

    _core: _CoreRegistry

    def ingest_directory(self, root: PathLike, *, location: str = "", data_root: PathLike = "",
                         pattern: str = "", recursive: bool = True, skip_existing: bool = False,
                         master: Optional[str] = None, nw_id: Optional[int] = None, headers: bool = True,
                         jobs: int = 0, with_associations: bool = False, prune: bool = False,
                         prune_max_percent: float = 50.0, force: bool = False, dry_run: bool = False,
                         batch_size: int = 100000) -> Dict[str, Any]:
        """Walks ``root`` and ingests every TolTEC file, as ``tolteca_db ingest directory ROOT``.

        ``location`` / ``data_root``: the location (default: the only one; a new one is named
        'local', its root found from the layout); ``pattern``: a glob on file names; ``recursive``;
        ``skip_existing``: do not look again at files the registry knows; ``master`` / ``nw_id``:
        fallbacks for files that name none; ``headers``: read netCDF headers (False: names only);
        ``jobs``: worker threads (0: all cores); ``with_associations``: run the incremental
        association generation afterwards; ``prune`` (with ``prune_max_percent`` and ``force``):
        mark files gone from ``root`` as missing; ``dry_run``: report, write nothing;
        ``batch_size``: files per transaction.

        Returns the summary of ``ingest directory --json``: scanned, new, updated, unchanged,
        skipped, failed (with reasons), missing, raw observations created/updated, obsnum ranges,
        nights, elapsed_s, ... and ``associations`` when run. Raises :class:`tolteca_db.Error`
        (e.g. a root that is no directory, a refused prune), KeyboardInterrupt on Ctrl-C.
        """
        return json.loads(self._core.ingest_directory(
            os.fspath(root), location=location, data_root=os.fspath(data_root), pattern=pattern,
            recursive=recursive, skip_existing=skip_existing, master=master, nw_id=nw_id, headers=headers,
            jobs=jobs, with_associations=with_associations, prune=prune, prune_max_percent=prune_max_percent,
            force=force, dry_run=dry_run, batch_size=batch_size))

    def ingest_files(self, paths: Union[PathLike, Iterable[PathLike]], *, location: str = "",
                     data_root: PathLike = "", master: Optional[str] = None, nw_id: Optional[int] = None,
                     headers: bool = True, with_associations: bool = False,
                     dry_run: bool = False) -> Dict[str, Any]:
        """Ingests these files, as ``tolteca_db ingest file PATH...``.

        Options as :meth:`ingest_directory`'s. Returns the summary of ``ingest file --json``
        without the per-file list (plus ``associations`` when run). A path outside the location's
        data root is a ``failed`` file; :class:`tolteca_db.Error` when every one is.
        """
        items = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
        return json.loads(self._core.ingest_files(
            [os.fspath(p) for p in items], location=location, data_root=os.fspath(data_root), master=master,
            nw_id=nw_id, headers=headers, with_associations=with_associations, dry_run=dry_run))

    def generate_associations(self, incremental: bool = True, *,
                              types: Optional[Union[str, Iterable[str]]] = None, dry_run: bool = False,
                              state: Optional[str] = None, state_dir: PathLike = "",
                              limit: Optional[int] = None) -> Dict[str, Any]:
        """Generates the associations (groups and cal-obs edges), as ``tolteca_db assoc generate``.

        ``incremental=True`` (the default): only what new or changed observations can affect
        (a full run when the state does not match); False: ``--full``. ``types``: a subset
        (cal_group, drivefit, focus_group, astig_group, raw_obs_cal_obs); ``dry_run``: compute,
        write nothing; ``state`` ("database" or "filesystem") and ``state_dir``: where the engine
        keeps its state; ``limit``: process at most N pending observations, oldest first (the rest
        stay pending; ``--limit``). Returns the summary of ``assoc generate --json`` (mode, counts,
        rules, changes, watermarks; with ``limit``: processed, remaining and the counts).
        """
        return json.loads(self._core.generate_associations(
            incremental, types=_names_text(types), dry_run=dry_run, state=state, state_dir=os.fspath(state_dir),
            limit=limit))

    def named_group_create(self, name: str, *specs: str) -> Dict[str, Any]:
        """Creates the named group ``name`` of what the specs select (``assoc group create``).

        Specs are observation specs (ics-18366, tcs-131289-0-{2,3}, 18366-[0:10], latest) or
        product uids/names. Returns name, created, matched, added, removed, n_items.
        """
        return json.loads(self._core.named_group_create(name, _specs_list(specs)))

    def named_group_add(self, name: str, *specs: str) -> Dict[str, Any]:
        """Adds what the specs select to the named group (``assoc group add``)."""
        return json.loads(self._core.named_group_add(name, _specs_list(specs)))

    def named_group_remove(self, name: str, *specs: str) -> Dict[str, Any]:
        """Removes what the specs select from the named group (``assoc group remove``)."""
        return json.loads(self._core.named_group_remove(name, _specs_list(specs)))

    def named_group_delete(self, name: str) -> Dict[str, Any]:
        """Deletes the named group (its members stay), as ``assoc group delete``: {name, deleted}."""
        self._core.named_group_delete(name)
        return {"name": name, "deleted": True}
