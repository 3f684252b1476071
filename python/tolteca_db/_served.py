"""A registry reached through a ``tolteca_db serve`` process (docs/SERVER.md).

``Registry("http://host:port")`` reads a remote server over its HTTP JSON API (reads only: the
writers raise :class:`tolteca_db.Error`); ``Registry(path)`` of a database a local server holds
(its ``DATABASE.server.json``) runs every call on that server, as the CLI's commands then run there
(_forwarded.py: reads and writes). The server answers with the JSON of ``query
obs|files|groups|stats --json``; this module makes of it the same column lists as the engine's
(src/python/frame.h), so the DataFrames have the same columns and dtypes as a registry opened
directly (provenance() too). Times in the JSON are whole seconds, so the served times are too.
"""
import datetime as _dt
import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np
import pandas as pd

from . import _core

Columns = List[Tuple[str, str, Any, Any]]


def _micros(text: Optional[str]) -> Optional[int]:
    """ISO text from the JSON ("2024-11-13T21:33:27Z") -> Unix microseconds, None for None."""
    if text is None:
        return None
    t = pd.Timestamp(text)
    t = t.tz_localize("UTC") if t.tzinfo is None else t.tz_convert("UTC")
    return t.value // 1000


def _columns(schema: Columns, rows: List[Dict[str, Any]]) -> Columns:
    """The JSON rows as the engine's column list, by the tags of an empty answer's columns."""
    out: Columns = []
    for name, tag, _, extra in schema:
        cells = [row.get(name) for row in rows]
        if tag == "int":
            out.append((name, tag, np.array(cells, dtype="int64"), None))
        elif tag in ("Int64", "time"):
            if tag == "time":
                cells = [_micros(c) for c in cells]
            mask = np.array([c is None for c in cells], dtype=bool)
            values = np.array([0 if c is None else c for c in cells], dtype="int64")
            out.append((name, tag, values, mask))
        elif tag == "float":
            out.append((name, tag, np.array([np.nan if c is None else c for c in cells], dtype="float64"), None))
        elif tag == "bool":
            out.append((name, tag, np.array(cells, dtype=bool), None))
        elif tag == "records":
            for records in cells:
                for rec in records or []:
                    for key in extra:
                        rec[key] = _micros(rec.get(key))
            out.append((name, tag, [c or [] for c in cells], extra))
        else:  # str, list, object: as they are
            out.append((name, tag, cells, extra))
    return out


def _time_param(value: Any) -> Optional[str]:
    """A time argument (text, or Unix microseconds from the package) as the CLI's text."""
    if value is None or isinstance(value, str):
        return value or None
    t = _dt.datetime.fromtimestamp(value / 1e6, tz=_dt.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


class _Served:
    """Stands in for _core.Registry: the queries asked of a server, as query parameters (the
    command's options without ``--``; ``spec`` repeated), answered with the --json rows."""

    def __init__(self, url: str) -> None:
        self._url = url
        self._closed = False

    url = property(lambda self: self._url)
    closed = property(lambda self: self._closed)

    def close(self) -> None:
        self._closed = True

    def _check_open(self) -> None:
        if self._closed:
            raise _core.Error(f"registry {self._url} is closed")

    def _rows(self, what: str, params: List[Tuple[str, str]]) -> Any:
        raise NotImplementedError

    def _answer(self, what: str, params: List[Tuple[str, str]], members: bool = False) -> Columns:
        self._check_open()
        rows = self._rows(what, params)
        if isinstance(rows, dict):  # stats: one object
            rows = [rows]
        return _columns(_core._schema(what, members), rows)

    @staticmethod
    def _params(specs: Sequence[str], **options: Any) -> List[Tuple[str, str]]:
        out = [("spec", s) for s in specs]
        for key, value in options.items():
            if value is None or value is False or value == [] or value == "":
                continue
            out.append((key.replace("_", "-"), "true" if value is True else str(value)))
        return out

    def obs(self, specs, *, master=None, kinds=(), goal=None, source=None, project=None, since=None,
            until=None, arrived_since=None, limit=None, sort="start", newest=False) -> Columns:
        params = self._params(specs, master=master, kind=",".join(kinds), goal=goal, source=source,
                              project=project, since=_time_param(since), until=_time_param(until),
                              arrived_since=_time_param(arrived_since), limit=limit or None, sort=sort,
                              newest=newest)
        return self._answer("obs", params)

    def files(self, specs, *, interface=None, missing=False, all_locations=False, newest=False) -> Columns:
        params = self._params(specs, interface=interface, missing=missing, all_locations=all_locations,
                              newest=newest)
        return self._answer("files", params)

    def groups(self, specs, *, types=(), since=None, limit=None, newest=False, members=False) -> Columns:
        params = self._params(specs, type=",".join(types), since=_time_param(since), limit=limit or None,
                              newest=newest, members=members)
        return self._answer("groups", params, members)

    def stats(self) -> Columns:
        return self._answer("stats", [])

    def provenance(self, specs: Sequence[str], *, limit: int = 100) -> Dict[str, Columns]:
        """The dict of _core.Registry.provenance, from ``query provenance --json``: each element's
        obs, and its groups, cal chain, reduced products and cal_of rows tagged with its uid."""
        self._check_open()
        elements = self._rows("provenance", self._params(specs, limit=limit))
        schema = _core._provenance_schema()

        def rows_of(key: str, make: Any) -> List[Dict[str, Any]]:
            return [make(e["obs"]["uid"], item) for e in elements for item in e[key]]

        tagged = lambda uid, row: dict(row, obs=uid)  # noqa: E731
        pair = lambda uid, other: {"obs": uid, "uid": other}  # noqa: E731
        return {
            # provenance's JSON has no `complete`: as the engine's provenance (src/python/frame.cpp), true
            "obs": _columns(schema["obs"], [dict({"complete": True}, **e["obs"]) for e in elements]),
            "groups": _columns(schema["groups"], rows_of("groups", tagged)),
            "cal_chain": _columns(schema["cal_chain"], rows_of("cal_chain", tagged)),
            "reduced": _columns(schema["reduced"], rows_of("reduced", pair)),
            "cal_of": _columns(schema["cal_of"], rows_of("cal_of", pair)),
        }


class HttpCore(_Served):
    """A server's HTTP JSON API (/api/v1/obs|files|groups|stats): reads only."""

    def __init__(self, base: str, url: str, timeout: float = 300.0) -> None:
        super().__init__(url)
        self._base = base.rstrip("/")
        self._timeout = timeout
        self._get("health", [])  # fails now, with the reason, when nothing answers there

    read_only = property(lambda self: True)

    def _rows(self, what: str, params: List[Tuple[str, str]]) -> Any:
        return self._get(what, params)

    def _get(self, endpoint: str, params: Sequence[Tuple[str, str]]) -> Any:
        query = urllib.parse.urlencode(list(params))
        address = f"{self._base}/api/v1/{endpoint}" + (f"?{query}" if query else "")
        try:
            with urllib.request.urlopen(address, timeout=self._timeout) as answer:
                return json.load(answer)
        except urllib.error.HTTPError as e:
            try:
                message = json.load(e).get("error") or str(e)
            except ValueError:
                message = str(e)
            raise _core.Error(message) from None
        except (urllib.error.URLError, OSError) as e:
            reason = getattr(e, "reason", e)
            raise _core.Error(f"cannot reach the server at {self._base}: {reason}") from None


    def __getattr__(self, name: str) -> Any:
        if name.startswith(("ingest_", "generate_", "named_group_")):
            def refuse(*args: Any, **kwargs: Any) -> Any:
                raise _core.Error(f"registry {self._url} is read through a server's HTTP API: it cannot write "
                                  f"there; run the writes where the server's database is (they go to the server)")
            return refuse
        raise AttributeError(name)


def served_core(url: str, read_only: bool = True) -> Optional[_Served]:
    """An HttpCore for an http(s):// URL, a ForwardCore (_forwarded.py) for a database a live local
    server holds; else None (the engine opens the registry itself)."""
    if url.startswith(("http://", "https://")):
        return HttpCore(url, url)
    server = _core._find_server(url)
    if server is None:
        return None
    from ._forwarded import ForwardCore

    return ForwardCore(url, read_only)
