"""Registry.obs/files/groups/stats: documented columns and dtypes, the same values as the CLI's --json."""
import datetime as dt

import pandas as pd
import pytest

from compare import FILES, GROUPS, OBS, STATS, dtypes, records


def test_obs_all_has_the_columns_and_the_cli_values(reg, cli):
    df = reg.obs()
    assert dtypes(df) == OBS
    expected = cli.json("query", "obs")
    assert len(df) == len(expected) > 40
    assert records(df) == expected
    assert isinstance(df.kinds[0], list) and isinstance(df.interfaces[0], list)


@pytest.mark.parametrize("args, kwargs", [
    (["ics-18343"], {}),
    (["tcs-131289-0-{2,3}", "ics-[18340:18345]"], {}),
    (["latest/7"], {}),
    ([], {"master": "tcs"}),
    ([], {"kind": "VnaSweep,Tune"}),
    ([], {"kind": ["Tune", "LmtTel"], "master": "ics"}),
    ([], {"since": "2024-11-13T22:00:00Z", "until": "2024-11-13T23:00:00Z"}),
    ([], {"limit": 5}),
    ([], {"limit": 5, "newest": True}),
    ([], {"sort": "obsnum", "limit": 7}),
    ([], {"goal": "FOCUS"}),
])
def test_obs_filters_answer_as_the_cli(reg, cli, args, kwargs):
    flags = []
    for k, v in kwargs.items():
        if isinstance(v, bool):
            flags.append(f"--{k}")
        elif isinstance(v, list):
            flags += [f"--{k}", ",".join(v)]
        else:
            flags += [f"--{k}", str(v)]
    df = reg.obs(*args, **kwargs)
    assert dtypes(df) == OBS
    expected = cli.json("query", "obs", *args, *flags)
    assert 0 < len(expected) < len(reg.obs())
    assert records(df) == expected


def test_obs_takes_datetimes_as_utc(reg):
    by_text = reg.obs(since="2024-11-13T22:00:00Z")
    naive = reg.obs(since=dt.datetime(2024, 11, 13, 22, 0, 0))
    aware = reg.obs(since=pd.Timestamp("2024-11-13T23:00:00", tz="Europe/Paris"))
    assert 0 < len(by_text) < len(reg.obs())
    assert by_text.uid.tolist() == naive.uid.tolist() == aware.uid.tolist()
    assert (by_text.start_time >= pd.Timestamp("2024-11-13T22:00:00Z")).all()


@pytest.mark.parametrize("args, kwargs", [
    (["[]"], {}),
    (["ics-18343"], {}),
    (["tcs-131289"], {"interface": "tel_toltec"}),
    (["[]"], {"interface": 7}),
    ([], {"missing": True}),
    (["ics-18340"], {"newest": True, "all_locations": True}),
])
def test_files_answer_as_the_cli(reg, cli, args, kwargs):
    flags = []
    for k, v in kwargs.items():
        flags += [f"--{k.replace('_', '-')}"] if v is True else [f"--{k}", str(v)]
    df = reg.files(*args, **kwargs)
    assert dtypes(df) == FILES
    expected = cli.json("query", "files", *args, *flags)
    assert len(expected) > 0
    assert records(df) == expected


def test_the_missing_file_is_listed(reg):
    df = reg.files(missing=True)
    assert len(df) == 1 and df.availability[0] == "missing" and df.interface[0] == "toltec7"
    assert df.roach[0] == 7


@pytest.mark.parametrize("args, kwargs, flags", [
    ([], {}, []),
    ([], {"type": "cal_group"}, ["--type", "cal_group"]),
    ([], {"type": ["focus_group", "astig_group"]}, ["--type", "focus_group,astig_group"]),
    (["ics-18341"], {}, []),
    ([], {"limit": 2, "newest": True}, ["--limit", "2", "--newest"]),
])
def test_groups_answer_as_the_cli(reg, cli, args, kwargs, flags):
    df = reg.groups(*args, **kwargs)
    assert dtypes(df) == GROUPS
    expected = cli.json("query", "groups", *args, *flags)
    assert len(expected) > 0
    assert records(df) == expected


def test_groups_members_answer_as_the_cli(reg, cli):
    df = reg.groups(type="cal_group", members=True)
    assert dtypes(df) == {**GROUPS, "members": "object"}
    first = df.members[0][0]
    assert isinstance(first["start_time"], pd.Timestamp) and str(first["start_time"].tz) == "UTC"
    assert records(df) == cli.json("query", "groups", "--type", "cal_group", "--members")


def test_stats_is_one_row_of_the_cli_values(reg, cli):
    df = reg.stats()
    assert dtypes(df) == STATS
    assert len(df) == 1
    assert records(df) == [cli.json("query", "stats")]
    assert df.missing_files[0] == 1
