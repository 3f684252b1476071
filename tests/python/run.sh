#!/usr/bin/env bash
# The ctest test `python`: the README's install into a fresh venv, then the pytest suite.
# Usage: tests/python/run.sh BUILD_DIR PYTHON TOLTECA_DB_BINARY
#   PYTHON: the interpreter the build's module is for (CMake's Python3_EXECUTABLE, Debian's python3).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="$1" python="$2" binary="$3"
venv="$build/python-test-venv"
rm -rf "$venv"
"$python" -m venv --system-site-packages "$venv"
"$here/scripts/python-install.sh" "$venv" "$build"
cd "$build"  # not the source tree: the package must come from the venv
TOLTECA_DB_BINARY="$binary" "$venv/bin/python" -m pytest -p no:cacheprovider -q --rootdir "$here/tests/python" \
  "$here/tests/python"
