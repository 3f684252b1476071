#!/usr/bin/env bash
# Obtain DuckDB 1.4.4 (LTS) — header and shared library — into third_party/duckdb/.
# Source: the npm registry (the only package registry besides Debian's reachable
# here). `npm pack` downloads a package tarball without installing anything.
#   @duckdb/node-bindings-linux-x64@1.4.4-r.4 -> libduckdb.so (official build)
#   duckdb@1.4.4                              -> src/duckdb/src/include/duckdb.h
# Every extracted file is checked against a pinned SHA-256. Idempotent: a
# second run with correct files present does nothing.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="${1:-$here/third_party/duckdb}"

HEADER_SHA256=cbe6a827284375c5a646b8f27dbd3a00808ce8738b5bbb49c190cb1e08540281
case "$(uname -m)" in
  x86_64)  BINDINGS_PKG=@duckdb/node-bindings-linux-x64@1.4.4-r.4
           LIB_SHA256=1ef33048e12235115ac0d277a0aaccbb560e33248144f488b5ac005cd9ba81b5 ;;
  aarch64) BINDINGS_PKG=@duckdb/node-bindings-linux-arm64@1.4.4-r.4
           LIB_SHA256="${DUCKDB_ARM64_LIB_SHA256:-}" ;;
  *) echo "fetch-duckdb: unsupported machine $(uname -m); pass -DDUCKDB_ROOT=<dir with duckdb.h and libduckdb.so>" >&2; exit 1 ;;
esac
SOURCE_PKG=duckdb@1.4.4

verify() { # file sha
  [ -f "$1" ] && [ -n "$2" ] && echo "$2  $1" | sha256sum --check --status
}

if verify "$dest/duckdb.h" "$HEADER_SHA256" && verify "$dest/libduckdb.so" "$LIB_SHA256"; then
  echo "fetch-duckdb: DuckDB 1.4.4 already present in $dest"
  exit 0
fi

command -v npm >/dev/null || { echo "fetch-duckdb: npm is required (apt-get install npm)" >&2; exit 1; }
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
mkdir -p "$dest"
echo "fetch-duckdb: downloading $BINDINGS_PKG and $SOURCE_PKG (npm pack)"
(cd "$work" && npm pack --silent "$BINDINGS_PKG" "$SOURCE_PKG" >/dev/null)
tar xzf "$work"/duckdb-node-bindings-*.tgz -C "$work" package/libduckdb.so
tar xzf "$work"/duckdb-1.4.4.tgz -C "$work" package/src/duckdb/src/include/duckdb.h
cp "$work/package/libduckdb.so" "$dest/libduckdb.so"
cp "$work/package/src/duckdb/src/include/duckdb.h" "$dest/duckdb.h"

if [ -z "$LIB_SHA256" ]; then
  echo "fetch-duckdb: no pinned SHA-256 for $(uname -m); set DUCKDB_ARM64_LIB_SHA256 after checking the library" >&2
  exit 1
fi
verify "$dest/duckdb.h" "$HEADER_SHA256" || { echo "fetch-duckdb: SHA-256 mismatch for duckdb.h" >&2; exit 1; }
verify "$dest/libduckdb.so" "$LIB_SHA256" || { echo "fetch-duckdb: SHA-256 mismatch for libduckdb.so" >&2; exit 1; }
echo "fetch-duckdb: DuckDB 1.4.4 installed in $dest"
