"""tolteca_db.ObsQuery, the original API (../shared/spec/seed-cli.md, "The original Python API"):
columns and dtypes, values against the CLI's `query files --json`, overrides, raise_on_*, latest."""
import re

import pandas as pd
import pytest

import tolteca_db
from compare import TIME, dtypes

# The spec's columns, in order, and the dtypes python/tolteca_db/_obsquery.py documents.
COLUMNS = {"source": "object", "interface": "object", "roach": "Int64", "master": "object", "obsnum": "int64",
           "subobsnum": "int64", "scannum": "int64", "file_timestamp": TIME, "file_suffix": "object",
           "file_ext": "object", "uid_obs": "object", "uid_raw_obs": "object", "uid_raw_obs_file": "object"}
# domain.md "File names": the suffix follows the UT timestamp of a network / hwpr / toltec_hk name.
SUFFIX = re.compile(r"_\d{4}_\d\d_\d\d_\d\d_\d\d_\d\d_([a-z]+)\.nc$")


@pytest.fixture(scope="module")
def oq(cli):
    with tolteca_db.ObsQuery(cli.db) as q:
        yield q


def expected_rows(cli, *specs):
    """The rows get_raw_obs_info_table must give, built from `query files SPECS --json` (present raw
    files) and `query obs --json` (the quartet of each observation)."""
    obs = {o["uid"]: o for o in cli.json("query", "obs", "--limit", "0")}
    rows = []
    for f in cli.json("query", "files", *specs):
        if not f["is_raw"] or f["availability"] == "missing":
            continue
        o = obs[f["obs_uid"]]
        m = SUFFIX.search(f["path"])
        rows.append({"source": f["path"], "interface": f["interface"], "roach": f["roach"], "master": o["master"],
                     "obsnum": o["obsnum"], "subobsnum": o["subobsnum"], "scannum": o["scannum"],
                     "file_timestamp": f["file_time"], "file_suffix": m.group(1) if m else None, "file_ext": ".nc",
                     "uid_obs": f"{o['master']}-{o['obsnum']}", "uid_raw_obs": o["uid"],
                     "uid_raw_obs_file": f"{o['uid']}-{f['interface']}"})
    return rows


def rows(df):
    out = []
    for r in df.astype(object).to_dict("records"):
        r["file_timestamp"] = r["file_timestamp"].strftime("%Y-%m-%dT%H:%M:%SZ")
        r["roach"] = None if r["roach"] is pd.NA else int(r["roach"])
        out.append(r)
    return out


@pytest.mark.parametrize("spec", ["ics-18343", "tcs-131289", "ics-[18340:18346]", "[]/hwpr"])
def test_columns_dtypes_and_values_follow_the_spec(oq, cli, spec):
    df = oq.get_raw_obs_info_table(spec)
    assert list(df.columns) == list(COLUMNS) and dtypes(df) == COLUMNS
    expected = expected_rows(cli, spec)
    if spec != "[]/hwpr":
        assert len(expected) > 5
    assert rows(df) == expected


def test_suffixes_and_telescope_files(oq):
    df = oq.get_raw_obs_info_table("tcs-131289")
    tel = df[df.interface == "tel_toltec"]
    assert len(tel) >= 1 and tel.roach.isna().all() and tel.file_suffix.isna().all()
    assert set(oq.get_raw_obs_info_table("ics-[18340:18343]").file_suffix) >= {"vnasweep", "targsweep", "tune"}


@pytest.mark.parametrize("call, spec", [
    (dict(obs_spec="tcs-131289", scannum=2), "tcs-131289-0-2"),
    (dict(obs_spec="ics-18343", obsnum=18342), "ics-18342"),
    (dict(obs_spec="18343", master="ics"), "ics-18343"),
    (dict(obs_spec="tcs-131289-0-2/5", interface="tel_toltec"), "tcs-131289-0-2/tel_toltec"),
    (dict(obs_spec="tcs-131289-0-2", interface=7), "tcs-131289-0-2/7"),
    (dict(obs_spec="tcs-131289-0-2", roach=7), "tcs-131289-0-2/toltec7"),
    (dict(obs_spec="131289-0-2-7"), "131289-0-2/7"),
    (dict(obs_spec=18343), "18343"),
    (dict(obs_spec=["ics-18343", "ics-18344"]), "ics-{18343,18344}"),
    (dict(obsnum=18343, subobsnum=0), "18343-0"),
    (dict(master="tcs", obsnum=131289, interface="toltec3"), "tcs-131289/3"),
    (dict(obs_spec="latest", master="ics"), "ics-latest"),
    (dict(), "latest"),
])
def test_explicit_arguments_override_the_spec(oq, cli, call, spec):
    expected = expected_rows(cli, spec)
    assert len(expected) > 0
    assert rows(oq.get_raw_obs_info_table(**call)) == expected


def test_override_errors(oq):
    with pytest.raises(tolteca_db.SpecError) as e:
        oq.get_raw_obs_info_table("ics-18x343")
    assert e.value.position == 6 and isinstance(e.value, ValueError)
    with pytest.raises(tolteca_db.Error, match="master 'xyz': expected tcs, ics or clip"):
        oq.get_raw_obs_info_table("18343", master="xyz")
    with pytest.raises(tolteca_db.Error, match="interface 'toltec99'"):
        oq.get_raw_obs_info_table("18343", interface="toltec99")
    with pytest.raises(tolteca_db.Error, match="'latest' names a whole raw observation"):
        oq.get_raw_obs_info_table("latest", scannum=1)
    with pytest.raises(ValueError, match="name different interfaces"):
        oq.get_raw_obs_info_table("18343", interface="toltec2", roach=3)
    with pytest.raises(TypeError):
        oq.get_raw_obs_info_table(18343.0)


def test_raise_on_multiple_and_on_empty(oq):
    assert len(oq.get_raw_obs_info_table("ics-18343", raise_on_empty=True)) > 1
    with pytest.raises(ValueError, match=r"ambiguous: \d+ files found for obs_spec='ics-18343'"):
        oq.get_raw_obs_info_table("ics-18343", raise_on_multiple=True)
    one = oq.get_raw_obs_info_table("ics-18343-0-0", interface="toltec3", raise_on_multiple=True, raise_on_empty=True)
    assert len(one) == 1 and one.uid_raw_obs_file[0] == "ics-18343-0-0-toltec3"
    with pytest.raises(ValueError, match="no files found for obs_spec=999999"):
        oq.get_raw_obs_info_table(999999, raise_on_empty=True)
    assert len(oq.get_raw_obs_info_table(999999, raise_on_multiple=True)) == 0


def test_empty_results_keep_the_columns(oq, cli):
    for df in (oq.get_raw_obs_info_table(999999), oq.get_raw_obs_info_table("ics-18343", master="clip"),
               oq.get_raw_obs_latest(master="clip"),
               tolteca_db.ObsQuery(cli.db, location_label="elsewhere").get_raw_obs_info_table("ics-18343")):
        assert len(df) == 0 and list(df.columns) == list(COLUMNS) and dtypes(df) == COLUMNS


def test_latest(oq, cli):
    latest = oq.get_raw_obs_latest()
    assert len(latest) > 0 and latest.uid_raw_obs.nunique() == 1
    assert rows(latest) == expected_rows(cli, "latest")
    newest = max(cli.json("query", "obs", "--limit", "0"), key=lambda o: o["start_time"])
    assert latest.uid_raw_obs[0] == newest["uid"]
    assert rows(oq.get_raw_obs_latest(master="ics")) == expected_rows(cli, "ics-latest")
    tel = oq.get_raw_obs_latest(interface="tel_toltec")
    assert len(tel) == 1 and tel.interface[0] == "tel_toltec"
    assert rows(tel) == expected_rows(cli, "latest/tel_toltec")


def test_missing_files_and_locations(oq, reg, cli):
    gone = reg.files(missing=True)
    uid, interface = gone.obs_uid[0], gone.interface[0]
    listed = oq.get_raw_obs_info_table(uid)
    assert interface not in set(listed.interface) and len(listed) == len(reg.files(uid)) - 1
    by_label = tolteca_db.ObsQuery(cli.db, location_label=reg.files(uid).location[0].upper())
    assert rows(by_label.get_raw_obs_info_table(uid)) == rows(listed)
    with pytest.raises(ValueError, match="location_type 's3'"):
        tolteca_db.ObsQuery(cli.db, location_type="s3")
