#!/usr/bin/env bash
# Private database servers for the tests (and for trying the server backends by hand): a MariaDB 10.11
# and a PostgreSQL 15 from Debian, each started on loopback (127.0.0.1) on a free port, with its own
# data directory under a fresh temporary directory, and stopped again.
#
#   scripts/db-servers.sh start [STATE_DIR]      install what is missing (scripts/setup.sh), start both,
#                                                write STATE_DIR/servers.env (default: ./build/db-servers)
#   scripts/db-servers.sh stop  [STATE_DIR]      stop both, delete their temporary directory
#   scripts/db-servers.sh env   [STATE_DIR]      print the connection settings as `export` lines
#   scripts/db-servers.sh run   [STATE_DIR] -- COMMAND...
#                                                start, run COMMAND with the settings in its environment,
#                                                stop (also when COMMAND fails or is interrupted);
#                                                exits with COMMAND's status
#
# servers.env (shell syntax, KEY=VALUE) holds:
#   TOLTECA_TEST_MYSQL_HOST/_PORT/_SOCKET          the MariaDB server
#   TOLTECA_TEST_MYSQL_USER/_PASSWORD              an account with every privilege (tests create databases)
#   TOLTECA_TEST_MYSQL_READER/_READER_PASSWORD     an account that may only SELECT
#   TOLTECA_TEST_MYSQL_DATABASE                    an empty database, `toltec`
#   TOLTECA_TEST_PG_HOST/_PORT/_USER/_PASSWORD/_DATABASE, TOLTECA_TEST_PG_URL   the PostgreSQL server
#                                                  (a role with CREATEDB owning database tolteca_test)
# The ctest suite runs `start` and `stop` itself (fixture tests db_servers_start/db_servers_stop); the
# tests that need a server read servers.env through $TOLTECA_DB_SERVERS_ENV, or these variables when
# they are set in their environment (after `eval "$(scripts/db-servers.sh env)"`).
#
# As root, PostgreSQL runs as the user `postgres` and MariaDB as `mysql` (created by their Debian
# packages), owning their data directories; as anyone else both run as that user.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PG_BIN=/usr/lib/postgresql/15/bin

usage() { sed -n '2,27p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }

cmd="${1:-}"; [ -n "$cmd" ] || usage; shift
state="$here/build/db-servers"
if [ $# -gt 0 ] && [ "$1" != "--" ]; then state="$1"; shift; fi
mkdir -p "$state"
state="$(cd "$state" && pwd)"
envfile="$state/servers.env"

log() { echo "db-servers: $*" >&2; }
die() { log "$*"; exit 1; }

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
secret() { head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n'; }

# Runs a command as USER (root only; otherwise as ourselves).
as_user() {
  local user="$1"; shift
  if [ "$(id -u)" -eq 0 ]; then runuser -u "$user" -- "$@"; else "$@"; fi
}

need_packages() {
  if [ ! -x "$PG_BIN/postgres" ] || [ ! -x /usr/sbin/mariadbd ] || ! command -v mariadb-install-db >/dev/null; then
    "$here/scripts/setup.sh" >&2
  fi
  [ -x "$PG_BIN/postgres" ] || die "PostgreSQL 15 is not installed ($PG_BIN/postgres; apt-get install postgresql-15)"
  [ -x /usr/sbin/mariadbd ] || die "MariaDB is not installed (/usr/sbin/mariadbd; apt-get install mariadb-server)"
}

# Waits until COMMAND succeeds (every 0.1 s, at most SECONDS); fails showing LOG otherwise.
wait_for() {
  local seconds="$1" logf="$2" what="$3"; shift 3
  local i
  for ((i = 0; i < seconds * 10; i++)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  log "$what did not start within ${seconds} s; its log ($logf):"
  tail -n 30 "$logf" >&2 || true
  return 1
}

start_mariadb() {
  local dir="$1/mariadb" user=mysql port pw rpw
  [ "$(id -u)" -eq 0 ] || user="$(id -un)"
  mkdir -p "$dir/data"
  [ "$(id -u)" -ne 0 ] || chown -R mysql: "$dir"
  chmod 700 "$dir"
  port="$(free_port)"; pw="$(secret)"; rpw="$(secret)"
  as_user "$user" mariadb-install-db --no-defaults --datadir="$dir/data" --auth-root-authentication-method=normal \
    --skip-test-db --skip-name-resolve >"$dir/install.log" 2>&1 ||
    { tail -n 30 "$dir/install.log" >&2; die "mariadb-install-db failed"; }
  # Small buffers and no syncing: a test server, thrown away afterwards.
  local args=(--no-defaults --datadir="$dir/data" --socket="$dir/mysql.sock" --port="$port"
              --bind-address=127.0.0.1 --skip-name-resolve --pid-file="$dir/mariadbd.pid"
              --log-error="$dir/error.log" --innodb-buffer-pool-size=32M --innodb-log-file-size=16M
              --innodb-flush-log-at-trx-commit=0 --skip-log-bin --character-set-server=utf8mb4)
  [ "$(id -u)" -ne 0 ] || args+=(--user=mysql)
  setsid /usr/sbin/mariadbd "${args[@]}" </dev/null >/dev/null 2>&1 &
  wait_for 60 "$dir/error.log" "MariaDB" mariadb-admin --no-defaults -S "$dir/mysql.sock" -u root ping
  mariadb --no-defaults -S "$dir/mysql.sock" -u root <<SQL
CREATE USER 'tolteca'@'127.0.0.1' IDENTIFIED BY '$pw';
GRANT ALL PRIVILEGES ON *.* TO 'tolteca'@'127.0.0.1' WITH GRANT OPTION;
CREATE USER 'reader'@'127.0.0.1' IDENTIFIED BY '$rpw';
GRANT SELECT ON *.* TO 'reader'@'127.0.0.1';
CREATE DATABASE toltec;
SQL
  cat <<EOF
TOLTECA_TEST_MYSQL_HOST=127.0.0.1
TOLTECA_TEST_MYSQL_PORT=$port
TOLTECA_TEST_MYSQL_SOCKET=$dir/mysql.sock
TOLTECA_TEST_MYSQL_USER=tolteca
TOLTECA_TEST_MYSQL_PASSWORD=$pw
TOLTECA_TEST_MYSQL_READER=reader
TOLTECA_TEST_MYSQL_READER_PASSWORD=$rpw
TOLTECA_TEST_MYSQL_DATABASE=toltec
TOLTECA_TEST_MYSQL_PID=$(cat "$dir/mariadbd.pid")
EOF
  log "MariaDB $(/usr/sbin/mariadbd --version | awk '{print $3}') on 127.0.0.1:$port"
}

start_postgres() {
  local dir="$1/postgres" user=postgres port pw
  [ "$(id -u)" -eq 0 ] || user="$(id -un)"
  mkdir -p "$dir"
  [ "$(id -u)" -ne 0 ] || chown postgres: "$dir"
  chmod 700 "$dir"
  port="$(free_port)"; pw="$(secret)"
  as_user "$user" "$PG_BIN/initdb" -D "$dir/data" -U postgres -N -E UTF8 --locale=C --auth-local=trust \
    --auth-host=scram-sha-256 >"$dir/initdb.log" 2>&1 || { tail -n 30 "$dir/initdb.log" >&2; die "initdb failed"; }
  as_user "$user" "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -s \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=32MB" \
    start || { tail -n 30 "$dir/server.log" >&2; die "PostgreSQL did not start"; }
  as_user "$user" "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U postgres -d postgres <<SQL
CREATE ROLE tolteca LOGIN CREATEDB PASSWORD '$pw';
CREATE DATABASE tolteca_test OWNER tolteca;
SQL
  cat <<EOF
TOLTECA_TEST_PG_HOST=127.0.0.1
TOLTECA_TEST_PG_PORT=$port
TOLTECA_TEST_PG_USER=tolteca
TOLTECA_TEST_PG_PASSWORD=$pw
TOLTECA_TEST_PG_DATABASE=tolteca_test
TOLTECA_TEST_PG_URL=postgresql://tolteca@127.0.0.1:$port/tolteca_test
EOF
  log "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
}

do_stop() {
  [ -f "$envfile" ] || return 0
  local tmp pid
  tmp="$(sed -n 's/^TOLTECA_DB_SERVERS_TMP=//p' "$envfile")"
  pid="$(sed -n 's/^TOLTECA_TEST_MYSQL_PID=//p' "$envfile")"
  if [ -n "$tmp" ] && [ -f "$tmp/postgres/data/postmaster.pid" ]; then
    as_user postgres "$PG_BIN/pg_ctl" -D "$tmp/postgres/data" -m immediate -w -t 30 -s stop || true
  fi
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  case "$tmp" in /tmp/tolteca-db-servers.*) rm -rf "$tmp" ;; esac
  rm -f "$envfile"
}

do_start() {
  need_packages
  do_stop
  local tmp rc=0
  tmp="$(mktemp -d /tmp/tolteca-db-servers.XXXXXX)"
  chmod 755 "$tmp"
  echo "TOLTECA_DB_SERVERS_TMP=$tmp" >"$envfile"  # first, so that stop finds a half-started pair
  # Both at once (each waits mostly for its server); each writes its settings to stdout.
  ( set -e; start_mariadb "$tmp" ) >"$tmp/mariadb.env" &
  local mpid=$!
  ( set -e; start_postgres "$tmp" ) >"$tmp/postgres.env" || rc=1
  wait "$mpid" || rc=1
  if [ "$rc" -ne 0 ]; then
    do_stop
    die "the servers did not start (see above); nothing is left running"
  fi
  cat "$tmp/mariadb.env" "$tmp/postgres.env" >>"$envfile"
  chmod 600 "$envfile"
}

case "$cmd" in
  start) do_start ;;
  stop) do_stop ;;
  env)
    [ -f "$envfile" ] || die "no servers running for $state (run: scripts/db-servers.sh start)"
    sed 's/^/export /' "$envfile"
    echo "export TOLTECA_DB_SERVERS_ENV=$envfile"
    ;;
  run)
    [ "${1:-}" = "--" ] && shift
    [ $# -gt 0 ] || usage
    trap do_stop EXIT
    trap 'exit 130' INT TERM
    do_start
    set -a; . "$envfile"; set +a
    export TOLTECA_DB_SERVERS_ENV="$envfile"
    rc=0; "$@" || rc=$?
    exit "$rc"
    ;;
  *) usage ;;
esac
