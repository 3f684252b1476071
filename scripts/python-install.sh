#!/usr/bin/env bash
# Installs the Python package tolteca_db (python/tolteca_db/ and its extension module
# tolteca_db._core, built with CMake) into a virtual environment. Nothing is downloaded.
#
# Usage: scripts/python-install.sh VENV [BUILD_DIR]
#   VENV       an existing venv, made with Debian's python3 so that it sees python3-pandas:
#                python3 -m venv --system-site-packages VENV
#              (/usr/bin/python3 if another python3, e.g. pyenv's, comes first on PATH)
#   BUILD_DIR  the CMake build directory (default: build/, as scripts/build.sh). When it is not
#              configured for the venv's interpreter it is (re)configured for it (scripts/setup.sh
#              first installs what the build needs); then only the module and the library it links
#              are built.
#
# Installs VENV's site-packages/tolteca_db/ (the .py files, _core.pyi, py.typed and the module) and a
# tolteca_db-VERSION.dist-info (so `pip list` shows it and `pip uninstall tolteca_db` removes it).
# The module finds libduckdb.so where the build found it (as the tolteca_db binary does).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[ $# -ge 1 ] || { sed -n '5,12p' "${BASH_SOURCE[0]}" >&2; exit 2; }
venv="$1"
build="${2:-$here/build}"
[ -x "$venv/bin/python" ] || { echo "python-install: $venv/bin/python not found; create the venv first: python3 -m venv --system-site-packages $venv" >&2; exit 2; }
venv="$(cd "$venv" && pwd)"
py="$venv/bin/python"
if ! "$py" -c "import numpy, pandas" 2>/dev/null; then
  echo "python-install: $py does not see pandas; create the venv from Debian's python3 (apt-get install python3-pandas)" \
       "with --system-site-packages" >&2
  exit 2
fi
# The interpreter the venv was made from: the module is built for it (same ABI as the venv's).
base="$("$py" -c 'import sys; print(getattr(sys, "_base_executable", "") or sys.executable)')"
suffix="$("$py" -c 'import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))')"

cached() { sed -n "s/^$1:[A-Z]*=//p" "$build/CMakeCache.txt" 2>/dev/null; }
if [ "$(cached TOLTECA_BUILD_PYTHON)" != "ON" ] || [ "$(readlink -f "$(cached Python3_EXECUTABLE)")" != "$(readlink -f "$base")" ]; then
  "$here/scripts/setup.sh"
  launcher=()
  if command -v ccache >/dev/null 2>&1; then launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
  cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE="${CMAKE_BUILD_TYPE:-Release}" "${launcher[@]}" \
    -DTOLTECA_BUILD_PYTHON=ON -DPython3_EXECUTABLE:FILEPATH="$base" >/dev/null
fi
cmake --build "$build" -j"$(nproc)" --target tolteca_python
module="$build/python/tolteca_db/_core$suffix"
[ -f "$module" ] || { echo "python-install: the build made no $module (another Python's module?)" >&2; exit 1; }

site="$("$py" -c 'import sysconfig; print(sysconfig.get_paths()["platlib"])')"
version="$(cached CMAKE_PROJECT_VERSION)"
dest="$site/tolteca_db"
info="$site/tolteca_db-$version.dist-info"
rm -rf "$dest" "$site"/tolteca_db-*.dist-info
mkdir -p "$dest" "$info"
cp "$here"/python/tolteca_db/*.py "$here"/python/tolteca_db/*.pyi "$here/python/tolteca_db/py.typed" "$dest/"
cp "$module" "$dest/"
printf 'Metadata-Version: 2.1\nName: tolteca_db\nVersion: %s\nSummary: The TolTEC data registry (C++ engine) from Python\n' \
  "$version" >"$info/METADATA"
echo "tolteca_db scripts/python-install.sh" >"$info/INSTALLER"
(cd "$site" && { find tolteca_db "${info##*/}" -type f -printf '%p,,\n'; echo "${info##*/}/RECORD,,"; } >"$info/RECORD")
(cd / && "$py" -c 'import tolteca_db; print("python-install: tolteca_db", tolteca_db.__version__, "in", tolteca_db.__path__[0])')
