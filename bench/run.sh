#!/usr/bin/env bash
# The scale benchmark: one command that builds a Release binary, generates the
# data and measures ingest (against the nc_open+nc_close floor), associations
# (full vs incremental, engine and CLI) and queries, each step >= 5 times, side
# by side; appends a Markdown table to bench/RESULTS.md and plots incremental
# and full association time against registry size.
#
#   bench/run.sh [--scale small|medium|large] [--runs N] [--jobs N]
#                [--build-dir DIR | --no-build --bin-dir DIR]
#                [--work DIR] [--results FILE] [--plot FILE.png] [--note TEXT]
#
#   small   10 000 names, 1 short simulated night with headers, registries 1 000 / 5 000   (< 2 min)
#   medium  200 000 names, 2 nights, registries 10 000 / 100 000
#   large   1 000 000 names, 4 nights, registries 10 000 / 100 000 / 1 000 000          (< 30 min)
#
# The raw measurements (one row per run) stay in WORK/results.tsv; the stderr
# of every measured command goes to WORK/log.txt.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
command_line="bench/run.sh $*"

scale=small runs=5 jobs="$(nproc)" build=1 build_dir="$repo/build-release" bin_dir="" work="" note=""
results="$repo/bench/RESULTS.md" plot=""
while [ $# -gt 0 ]; do
  case "$1" in
    --scale) scale="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --jobs) jobs="$2"; shift 2 ;;
    --build-dir) build_dir="$2"; shift 2 ;;
    --no-build) build=0; shift ;;
    --bin-dir) bin_dir="$2"; shift 2 ;;
    --work) work="$2"; shift 2 ;;
    --results) results="$2"; shift 2 ;;
    --plot) plot="$2"; shift 2 ;;
    --note) note="$2"; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
case "$scale" in
  small)  names=10000;   nights=1; sim_scale=0.3; sizes="1000 5000" ;;
  medium) names=200000;  nights=2; sim_scale=1; sizes="10000 100000" ;;
  large)  names=1000000; nights=4; sim_scale=1; sizes="10000 100000 1000000" ;;
  *) echo "run.sh: --scale must be small, medium or large" >&2; exit 2 ;;
esac
[ "$runs" -ge 1 ] || { echo "run.sh: --runs must be >= 1" >&2; exit 2; }
work="${work:-/tmp/tolteca-bench-$scale}"
plot="${plot:-$repo/bench/assoc_scaling_$scale.png}"

t_start=$(date +%s)
say() { echo "[run.sh $(( $(date +%s) - t_start ))s] $*" >&2; }

if [ "$build" -eq 1 ]; then
  say "building Release in $build_dir"
  cmake -S "$repo" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$build_dir" -j"$(nproc)" --target tolteca_db bench_driver nc_floor >/dev/null
  bin_dir="$build_dir"
fi
[ -n "$bin_dir" ] || { echo "run.sh: --no-build needs --bin-dir" >&2; exit 2; }
tdb="$bin_dir/tolteca_db" driver="$bin_dir/bench/bench_driver" floor="$bin_dir/bench/nc_floor"
for b in "$tdb" "$driver" "$floor"; do [ -x "$b" ] || { echo "run.sh: missing $b" >&2; exit 2; }; done

rm -rf "$work"
mkdir -p "$work"
tsv="$work/results.tsv" log="$work/log.txt"
: > "$tsv"
: > "$log"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"

meas() {  # meas STEP N RUN -- CMD...
  local step="$1" n="$2" run="$3"; shift 4
  "$driver" run --out "$tsv" --log "$log" --step "$step" --n "$n" --run "$run" -- "$@"
}
fresh_db() { rm -f "$1" "$1.wal"; "$tdb" db init --db "$1" >/dev/null; }

# 1. Ingest -----------------------------------------------------------------
say "simulating $nights night(s) with headers"
"$tdb" simulate "$work/hdr" --nights "$nights" --scale "$sim_scale" --seed 1 --quiet
n_nc=$(find "$work/hdr" -name '*.nc' -size +0 | wc -l)
n_all=$(find "$work/hdr" -type f | wc -l)
say "header ingest vs floor: $n_all files ($n_nc netCDF), $runs runs, --jobs $jobs"
for r in $(seq 0 $((runs - 1))); do
  fresh_db "$work/hdr.duckdb"
  meas ingest_headers "$n_nc" "$r" -- "$tdb" ingest directory "$work/hdr" --db "$work/hdr.duckdb" --jobs "$jobs" --quiet
  meas nc_floor "$n_nc" "$r" -- "$floor" "$work/hdr" --jobs "$jobs"
done

say "generating $names zero-byte files"
python3 "$repo/bench/gen_names_tree.py" "$work/names" "$names"
say "names-only ingest + re-scan: $names files, $runs runs"
for r in $(seq 0 $((runs - 1))); do
  fresh_db "$work/names.duckdb"
  meas ingest_names "$names" "$r" -- "$tdb" ingest directory "$work/names" --names-only --db "$work/names.duckdb" --jobs "$jobs" --quiet
  meas rescan_names "$names" "$r" -- "$tdb" ingest directory "$work/names" --names-only --db "$work/names.duckdb" --jobs "$jobs" --quiet
done
rm -rf "$work/names"

# 2. Associations -------------------------------------------------------------
largest=""
for n in $sizes; do
  say "associations on $n raw observations"
  fresh_db "$work/assoc_$n.duckdb"
  "$driver" assoc --out "$tsv" --log "$log" --db "$work/assoc_$n.duckdb" --bin "$tdb" --n "$n" --runs "$runs" \
    --spec-out "$work/spec_$n.txt" 2>>"$log"
  [ -z "$largest" ] || rm -f "$work/assoc_$largest.duckdb"
  largest="$n"
done

# 3. Queries on the largest registry ------------------------------------------
db="$work/assoc_$largest.duckdb"
spec="$(cat "$work/spec_$largest.txt")"
say "queries on $largest raw observations ($spec)"
"$driver" query --out "$tsv" --db "$db" --spec "$spec" --n "$largest" --runs "$runs" 2>>"$log"
for r in $(seq 0 $((runs - 1))); do
  meas query_cli_obs "$largest" "$r" -- "$tdb" query obs "$spec" --db "$db"
  meas query_cli_stats "$largest" "$r" -- "$tdb" query stats --db "$db"
  rm -f "$work/obs.parquet" "$work/files.parquet"
  meas query_cli_export_obs "$largest" "$r" -- "$tdb" query export "$work/obs.parquet" --what obs --db "$db"
  meas query_cli_export_files "$largest" "$r" -- "$tdb" query export "$work/files.parquet" --what files --db "$db"
done

# 4. Report -------------------------------------------------------------------
say "writing the report"
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"
commit="$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)"
dirty="$(git -C "$repo" status --porcelain --untracked-files=no 2>/dev/null | head -1)"
[ -z "$dirty" ] || commit="$commit (+ uncommitted changes)"
python3 "$repo/bench/report.py" --tsv "$tsv" --scale "$scale" --runs "$runs" --jobs "$jobs" \
  --command "$command_line" --commit "$commit" --load "$load_before / $load_after" \
  --files "$n_all" --plot "$plot" --results "$results" --elapsed "$(( $(date +%s) - t_start ))" --note "$note"
say "done: $(( $(date +%s) - t_start )) s; table appended to $results, plot $plot, raw rows $tsv"
