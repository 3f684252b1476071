#!/usr/bin/env bash
# Build everything and run the whole test suite with ctest.
#   TOLTECA_SANITIZE=1      also build (Debug, build-asan/) and run the whole suite under ASan+UBSan
#   TOLTECA_TSAN=1          also build (build-tsan/) and run the ingest tests under ThreadSanitizer
#   TOLTECA_FUZZ_SECONDS=N  also run every libFuzzer target for N seconds (scripts/fuzz.sh)
#   TOLTECA_SKIP_MAIN=1     skip the normal (Release) build and suite
# Each phase prints its wall time; the script stops at the first failing phase.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jobs="$(nproc)"
phase_start=0
begin() { phase_start=$(date +%s); echo "=== $1"; }
end() { echo "=== $1: $(( $(date +%s) - phase_start )) s"; }

if [ "${TOLTECA_SKIP_MAIN:-0}" != "1" ]; then
  begin "build + test (Release)"
  "$here/scripts/build.sh" "$here/build"
  (cd "$here/build" && ctest --output-on-failure -j"$jobs" --timeout 600)
  end "build + test (Release)"
fi

if [ "${TOLTECA_SANITIZE:-0}" = "1" ]; then
  begin "build + test (ASan+UBSan, Debug)"
  CMAKE_BUILD_TYPE=Debug "$here/scripts/build.sh" "$here/build-asan" -DTOLTECA_SANITIZE=ON -DTOLTECA_BUILD_BENCH=OFF
  # netCDF-C/HDF5 (uninstrumented system libraries) leak on corrupt files: fuzz/lsan.supp.
  (cd "$here/build-asan" &&
    ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1" \
    LSAN_OPTIONS="suppressions=$here/fuzz/lsan.supp:print_suppressions=0" \
    UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
    ctest --output-on-failure -j"$jobs" --timeout 1800)
  end "build + test (ASan+UBSan, Debug)"
fi

if [ "${TOLTECA_TSAN:-0}" = "1" ]; then
  begin "build + test (TSan, ingest)"
  "$here/scripts/setup.sh" >/dev/null
  cmake -S "$here" -B "$here/build-tsan" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTOLTECA_TSAN=ON \
    -DTOLTECA_BUILD_BENCH=OFF >/dev/null
  cmake --build "$here/build-tsan" -j"$jobs" --target test_ingest tolteca_db
  # libduckdb.so is not instrumented: tests/tsan.supp drops reports that originate inside it.
  # detect_deadlocks=0: locks taken/released inside libduckdb overflow the detector (64 held locks).
  TSAN_OPTIONS="suppressions=$here/tests/tsan.supp:halt_on_error=1:detect_deadlocks=0" \
    "$here/build-tsan/tests/test_ingest"
  end "build + test (TSan, ingest)"
fi

if [ -n "${TOLTECA_FUZZ_SECONDS:-}" ]; then
  begin "fuzz (${TOLTECA_FUZZ_SECONDS} s per target)"
  FUZZ_BUILD_JOBS="$jobs" TOLTECA_DB="$here/build/tolteca_db" "$here/scripts/fuzz.sh" "$TOLTECA_FUZZ_SECONDS"
  end "fuzz (${TOLTECA_FUZZ_SECONDS} s per target)"
fi
