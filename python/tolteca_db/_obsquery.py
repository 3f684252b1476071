"""tolteca_db.ObsQuery: the original tolteca_db Python API (tolteca_v2-compatible), on Registry.

An existing script changes only its import (``from tolteca_db import ObsQuery``). The answers are
what the names say (the original's interface filter matched nothing and its default location
label matched no location; here both work).
"""
import os
from typing import Any, Iterable, List, Optional, Union

import numpy as np
import pandas as pd

from . import _core
from ._astropy import Answer, maybe
from ._registry import Registry

#: The columns of get_raw_obs_info_table / get_raw_obs_latest and their dtypes, in order.
COLUMNS = {"source": "object", "interface": "object", "roach": "Int64", "master": "object",
           "obsnum": "int64", "subobsnum": "int64", "scannum": "int64",
           "file_timestamp": "datetime64[ns, UTC]", "file_suffix": "object", "file_ext": "object",
           "uid_obs": "object", "uid_raw_obs": "object", "uid_raw_obs_file": "object"}

#: What location_label takes to mean "each file once, at its best location" (the original default).
_ANY_LOCATION = (None, "local")

_MASTERS = ("tcs", "ics", "clip")


def _v2_spec(text: str) -> str:
    """tolteca_v2's "obsnum-subobsnum-scannum-roach" (a fourth number: the network) as "…/roach"."""
    parts = text.strip().split("-")
    numbers = parts[1:] if parts and parts[0].lower() in _MASTERS else parts
    if len(numbers) == 4 and "/" not in text and numbers[3].isdigit():
        return "-".join(parts[:-1]) + "/" + numbers[3]
    return text

ObsSpecLike = Union[None, int, str]


def _empty() -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series([], dtype=dtype) for name, dtype in COLUMNS.items()})


class ObsQuery:
    """The original ``tolteca_db.ObsQuery(db_url, location_label="local", location_type=None)``.

    ``db_url``: the registry, as :class:`tolteca_db.Registry` takes it (``duckdb:///tolteca.duckdb``;
    ``None``: ``$TOLTECA_DB_URL``, else ``duckdb:///./tolteca.duckdb``); opened read-only.
    ``location_label``: the location whose copies to list (the label given to ``ingest --location``;
    any letter case). ``"local"`` (the default) or ``None``: every file once, at its best location
    (as :meth:`Registry.files`). ``location_type``: ``None`` or ``"filesystem"`` (every location of
    this registry is a directory); anything else raises :class:`ValueError`.

    Use it as a context manager, or call :meth:`close`.
    """

    def __init__(self, db_url: Optional[str] = None, location_label: Optional[str] = "local",
                 location_type: Optional[str] = None) -> None:
        if location_type not in (None, "filesystem"):
            raise ValueError(f"location_type {location_type!r}: tolteca_db locations are directories "
                             "('filesystem' or None)")
        self.db_url = db_url
        self.location_label = location_label
        self.location_type = location_type
        self.registry = Registry(db_url)

    def close(self) -> None:
        self.registry.close()

    def __enter__(self) -> "ObsQuery":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get_raw_obs_info_table(self, obs_spec: Union[ObsSpecLike, Iterable[ObsSpecLike]] = None,
                               master: Optional[str] = None, obsnum: Optional[int] = None,
                               subobsnum: Optional[int] = None, scannum: Optional[int] = None,
                               interface: Optional[Union[str, int]] = None, raise_on_multiple: bool = False,
                               raise_on_empty: bool = False, *, roach: Optional[int] = None,
                               astropy: bool = False) -> Answer:
        """The raw files of the observations ``obs_spec`` selects: one row per file.

        ``obs_spec``: an observation spec (``"ics-18343"``, ``"tcs-131289-0-2"``, ``"18343/7"``,
        ``"latest"``, …; tolteca_v2's ``"18343-0-1-7"`` means network 7), an obsnum (``int``), a
        list of them, or ``None``: the newest raw observation, unless ``obsnum``, ``subobsnum`` or
        ``scannum`` is given (then every observation those select). ``master``, ``obsnum``,
        ``subobsnum``, ``scannum`` and ``interface`` (``"toltec7"``, ``7``, ``"hwpr"``,
        ``"tel_toltec"``, …) override the spec's fields (an ``obsnum`` replaces ``latest``);
        ``roach=N`` means ``interface="toltecN"``.

        Only raw files that are present: reduction products and files recorded as missing (no source
        to open) are left out. ``raise_on_multiple``: :class:`ValueError` when more than one file
        matches; ``raise_on_empty``: :class:`ValueError` when none does. A bad spec raises
        :class:`tolteca_db.SpecError` (a ``ValueError``), a bad master or interface
        :class:`tolteca_db.Error`.

        Columns (dtypes): source (the absolute path, object), interface (object), roach (Int64: the
        network, <NA> for other interfaces), master (object), obsnum, subobsnum, scannum (int64),
        file_timestamp (datetime64[ns, UTC]: the UT time in the file name), file_suffix (object:
        vnasweep, targsweep, tune, timestream, or None when the name has none), file_ext (object,
        ".nc"), uid_obs ("{master}-{obsnum}"), uid_raw_obs ("{master}-{obsnum}-{subobsnum}-{scannum}"),
        uid_raw_obs_file ("{uid_raw_obs}-{interface}"). An empty answer keeps the columns and dtypes.
        ``astropy=True``: an ``astropy.table.Table`` instead (:func:`tolteca_db.to_astropy`).
        """
        if roach is not None:
            if interface is not None and str(interface) not in (str(roach), f"toltec{roach}"):
                raise ValueError(f"roach={roach!r} and interface={interface!r} name different interfaces")
            interface = f"toltec{int(roach)}"
        specs = self._specs(obs_spec, master, obsnum, subobsnum, scannum, interface)
        table = self._table(specs)
        context = (f"obs_spec={obs_spec!r}, master={master!r}, obsnum={obsnum!r}, subobsnum={subobsnum!r}, "
                   f"scannum={scannum!r}, interface={interface!r}")
        if raise_on_multiple and len(table) > 1:
            raise ValueError(f"ambiguous: {len(table)} files found for {context}")
        if raise_on_empty and len(table) == 0:
            raise ValueError(f"no files found for {context}")
        return maybe(table, astropy)

    def get_raw_obs_latest(self, master: Optional[str] = None, interface: Optional[Union[str, int]] = None,
                           *, astropy: bool = False) -> Answer:
        """The files of the newest raw observation (by start time) — of ``master`` when given; with
        ``interface``, the newest one that has a file of it, and only those files. Same columns as
        :meth:`get_raw_obs_info_table`; empty (with the columns) when nothing matches."""
        return self.get_raw_obs_info_table("latest", master=master, interface=interface, astropy=astropy)

    def _specs(self, obs_spec: Any, master: Optional[str], obsnum: Optional[int], subobsnum: Optional[int],
               scannum: Optional[int], interface: Optional[Union[str, int]]) -> List[str]:
        if obs_spec is None:
            given = [obsnum, subobsnum, scannum]
            items: List[Any] = ["latest" if all(v is None for v in given) else "[]"]
        elif isinstance(obs_spec, (str, int, np.integer)):
            items = [obs_spec]
        else:
            items = list(obs_spec)
        out = []
        for item in items:
            if isinstance(item, (bool, float)) or not isinstance(item, (str, int, np.integer)):
                raise TypeError(f"an obs_spec is a str or an int, not {type(item).__name__}")
            text = _v2_spec(str(item))
            out.append(_core.override_spec(text, master=master, obsnum=_int(obsnum), subobsnum=_int(subobsnum),
                                           scannum=_int(scannum),
                                           interface=None if interface is None else str(interface)))
        return out

    def _table(self, specs: List[str]) -> pd.DataFrame:
        label = self.location_label
        any_location = label in _ANY_LOCATION
        files = self.registry.files(*specs, all_locations=not any_location)
        keep = files.is_raw & (files.availability != "missing")
        if not any_location:
            keep &= files.location.str.lower() == str(label).lower()
        files = files[keep].reset_index(drop=True)
        if files.empty:
            return _empty()
        parts = [uid.split("-") for uid in files.obs_uid]
        suffixes, exts = _core.name_parts([os.fsencode(p) for p in files.path])
        uid_raw = files.obs_uid.to_numpy(dtype=object)
        out = pd.DataFrame({
            "source": files.path, "interface": files.interface, "roach": files.roach,
            "master": pd.Series([p[0] for p in parts], dtype=object),
            "obsnum": pd.Series([int(p[1]) for p in parts], dtype="int64"),
            "subobsnum": pd.Series([int(p[2]) for p in parts], dtype="int64"),
            "scannum": pd.Series([int(p[3]) for p in parts], dtype="int64"),
            "file_timestamp": files.file_time,
            "file_suffix": pd.Series(suffixes, dtype=object), "file_ext": pd.Series(exts, dtype=object),
            "uid_obs": pd.Series([f"{p[0]}-{p[1]}" for p in parts], dtype=object),
            "uid_raw_obs": pd.Series(uid_raw, dtype=object),
            "uid_raw_obs_file": pd.Series([f"{u}-{i}" for u, i in zip(uid_raw, files.interface)], dtype=object),
        })
        return out[list(COLUMNS)]


def _int(value: Optional[int]) -> Optional[int]:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"expected an int, not {type(value).__name__}")
    return int(value)
