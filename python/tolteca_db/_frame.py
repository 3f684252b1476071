"""The engine's column lists as pandas DataFrames (the tags: src/python/frame.h)."""
from typing import Any, Dict, List, Sequence, Tuple

import numpy as np
import pandas as pd

_NAT = np.datetime64("NaT", "ns")


def _times(micros: np.ndarray, null: np.ndarray) -> pd.Series:
    """Unix microseconds -> datetime64[ns, UTC], NaT where null."""
    ns = micros.astype("datetime64[us]").astype("datetime64[ns]")
    ns[null] = _NAT
    return pd.Series(pd.DatetimeIndex(ns).tz_localize("UTC"), dtype="datetime64[ns, UTC]")


def _timestamp(micros: Any) -> Any:
    return None if micros is None else pd.Timestamp(micros, unit="us", tz="UTC")


def _records(cells: List[List[Dict[str, Any]]], time_keys: Sequence[str]) -> pd.Series:
    if time_keys:
        for records in cells:
            for rec in records:
                for key in time_keys:
                    rec[key] = _timestamp(rec[key])
    return _objects(cells)


def _objects(values: List[Any]) -> pd.Series:
    """An object column holding each value as it is (a list stays one cell, not many)."""
    out = np.empty(len(values), dtype=object)
    for i, v in enumerate(values):
        out[i] = v
    return pd.Series(out, dtype=object)


def _column(tag: str, values: Any, extra: Any) -> pd.Series:
    if tag == "int":
        return pd.Series(values, dtype="int64")
    if tag == "Int64":
        return pd.Series(pd.arrays.IntegerArray(values, extra), dtype="Int64")
    if tag == "float":
        return pd.Series(values, dtype="float64")
    if tag == "bool":
        return pd.Series(values, dtype="bool")
    if tag == "time":
        return _times(values, extra)
    if tag == "str":
        return pd.Series(values, dtype=object)
    if tag in ("list", "object"):
        return _objects(values)
    if tag == "records":
        return _records(values, extra)
    raise TypeError(f"tolteca_db: unknown column tag {tag!r}")


def build(columns: List[Tuple[str, str, Any, Any]]) -> pd.DataFrame:
    """One DataFrame from the engine's (name, tag, values, extra) columns, in their order."""
    data = {name: _column(tag, values, extra) for name, tag, values, extra in columns}
    return pd.DataFrame(data, columns=[c[0] for c in columns])
