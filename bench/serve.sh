#!/usr/bin/env bash
# The serve load benchmark (docs/SERVER.md): a synthetic registry of N raw observations, a simulated
# night not in it, then bench/serve_bench.py (32 HTTP clients of one-obsnum queries alone and during
# the night's ingest, CLI latency direct vs through the server, RSS under an hour of mixed load).
#
#   bench/serve.sh [--n 1000000] [--clients 32] [--rss-minutes 60] [--bin-dir build] [--work DIR]
#
# Prints the figures and writes WORK/serve_bench.json; the server's log is WORK/serve_bench.log.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
n=1000000 clients=32 rss_minutes=60 bin_dir="$repo/build" work=""
while [ $# -gt 0 ]; do
  case "$1" in
    --n) n="$2"; shift 2 ;;
    --clients) clients="$2"; shift 2 ;;
    --rss-minutes) rss_minutes="$2"; shift 2 ;;
    --bin-dir) bin_dir="$2"; shift 2 ;;
    --work) work="$2"; shift 2 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "serve.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -n "$work" ] || work="$(mktemp -d /tmp/tolteca_serve_bench.XXXXXX)"
mkdir -p "$work"
tdb="$bin_dir/tolteca_db" driver="$bin_dir/bench/bench_driver"
db="$work/registry.duckdb"
rm -f "$db" "$db.wal"
echo "serve.sh: registry of $n raw observations in $db" >&2
"$tdb" db init --db "$db" >/dev/null
"$driver" registry --db "$db" --n "$n"
echo "serve.sh: a simulated night to ingest" >&2
rm -rf "$work/night"
"$tdb" simulate "$work/night" --nights 1 --start-date 2030-01-10 --ics-start-obsnum 990000 \
  --tcs-start-obsnum 9900000 -q
python3 "$repo/bench/serve_bench.py" --bin "$tdb" --db "$db" --night "$work/night" --clients "$clients" \
  --rss-minutes "$rss_minutes" --work "$work" --json "$work/serve_bench.json"
