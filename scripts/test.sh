#!/usr/bin/env bash
# Build everything and run the whole test suite with ctest.
# TOLTECA_SANITIZE=1 additionally builds and runs the suite under ASan+UBSan.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$here/scripts/build.sh" "$here/build"
(cd "$here/build" && ctest --output-on-failure -j"$(nproc)" --timeout 600)
if [ "${TOLTECA_SANITIZE:-0}" = "1" ]; then
  CMAKE_BUILD_TYPE=Debug "$here/scripts/build.sh" "$here/build-asan" -DTOLTECA_SANITIZE=ON
  (cd "$here/build-asan" && ctest --output-on-failure -j"$(nproc)" --timeout 900)
fi
