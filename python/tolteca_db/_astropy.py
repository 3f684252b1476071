"""DataFrames of tolteca_db as ``astropy.table.Table``, with units where the domain has them.

The choices (the same for every query, and for :class:`tolteca_db.ObsQuery`):

* times (``datetime64[ns, UTC]`` columns: ``start_time``, ``file_time``, ``file_timestamp``,
  ``latest_member_time``, ``first_start``, ``last_start``) become ``astropy.time.Time`` columns,
  scale ``utc``; an unknown time (``NaT``) is a masked element;
* ``tau`` (the 225 GHz opacity) is ``float64`` with unit ``dimensionless_unscaled``; unknown ones
  stay ``NaN``;
* sizes (``size``, ``db_size``) are in ``u.byte``; unknown ones are masked;
* other nullable integers (``Int64``: ``roach``, ``first_obsnum``, …) become masked ``int64``
  columns; text columns with unknown values (``None``) masked ``str`` columns;
* lists and dicts (``kinds``, ``groups``, ``members``, …) stay Python objects in an ``object``
  column, one per row.

No query answers an integration time today; when one does it will carry ``u.s``. astropy is
imported only when a table is asked for (the package works without it).
"""
from typing import TYPE_CHECKING, Any, Dict, Union

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    import astropy.table

#: What a query returns: a DataFrame, or with ``astropy=True`` an astropy Table.
Answer = Union[pd.DataFrame, "astropy.table.Table"]

#: Column name -> the astropy unit's name (``astropy.units``).
UNITS: Dict[str, str] = {"tau": "dimensionless_unscaled", "size": "byte", "db_size": "byte",
                         "integration_time": "s"}


def _time_column(series: pd.Series) -> Any:
    from astropy.time import Time

    null = series.isna().to_numpy()
    naive = series.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy(dtype="datetime64[ns]")
    if null.any():
        naive = naive.copy()
        naive[null] = np.datetime64("1970-01-01T00:00:00", "ns")
    t = Time(naive, format="datetime64", scale="utc")
    t.format = "isot"
    if null.any():
        t[null] = np.ma.masked
    return t


def _is_text(values: np.ndarray) -> bool:
    return all(v is None or isinstance(v, str) for v in values)


def _column(name: str, series: pd.Series) -> Any:
    from astropy import units as u
    from astropy.table import Column, MaskedColumn

    unit = getattr(u, UNITS[name]) if name in UNITS else None
    dtype = series.dtype
    if isinstance(dtype, pd.DatetimeTZDtype):
        return _time_column(series)
    if isinstance(dtype, pd.Int64Dtype):
        null = series.isna().to_numpy()
        return MaskedColumn(series.fillna(0).to_numpy(dtype="int64"), mask=null, name=name, unit=unit)
    if dtype == object:
        values = series.to_numpy(dtype=object)
        if len(values) and _is_text(values):
            null = np.array([v is None for v in values], dtype=bool)
            text = np.array(["" if v is None else v for v in values], dtype=str)
            return MaskedColumn(text, mask=null, name=name) if null.any() else Column(text, name=name)
        cells = np.empty(len(values), dtype=object)
        cells[:] = list(values)
        return Column(cells, name=name, dtype=object)
    return Column(series.to_numpy(), name=name, unit=unit)


def to_astropy(frame: pd.DataFrame) -> "astropy.table.Table":
    """``frame`` (an answer of tolteca_db) as an ``astropy.table.Table``: same columns and order,
    one row per row; times as ``astropy.time.Time`` (UTC), ``tau`` dimensionless, sizes in bytes,
    unknown values masked (the module's docstring gives every rule)."""
    from astropy.table import Table

    return Table([_column(str(name), frame[name]) for name in frame.columns], names=[str(c) for c in frame.columns])


def maybe(frame: pd.DataFrame, astropy: bool) -> Answer:
    """``to_astropy(frame)`` when ``astropy`` is true, else ``frame`` itself."""
    return to_astropy(frame) if astropy else frame
