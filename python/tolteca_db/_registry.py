"""tolteca_db.Registry: an open registry and its queries, as pandas DataFrames."""
import datetime as _dt
import os
from typing import Iterable, List, Optional, Union

import pandas as pd

from . import _core, _provenance
from ._astropy import Answer, maybe
from ._frame import build
from ._served import served_core
from ._writers import _Writers

#: A time argument: a ``datetime`` / ``pandas.Timestamp`` (naive ones are taken as UTC), or text in the
#: CLI's forms: ``"2024-11-13"``, ``"2024-11-13T17:24:46Z"``, ``"yesterday"``, ``"today"``, ``"now"``,
#: ``"-12h"``, ``"-1d"``, ``"-2w"``.
TimeLike = Union[str, _dt.datetime, pd.Timestamp]
#: One name, a comma-separated list of names, or a sequence of them (as the CLI's repeated options).
Names = Union[str, Iterable[str]]


def _time(value: Optional[TimeLike]) -> Union[None, int, str]:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, _dt.datetime):  # pandas.Timestamp is one too
        ts = pd.Timestamp(value)
        ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
        return ts.value // 1000
    raise TypeError(f"expected a datetime or a time string, not {type(value).__name__}")


def _names(value: Optional[Names]) -> List[str]:
    """'a,b' or ['a', 'b,c'] -> ['a', 'b', 'c'] (the CLI's comma-separated or repeated options)."""
    if value is None:
        return []
    items = [value] if isinstance(value, str) else list(value)
    return [part for item in items for part in str(item).split(",") if part]


def _specs(specs: Iterable[str]) -> List[str]:
    out = []
    for s in specs:
        if not isinstance(s, str):
            raise TypeError(f"an observation spec is a str ('ics-18343', 'latest/7', ...), not {type(s).__name__}")
        out.append(s)
    return out


class Registry(_Writers):
    """An open registry.

    ``url`` is what the CLI's ``--db`` takes: ``duckdb:///relative/path.duckdb``,
    ``duckdb:////absolute/path.duckdb``, or a plain path ending in ``.duckdb``. ``None`` means what
    the CLI uses without ``--db``: ``$TOLTECA_DB_URL``, else ``duckdb:///./tolteca.duckdb``.

    ``read_only=True`` (the default) never writes and takes no writer lock, so any number of readers
    share the registry; ``read_only=False`` opens it for writing (one writer at a time; the database
    must exist). Raises :class:`tolteca_db.Error` when the database does not exist or cannot be
    opened. The writers (:meth:`ingest_directory`, :meth:`ingest_files`,
    :meth:`generate_associations`, :meth:`named_group_create` / ``_add`` / ``_remove`` /
    ``_delete``) are in tolteca_db._writers. Use it as a context manager, or call :meth:`close`,
    to release the database.

    Every query returns a ``pandas.DataFrame`` whose columns are the keys of the CLI's ``--json``
    output (docs/OUTPUT.md), typed: times ``datetime64[ns, UTC]`` (``NaT`` when unknown), integers
    ``int64`` or, where they may be unknown, pandas' nullable ``Int64``, ``tau`` ``float64`` (``NaN``
    when unknown), kinds and other name lists as Python lists, unknown text as ``None``. An empty
    answer keeps every column and dtype. Calls release the GIL while the engine works.

    ``astropy=True`` on a query gives an ``astropy.table.Table`` instead, with units where the domain
    has them (:func:`tolteca_db.to_astropy`: times as ``astropy.time.Time``, ``tau`` dimensionless,
    sizes in bytes, unknown values masked).
    """

    def __init__(self, url: Optional[str] = None, read_only: bool = True) -> None:
        if url is None:
            url = _core.default_url(os.environ.get("TOLTECA_DB_URL"))
        url = os.fspath(url)
        # A server's URL, or a database a live `serve` process holds: read through it (_served.py).
        served = served_core(url, read_only)
        self._core = served if served is not None else _core.Registry(url, read_only)

    @property
    def url(self) -> str:
        """The URL as given."""
        return self._core.url

    @property
    def read_only(self) -> bool:
        return self._core.read_only

    @property
    def closed(self) -> bool:
        return self._core.closed

    def close(self) -> None:
        """Releases the database (and the writer lock); further queries raise :class:`Error`."""
        self._core.close()

    def __enter__(self) -> "Registry":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self.closed else ("read-only" if self.read_only else "read-write")
        return f"tolteca_db.Registry({self.url!r}, {state})"

    def obs(self, *specs: str, master: Optional[str] = None, kind: Optional[Names] = None,
            goal: Optional[str] = None, source: Optional[str] = None, project: Optional[str] = None,
            since: Optional[TimeLike] = None, until: Optional[TimeLike] = None,
            arrived_since: Optional[TimeLike] = None, limit: Optional[int] = None, sort: str = "start",
            newest: bool = False, astropy: bool = False) -> Answer:
        """Raw observations, as ``tolteca_db query obs``: one row per observation.

        ``specs``: observation specs (``"ics-18343"``, ``"tcs-131289-0-{2,3}"``, ``"latest/7"``,
        ``"[18340:18350]"``); none selects all. Filters: ``master`` (tcs, ics, clip), ``kind`` (any of
        VnaSweep, TargetSweep, Tune, RawTimeStream, LmtTel, RawSweep), ``goal``, ``source``,
        ``project`` (any case), ``since`` / ``until`` (start time >= / <), ``arrived_since`` (has a
        file ingested at or after), ``limit`` (at most N; 0 or None: all), ``sort`` ("start" or
        "obsnum"), ``newest`` (reverse the order; with ``limit``: the last N).

        Columns: uid, master, obsnum, subobsnum, scannum (int64), start_time (UTC), data_kind (int64),
        kinds (list), complete (bool; false only while a server watching the data still waits for
        files of it, so always true for a registry opened directly), networks (compressed text, "0-5,7"), interfaces (list), n_files, n_missing
        (int64), obs_goal, source_name, project_id, obs_pgm (text or None), tau (float64), groups,
        cal (lists). Raises :class:`SpecError` for a spec that does not parse, :class:`Error` for a
        bad filter.
        """
        return maybe(build(self._core.obs(
            _specs(specs), master=master, kinds=_names(kind), goal=goal, source=source, project=project,
            since=_time(since), until=_time(until), arrived_since=_time(arrived_since), limit=limit,
            sort=sort, newest=newest)), astropy)

    def files(self, *specs: str, interface: Optional[Union[str, int]] = None, missing: bool = False,
              all_locations: bool = False, newest: bool = False, astropy: bool = False) -> Answer:
        """Files of the matching observations, as ``tolteca_db query files``: one row per file.

        ``specs`` are required unless ``missing=True`` (``"[]"`` selects all observations).
        ``interface``: only this one (0-12 or toltecN, hwpr, toltec_hk, tel_toltec, tel_toltec2,
        wyatt); ``missing``: only files recorded as missing; ``all_locations``: a row per file per
        location (default: each file once, at its best location); ``newest``: newest observations
        first.

        Columns: obs_uid, interface, roach (Int64), data_kind (int64), kinds (list), is_raw (bool),
        availability ("available" or "missing"), location, path (absolute), rel_path, size (Int64,
        bytes), file_time (UTC), problem (text or None).
        """
        iface = None if interface is None else str(interface)
        return maybe(build(self._core.files(_specs(specs), interface=iface, missing=missing,
                                            all_locations=all_locations, newest=newest)), astropy)

    def groups(self, *specs: str, type: Optional[Names] = None, since: Optional[TimeLike] = None,
               limit: Optional[int] = None, newest: bool = False, members: bool = False,
               astropy: bool = False) -> Answer:
        """Association groups, as ``tolteca_db query groups``: one row per group.

        ``specs``: only groups with a member matching any; ``type``: cal_group, drivefit,
        focus_group, astig_group, named_group (one, comma-separated, or a list); ``since``: latest
        member time >= since; ``limit``: at most N (0 or None: all); ``newest``: newest first;
        ``members``: add the ``members`` column.

        Columns: uid, name, type, n_items (int64), master (text or None), first_obsnum, last_obsnum
        (Int64), latest_member_time (UTC); with ``members``: members, a list of dicts (uid,
        product_type, data_kind, kinds, start_time as a UTC Timestamp or None) in sequence order.
        Raises :class:`Error` for an unknown type.
        """
        return maybe(build(self._core.groups(_specs(specs), types=_names(type), since=_time(since), limit=limit,
                                             newest=newest, members=members)), astropy)

    def provenance(self, *specs: str, limit: int = 100, astropy: bool = False) -> "_provenance.Provenance":
        """The graph around observations, as ``tolteca_db query provenance SPECS --limit N``: a
        :class:`tolteca_db.Provenance` of five DataFrames (obs, groups, cal_chain, reduced, cal_of;
        their columns: its docstring) for the observations ``specs`` select (at most ``limit``)."""
        return _provenance.query(self._core, _specs(specs), limit, astropy)

    def stats(self, astropy: bool = False) -> Answer:
        """Counts over the whole registry, as ``tolteca_db query stats``: one row.

        Columns: observations, files, missing_files, reduced, groups, edges, failed_ingests (int64),
        db_size (Int64, bytes), first_start, last_start (UTC); groups_per_type, edges_per_type,
        per_master, per_kind (dicts of counts); per_night (list of {night, observations}), networks
        (list of {interface, files, missing}), recent_failures (list of {time (UTC Timestamp or None),
        subject, message}, newest first).
        """
        return maybe(build(self._core.stats()), astropy)
