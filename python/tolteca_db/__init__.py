"""tolteca_db: the TolTEC data registry from Python.

The C++ engine (the one the ``tolteca_db`` command runs) does the work; this package translates its
answers into pandas DataFrames::

    import tolteca_db
    reg = tolteca_db.Registry("duckdb:///tolteca.duckdb")
    obs = reg.obs("ics-18343", kind="VnaSweep")     # one row per raw observation
    files = reg.files("tcs-131289", interface="toltec7")
    groups = reg.groups(type="cal_group")
    stats = reg.stats()
    prov = reg.provenance("ics-18343")             # obs, groups, cal_chain, reduced, cal_of
    table = reg.obs(astropy=True)                   # an astropy Table, with units

The original API (tolteca_v2-compatible) is here too: ``from tolteca_db import ObsQuery``.

Column names are the keys of the CLI's ``query obs|files|groups|stats --json`` (docs/OUTPUT.md).
Errors the user can fix raise :class:`Error` (a bad observation spec raises its subclass
:class:`SpecError`, also a ``ValueError``) with the CLI's message.
"""
from ._core import Error, SpecError, __version__
from ._registry import Registry
from ._astropy import to_astropy
from ._obsquery import ObsQuery
from ._provenance import Provenance

__all__ = ["Error", "ObsQuery", "Provenance", "Registry", "SpecError", "__version__", "to_astropy"]
