"""astropy=True / tolteca_db.to_astropy: astropy Tables with units where the domain has them."""
import numpy as np
from astropy import units as u  # Debian's python3-astropy (scripts/setup.sh installs it)
from astropy.table import Table
from astropy.time import Time

import tolteca_db


def test_obs_table_has_times_and_a_dimensionless_tau(reg):
    df = reg.obs()
    t = reg.obs(astropy=True)
    assert isinstance(t, Table) and t.colnames == list(df.columns) and len(t) == len(df)
    assert isinstance(t["start_time"], Time) and t["start_time"].scale == "utc"
    assert t["start_time"][0].isot.startswith(df.start_time[0].strftime("%Y-%m-%dT%H:%M:%S"))
    assert t["tau"].unit == u.dimensionless_unscaled
    known = ~np.isnan(df.tau.to_numpy())
    assert known.any() and np.allclose(np.asarray(t["tau"])[known], df.tau.to_numpy()[known])
    assert t["obsnum"].dtype == np.int64 and list(t["kinds"][0]) == df.kinds[0]


def test_files_table_has_sizes_in_bytes_and_masked_unknowns(reg):
    df = reg.files("tcs-131289")
    t = reg.files("tcs-131289", astropy=True)
    assert t["size"].unit == u.byte and (t["size"].quantity >= 0 * u.byte).all()
    unknown = df.roach.isna()
    assert (df.interface[unknown] != "").all() and (df.interface == "tel_toltec").any()
    assert unknown[df.interface == "tel_toltec"].all() and list(t["roach"].mask) == unknown.tolist()
    assert list(t["roach"][~unknown.to_numpy()]) == df.roach[~unknown].tolist()
    assert t["problem"].mask.all()
    assert isinstance(t["file_time"], Time)


def test_stats_groups_and_provenance_tables(reg):
    s = reg.stats(astropy=True)
    assert len(s) == 1 and s["db_size"].unit == u.byte and isinstance(s["first_start"], Time)
    g = reg.groups(members=True, astropy=True)
    assert len(g) > 0 and isinstance(g["latest_member_time"], Time) and isinstance(g["members"][0], list)
    p = reg.provenance("ics-18343", astropy=True)
    assert all(isinstance(part, Table) for part in p) and p.cal_chain["depth"][0] == 1


def test_obsquery_tables_and_empty_ones(cli):
    with tolteca_db.ObsQuery(cli.db) as q:
        t = q.get_raw_obs_info_table("ics-18343", astropy=True)
        df = q.get_raw_obs_info_table("ics-18343")
        assert t.colnames == list(df.columns) and isinstance(t["file_timestamp"], Time)
        assert list(t["source"]) == df.source.tolist()
        empty = q.get_raw_obs_info_table(999999, astropy=True)
        assert len(empty) == 0 and empty.colnames == list(df.columns)


def test_unknown_times_are_masked(reg):
    df = reg.groups()
    t = tolteca_db.to_astropy(df)
    null = df.latest_member_time.isna().to_numpy()
    assert isinstance(t["latest_member_time"], Time)
    assert np.asarray(t["latest_member_time"].mask, dtype=bool).tolist() == null.tolist()
    frame = reg.obs().head(2).copy()
    frame.loc[0, "start_time"] = None
    masked = tolteca_db.to_astropy(frame)["start_time"]
    assert masked.mask.tolist() == [True, False]
