#!/usr/bin/env python3
"""The layering check fails on a deliberately added back arrow, and names it.

Copies src/ to a temporary directory; the copy as it is passes (with the known-violations list);
then each deliberate violation is added in turn (model including cli, duckdb.h in query, SQL in a
cli string literal, a part missing from the table), and the check must exit 1 printing
`file:line: ...` for exactly that line, while the known violations stay allowed.

Usage: check_layering_test.py SOURCE_DIR   (the repository root)
"""
import os
import shutil
import subprocess
import sys
import tempfile

CASES = [
    # (file to change, line appended, expected message)
    ("model/time.h", '#include "cli/common.h"', "part model may not include cli/common.h"),
    ("files/filename.cpp", '#include "ingest/classify.h"', "part files may not include ingest/classify.h"),
    ("query/spec.cpp", "#include <duckdb.h>", "part query may not include duckdb.h"),
    ("cli/output.cpp", 'static const char* kQ = "SELECT uid FROM products";',
     'part cli may not hold SQL (string literal "SELECT uid FROM products")'),
    ("cli/output.cpp", '#include "storage/duckdb/session.h"', "part cli may not include storage/duckdb/session.h"),
    ("newpart/thing.h", '#include "model/time.h"', "part newpart is not in the layering table"),
]


def run(script, src, known):
    return subprocess.run([sys.executable, script, "--src", src, "--known", known],
                          capture_output=True, text=True)


def main():
    root = sys.argv[1]
    script = os.path.join(root, "scripts", "check-layering.py")
    known = os.path.join(root, "scripts", "layering-known.txt")
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        base = os.path.join(tmp, "base")
        shutil.copytree(os.path.join(root, "src"), base)
        r = run(script, base, known)
        if r.returncode != 0:
            failures.append(f"the unchanged copy fails ({r.returncode}):\n{r.stdout}{r.stderr}")
        for i, (rel, line, message) in enumerate(CASES):
            src = os.path.join(tmp, f"case{i}")
            shutil.copytree(base, src)
            path = os.path.join(src, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            n = 1
            if os.path.exists(path):
                with open(path, encoding="utf-8") as fh:
                    n = fh.read().count("\n") + 1
            with open(path, "a", encoding="utf-8") as fh:
                fh.write(line + "\n")
            r = run(script, src, known)
            want = f"src/{rel}:{n}: {message}"
            lines = r.stdout.splitlines()
            new = [l for l in lines if not l.startswith("check-layering:")]
            if r.returncode != 1:
                failures.append(f"{rel} + {line!r}: exit {r.returncode}, want 1\n{r.stdout}{r.stderr}")
            elif not any(l.startswith(want) for l in new):
                failures.append(f"{rel} + {line!r}: want a line starting {want!r}, got:\n{r.stdout}")
            elif len(new) != 1:
                failures.append(f"{rel} + {line!r}: want only the added violation, got:\n{r.stdout}")
    for f in failures:
        print("FAIL:", f)
    print(f"{len(CASES) + 1 - len(failures)}/{len(CASES) + 1} checks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
