#!/usr/bin/env bash
# Build the tolteca_db binary only (not the tests or benchmarks), then run the main job on a generated
# demo night:
# simulate a night of TolTEC data, ingest it into an embedded DuckDB database,
# generate the associations, and show what the registry holds.
# Everything goes to ./demo/ (git-ignored); re-running starts afresh.
set -euo pipefail
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
