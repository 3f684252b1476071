#!/usr/bin/env python3
"""The layering check: which part of src/ may include which (docs/ARCHITECTURE.md, issue 14).

Reads every `#include "..."` (and `#include <duckdb.h>`) line of the sources under SRC and prints
each violation as `file:line: part X may not include Y`, then exits 1; exits 0 when there is none.

Rules
- The table ALLOWED below: a part may include itself and the parts listed for it.
- No `duckdb.h` outside the DuckDB backend (src/storage/duckdb; today also src/db).
- No SQL in string literals in src/cli (the CLI translates; only the backend speaks SQL).

--known FILE lists violations that are known and being removed (one `file: part X may not include Y`
per line, without the line number, `#` starts a comment): they are reported as known and do not fail
the check. Entries that no longer occur are listed as stale (a note, not a failure).

Usage: check-layering.py [--src DIR] [--known FILE] [--quiet]
"""
import argparse
import os
import re
import sys

# Part -> the parts it may include (besides itself). Keyed by folder under src/. `db` is today's name
# of the DuckDB backend (storage/duckdb and storage/sitedb after the move); both names are accepted so
# the check holds before, during and after that move.
BACKENDS = {"storage/duckdb", "storage/sitedb", "db"}
ALLOWED = {
    "model": set(),
    "files": {"model"},
    "storage": {"model"},
    "storage/duckdb": {"model", "files", "storage"},
    "storage/sitedb": {"model", "files", "storage"},
    "db": {"model", "files", "storage"},
    "ingest": {"model", "files", "storage"},
    "assoc": {"model", "files", "storage", "query"},  # files: the state file's safe write; query: the spec parser
    "query": {"model", "storage"},
    "sim": {"model", "files", "storage"},  # its backend only through storage/open.h (a storage header)
    # serve's transport (sockets, HTTP, hosting the registry): it runs commands it is handed, knows none
    "server": {"model", "files", "storage"},
    # `serve --watch`: file watching, observation completion, ingest and association as data arrives
    "watch": {"model", "files", "storage", "ingest", "assoc"},
    # the front ends' wording of the library's typed errors (the CLI's flags), shared by cli and python
    "wording": {"model", "storage", "ingest", "assoc", "query"},
    "cli": {"model", "files", "storage", "ingest", "assoc", "query", "sim", "server", "watch", "wording"},  # not the backends' internals
}
# The Python binding (tolteca_db._core, src/python/): a front end beside the CLI, so what cli may
# include and nothing more (not cli itself).
ALLOWED["python"] = set(ALLOWED["cli"])
# Single files allowed more than their part: the factory that maps a URL to a backend must name them.
FILE_EXTRA = {"storage/open.cpp": BACKENDS}
# Generated headers and where their source lives (src/model/version.h.in -> tolteca/version.h).
ALIASES = {"tolteca": "model"}
DUCKDB_ALLOWED = {"storage/duckdb", "db"}
SOURCE_EXT = (".h", ".hpp", ".cpp", ".cc", ".h.in")

INCLUDE_RE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')
STRING_RE = re.compile(r'(?:u8|u|U|L)?"((?:[^"\\\n]|\\.)*)"')
RAW_STRING_RE = re.compile(r'R"([^(\s]*)\((.*?)\)\1"', re.S)
SQL_RES = [re.compile(p, re.I) for p in (
    r"\bselect\b.+\bfrom\b",
    r"\binsert\s+(or\s+\w+\s+)?into\b",
    r"\bdelete\s+from\b",
    r"\bupdate\s+\w+\s+set\b",
    r"\bcreate\s+(or\s+replace\s+)?(temp\w*\s+)?(unique\s+)?(table|view|index|sequence|schema|macro)\b",
    r"\bdrop\s+(table|view|index|sequence|schema|macro)\b",
    r"\balter\s+table\b",
    r"\bpragma\s+\w+\s*[(=]",
    r"\battach\s+(database\s+)?'",
    r"\bcopy\s+\(?\s*\w+.*\b(to|from)\s+'",
    r"\bbegin\s+transaction\b",
)]


def part_of_path(rel):
    """The part a source file (path relative to src/) belongs to."""
    p = rel.replace(os.sep, "/")
    for backend in ("storage/duckdb/", "storage/sitedb/"):
        if p.startswith(backend):
            return backend[:-1]
    return p.split("/", 1)[0] if "/" in p else ""


def part_of_include(name):
    """The part an include names (`db/session.h` -> db), or None for a name without a folder."""
    if "/" not in name:
        return None
    for backend in ("storage/duckdb/", "storage/sitedb/"):
        if name.startswith(backend):
            return backend[:-1]
    head = name.split("/", 1)[0]
    return ALIASES.get(head, head)


def strip_comments(line, in_block):
    """The line without comments (string literals kept); whether a block comment continues."""
    out, i, n = [], 0, len(line)
    while i < n:
        if in_block:
            j = line.find("*/", i)
            if j < 0:
                return "".join(out), True
            i, in_block = j + 2, False
            continue
        c = line[i]
        if c == '"':
            m = STRING_RE.match(line, i)
            if m:
                out.append(m.group(0))
                i = m.end()
                continue
        if line.startswith("//", i):
            break
        if line.startswith("/*", i):
            in_block, i = True, i + 2
            continue
        out.append(c)
        i += 1
    return "".join(out), in_block


def sql_literals(text):
    """(line number, literal) of every string literal in a C++ source that looks like SQL.

    Adjacent literals ("SELECT a " "FROM t") are joined, as the compiler does."""
    found = []
    for m in RAW_STRING_RE.finditer(text):
        if any(r.search(m.group(2)) for r in SQL_RES):
            found.append((text.count("\n", 0, m.start()) + 1, m.group(2)))
    text = RAW_STRING_RE.sub(lambda m: '""' + "\n" * m.group(0).count("\n"), text)
    in_block = False
    pending, pending_line = None, 0
    lines = text.split("\n")
    code = []
    for line in lines:
        stripped, in_block = strip_comments(line, in_block)
        code.append(stripped)
    # Join the whole file, keeping line starts, so literals split over lines join up.
    joined = "\n".join(code)
    pos = 0
    for m in STRING_RE.finditer(joined):
        between = joined[pos:m.start()]
        line_no = joined.count("\n", 0, m.start()) + 1
        if pending is not None and between.strip() == "":
            pending += m.group(1)
        else:
            if pending is not None and any(r.search(pending) for r in SQL_RES):
                found.append((pending_line, pending))
            pending, pending_line = m.group(1), line_no
        pos = m.end()
    if pending is not None and any(r.search(pending) for r in SQL_RES):
        found.append((pending_line, pending))
    return found


def check(src):
    """Every violation under src as (relative file, line, message)."""
    violations = []
    for root, dirs, files in os.walk(src):
        dirs.sort()
        for f in sorted(files):
            if not f.endswith(SOURCE_EXT):
                continue
            path = os.path.join(root, f)
            rel = os.path.relpath(path, src).replace(os.sep, "/")
            part = part_of_path(rel)
            shown = "src/" + rel
            with open(path, encoding="utf-8", errors="replace") as fh:
                text = fh.read()
            in_block = False
            for no, line in enumerate(text.split("\n"), 1):
                code, in_block = strip_comments(line, in_block)
                m = INCLUDE_RE.match(code)
                if not m:
                    continue
                bracket, name = m.group(1), m.group(2)
                if os.path.basename(name) == "duckdb.h" and (bracket == "<" or "/" not in name):
                    if part not in DUCKDB_ALLOWED:
                        violations.append((shown, no, f"part {part or '(top)'} may not include duckdb.h"))
                    continue
                if bracket != '"':
                    continue
                target = part_of_include(name)
                if target is None or target == part:
                    continue
                allowed = ALLOWED.get(part)
                if allowed is not None:
                    allowed = allowed | FILE_EXTRA.get(rel, set())
                if allowed is None:
                    violations.append((shown, no, f"part {part or '(top)'} is not in the layering table "
                                                  f"(scripts/check-layering.py); may not include {name}"))
                elif target not in allowed:
                    violations.append((shown, no, f"part {part} may not include {name}"))
            if part == "cli" and f.endswith((".cpp", ".cc", ".h", ".hpp")):
                for no, lit in sql_literals(text):
                    short = lit if len(lit) <= 40 else lit[:37] + "..."
                    violations.append((shown, no, f"part cli may not hold SQL (string literal \"{short}\")"))
    return violations


def read_known(path):
    known = set()
    if not path:
        return known
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.split("#", 1)[0].strip()
            if line:
                known.add(line)
    return known


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--src", default=os.path.join(here, "..", "src"), help="the source tree (default: ../src)")
    ap.add_argument("--known", help="file of known violations that do not fail the check")
    ap.add_argument("--quiet", action="store_true", help="print new violations only")
    args = ap.parse_args(argv)
    if not os.path.isdir(args.src):
        print(f"check-layering: {args.src}: not a directory", file=sys.stderr)
        return 2
    known = read_known(args.known)
    new, seen_known = [], set()
    for file, line, msg in check(args.src):
        key = f"{file}: {msg}"
        if key in known:
            seen_known.add(key)
        else:
            new.append(f"{file}:{line}: {msg}")
    for v in new:
        print(v)
    if not args.quiet:
        if seen_known:
            print(f"check-layering: {len(seen_known)} known violation(s) allowed by {args.known}")
        for k in sorted(known - seen_known):
            print(f"check-layering: stale entry in {args.known} (no longer occurs): {k}")
    if new:
        print(f"check-layering: {len(new)} violation(s)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
