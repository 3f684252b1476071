"""Registry.provenance: ``tolteca_db query provenance`` as DataFrames."""
from typing import Any, List, NamedTuple

from ._astropy import maybe
from ._frame import build


class Provenance(NamedTuple):
    """The graph around the observations a provenance query selects: five tables, each a
    ``pandas.DataFrame`` (or, with ``astropy=True``, an ``astropy.table.Table``), whose ``obs``
    column is the uid of the observation the row belongs to (``obs.uid``).

    * ``obs``: one row per observation, the columns of :meth:`Registry.obs`;
    * ``groups``: obs, uid, name, type (text) — the association groups it is a member of;
    * ``cal_chain``: obs, depth (int64; 1 = the observation's own cal), from (the observation whose
      files point at the cal), uid (the cal observation), data_kind (int64), kinds (list), networks
      (compressed text, "" when the edge names none) — breadth first, cycles cut;
    * ``reduced``: obs, uid — its reduced products;
    * ``cal_of``: obs, uid — the raw observations that use it as their cal.

    The rows are those of ``query provenance --json`` (``obs``, ``groups``, ``cal_chain``,
    ``reduced``, ``cal_of`` of each element), in its order. Unpack it
    (``obs, groups, chain, reduced, cal_of = reg.provenance("ics-18343")``) or use the names.
    """

    obs: Any
    groups: Any
    cal_chain: Any
    reduced: Any
    cal_of: Any


def query(core: Any, specs: List[str], limit: int, astropy: bool) -> Provenance:
    if not specs:
        raise TypeError("provenance() needs at least one observation spec ('ics-18343', 'latest', ...)")
    tables = core.provenance(specs, limit=limit)
    return Provenance(*(maybe(build(tables[name]), astropy) for name in Provenance._fields))
