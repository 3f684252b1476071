#!/usr/bin/env bash
# Configure and build (Release by default). Usage: scripts/build.sh [BUILD_DIR] [extra cmake args]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-$here/build}"; shift || true
"$here/scripts/setup.sh"
# ccache, when installed, makes rebuilds in other checkouts (worktrees, fresh clones) cheap.
launcher=()
if command -v ccache >/dev/null 2>&1; then launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE="${CMAKE_BUILD_TYPE:-Release}" "${launcher[@]}" "$@" >/dev/null
cmake --build "$build" -j"$(nproc)"
