"""A DataFrame as the CLI's --json would print it, and the columns/dtypes the package documents."""
import math

import pandas as pd

TIME = "datetime64[ns, UTC]"
# The documented columns and dtypes (python/tolteca_db/_registry.py; the keys of docs/OUTPUT.md).
OBS = {"uid": "object", "master": "object", "obsnum": "int64", "subobsnum": "int64", "scannum": "int64",
       "start_time": TIME, "data_kind": "int64", "kinds": "object", "complete": "bool", "networks": "object",
       "interfaces": "object", "n_files": "int64", "n_missing": "int64", "obs_goal": "object",
       "source_name": "object", "project_id": "object", "obs_pgm": "object", "tau": "float64",
       "groups": "object", "cal": "object"}
FILES = {"obs_uid": "object", "interface": "object", "roach": "Int64", "data_kind": "int64", "kinds": "object",
         "is_raw": "bool", "availability": "object", "location": "object", "path": "object",
         "rel_path": "object", "size": "Int64", "file_time": TIME, "problem": "object"}
GROUPS = {"uid": "object", "name": "object", "type": "object", "n_items": "int64", "master": "object",
          "first_obsnum": "Int64", "last_obsnum": "Int64", "latest_member_time": TIME}
STATS = {"observations": "int64", "files": "int64", "missing_files": "int64", "reduced": "int64",
         "groups": "int64", "edges": "int64", "failed_ingests": "int64", "db_size": "Int64",
         "first_start": TIME, "last_start": TIME, "groups_per_type": "object", "edges_per_type": "object",
         "per_master": "object", "per_kind": "object", "per_night": "object", "networks": "object",
         "recent_failures": "object"}


def dtypes(df: pd.DataFrame) -> dict:
    return {c: str(t) for c, t in df.dtypes.items()}


def plain(v):
    """One cell as JSON has it: times as whole-second ISO text with Z, missing as None."""
    if isinstance(v, pd.Timestamp):
        return v.floor("s").strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [plain(x) for x in v]
    if v is None or v is pd.NaT or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return None
    if hasattr(v, "item"):  # numpy scalars
        return v.item()
    return v


def records(df: pd.DataFrame) -> list:
    """The rows as the CLI's JSON objects."""
    return [{c: plain(row[c]) for c in df.columns} for _, row in df.astype(object).iterrows()]
