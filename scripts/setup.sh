#!/usr/bin/env bash
# Install what the build needs on Debian 12: apt packages (only the missing
# ones, printed) and DuckDB 1.4.4 (scripts/fetch-duckdb.sh). Idempotent.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

PACKAGES=(
  build-essential cmake pkg-config git ca-certificates
  libnetcdf-dev netcdf-bin          # netCDF-C, ncdump for checks
  libcli11-dev libfmt-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libsqlite3-dev sqlite3            # site file database extracts
  libmariadb-dev                    # MariaDB Connector/C: the site file database on MySQL/MariaDB
  mariadb-server postgresql-15      # the servers the tests start (scripts/db-servers.sh)
  libssl-dev                        # libcrypto: SHA-256 of export files (db export manifest)
  libcpp-httplib-dev                # serve: the HTTP JSON API
  curl                              # serve tests: an HTTP client the tests drive
  clang libclang-rt-14-dev          # libFuzzer targets (the runtime is only a Recommends of clang)
  xz-utils                          # a compressed regression input (tests/reliability/data)
  gnuplot-nox                       # benchmark plots
  pybind11-dev python3-dev          # the Python package's extension module (python/, src/python/)
  python3-venv python3-pandas python3-astropy python3-pytest  # its install into a venv and its tests
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# npm obtains DuckDB from the npm registry. It may come with a nodejs package
# from elsewhere (e.g. NodeSource); only install Debian's when none is present.
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing apt packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "setup: all apt packages present"
fi
"$here/scripts/fetch-duckdb.sh"
