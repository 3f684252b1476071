#!/usr/bin/env bash
# Build the tolteca_db binary only (not the tests or benchmarks), then run the main job on a generated
# demo night:
# simulate a night of TolTEC data, ingest it into an embedded DuckDB database,
# generate the associations, and show what the registry holds.
# Everything goes to ./demo/ (git-ignored); re-running starts afresh.
#
#   scripts/demo.sh --live   then also a night as it arrives: `serve --watch` on an empty root while
#                            `simulate --live` writes a night into it at 2000x (about 4 s), the
#                            incomplete observations shown mid-night, the watcher's status at the end.
set -euo pipefail
live=0
for arg in "$@"; do
  case "$arg" in
    --live) live=1 ;;
    *) echo "usage: scripts/demo.sh [--live]" >&2; exit 2 ;;
  esac
done
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$here/scripts/build.sh" "$here/build" --target tolteca_db
bin="$here/build/tolteca_db"
demo="$here/demo"
rm -rf "$demo" && mkdir -p "$demo"
db="duckdb:///$demo/tolteca.duckdb"

step() { printf '\n\033[1m== %s\033[0m\n$ %s\n' "$1" "${*:2}"; "${@:2}"; }

step "Simulate one night of TolTEC data (with a few bad files)" \
  "$bin" simulate "$demo/data_lmt" --nights 1 --seed 1 --bad-files
step "Create the database and register the data root as location LMT" \
  "$bin" db init --db "$db" --location LMT --data-root "$demo/data_lmt"
step "Ingest every file (headers read on all cores), then group observations" \
  "$bin" ingest directory "$demo/data_lmt" --db "$db" --location LMT --with-associations
step "Ingest again: nothing changed, nothing re-read" \
  "$bin" ingest directory "$demo/data_lmt" --db "$db" --location LMT
step "Incremental association generation: nothing pending" \
  "$bin" assoc generate --incremental --db "$db"
step "What the registry holds" \
  "$bin" query stats --db "$db"
step "Calibration groups" \
  "$bin" query groups --type cal_group --db "$db"
step "The newest observation and its files" \
  "$bin" query obs latest --files --db "$db"
step "Database info" \
  "$bin" db info --db "$db"
printf '\nDemo database: %s\n' "$demo/tolteca.duckdb"

[ "$live" -eq 1 ] || exit 0
# A night as it arrives: the server watches an empty root; the simulator writes into it live.
ldb="$demo/live.duckdb"
mkdir -p "$demo/live_data"
printf '\n\033[1m== %s\033[0m\n$ %s\n' "A server watching an empty data root (in the background)" \
  "$bin serve --db $ldb --listen none --watch $demo/live_data --settle-file 0.5 --settle 3 &"
"$bin" serve --db "$ldb" --listen none --watch "$demo/live_data" --settle-file 0.5 --settle 3 \
  --log "$demo/serve.log" >/dev/null 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true' EXIT
until "$bin" query stats --db "$ldb" >/dev/null 2>&1; do sleep 0.2; done
printf '\n\033[1m== %s\033[0m\n$ %s\n' "A night written live at 2000x (network 3 drops out from observation 10)" \
  "$bin simulate $demo/live_data --live --speed 2000 --scale 0.2 --drop-network 3@10 &"
"$bin" simulate "$demo/live_data" --live --speed 2000 --scale 0.2 --drop-network 3@10 --force -q &
writer=$!
sleep 2
step "Mid-night: the observations still incomplete" \
  "$bin" query obs --incomplete --limit 5 --db "$ldb"
wait "$writer"
sleep 5  # the last files settle, the last observations complete (--settle 3)
step "The night is in; the watcher's status" \
  "$bin" query stats --db "$ldb"
step "Its calibration groups, made as the observations completed" \
  "$bin" query groups --type cal_group --db "$ldb"
