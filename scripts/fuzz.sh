#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan+UBSan) and runs each for a bounded time.
#   scripts/fuzz.sh [SECONDS_PER_TARGET]        (default 30)
# Environment: FUZZ_BUILD_DIR (default build-fuzz), FUZZ_TARGETS (default: all built targets),
#   TOLTECA_DB (a tolteca_db binary with `simulate`, for the seed corpus; default build/tolteca_db).
# Corpora live in $FUZZ_BUILD_DIR/corpus/<target> (seeded by scripts/fuzz-corpus.sh and grown by runs);
# a crash leaves $FUZZ_BUILD_DIR/artifacts/<target>/crash-* and makes this script exit 1. Turn every
# crash into a regression test under tests/reliability/ (see tests/reliability/fuzz_regressions_test.cpp).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
secs="${1:-30}"
bdir="${FUZZ_BUILD_DIR:-$here/build-fuzz}"
jobs="${FUZZ_BUILD_JOBS:-2}"

if [ ! -f "$bdir/CMakeCache.txt" ]; then
  CC=clang CXX=clang++ cmake -S "$here" -B "$bdir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTOLTECA_FUZZ=ON \
    -DTOLTECA_BUILD_TESTS=OFF -DTOLTECA_BUILD_BENCH=OFF >/dev/null
fi
cmake --build "$bdir" -j"$jobs" --target fuzz_targets >"$bdir/build.log" 2>&1 || { tail -30 "$bdir/build.log"; exit 2; }

targets="${FUZZ_TARGETS:-$(cd "$bdir/fuzz" && ls fuzz_* 2>/dev/null | grep -v '\.' | tr '\n' ' ')}"
corpus="$bdir/corpus"
if [ ! -d "$corpus/filename" ]; then
  "$here/scripts/fuzz-corpus.sh" "$corpus" "${TOLTECA_DB:-$here/build/tolteca_db}"
fi
export LSAN_OPTIONS="suppressions=$here/fuzz/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
# One target: its verdict goes to artifacts/<target>/verdict (printed in order after all have run).
fuzz_one() {
  local t="$1" name="${1#fuzz_}"
  mkdir -p "$corpus/$name" "$bdir/artifacts/$name"
  local log="$bdir/artifacts/$name/last.log" out="$bdir/artifacts/$name/verdict" start
  start=$(date +%s)
  if "$bdir/fuzz/$t" "$corpus/$name" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
       -artifact_prefix="$bdir/artifacts/$name/" >"$log" 2>&1; then
    local runs cov
    runs=$(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo '?')
    printf 'fuzz %-10s ok     %4ds  %9s runs  cov %s  corpus %s\n' "$name" $(( $(date +%s) - start )) "$runs" "$cov" \
      "$(ls "$corpus/$name" | wc -l)" >"$out"
  else
    { printf 'fuzz %-10s FAILED (%ds): see %s\n' "$name" $(( $(date +%s) - start )) "$log"
      grep -E 'ERROR|runtime error|SUMMARY|fuzz_[a-z_]+:' "$log" | head -5 | sed 's/^/    /'
      ls "$bdir/artifacts/$name"/crash-* "$bdir/artifacts/$name"/leak-* "$bdir/artifacts/$name"/timeout-* 2>/dev/null \
        | sed 's/^/    artifact: /' || true; } >"$out"
    return 1
  fi
}

# libFuzzer runs one thread: FUZZ_PARALLEL targets (default: one per core) fuzz at the same time.
parallel="${FUZZ_PARALLEL:-$(nproc)}"
status=0
pids=()
for t in $targets; do
  fuzz_one "$t" &
  pids+=($!)
  if [ "${#pids[@]}" -ge "$parallel" ]; then wait "${pids[0]}" || status=1; pids=("${pids[@]:1}"); fi
done
for p in "${pids[@]}"; do wait "$p" || status=1; done
for t in $targets; do cat "$bdir/artifacts/${t#fuzz_}/verdict"; done
exit $status
