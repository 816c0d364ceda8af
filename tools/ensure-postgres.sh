#!/usr/bin/env bash
# The shared-state tests need a real PostgreSQL server (Pulumi's `postgres://` state backend).
# Installs Debian's package when missing, then starts a throwaway cluster of the project's own
# (data in .state/postgres, git-ignored) on a free loopback port, or reuses the one already
# running. Its URL is written to .state/postgres/url, which the tests read.
#   tools/ensure-postgres.sh          ensure it runs; prints the URL (password masked)
#   tools/ensure-postgres.sh --stop   stop it (the data stays for the next start)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir="$root/.state/postgres"
url_file="$dir/url"
user=didww_iac
database=didww_iac

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

bindir() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$d" ] && [ -x "$d/postgres" ] && [ -x "$d/initdb" ] && echo "$d"
}

# The server refuses to run as root: as root it runs as the `postgres` account the Debian package
# creates; as anyone else, as that user.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

lock() {
  exec 9>"$dir/lock"
  flock 9  # two `make test` at once start one server
}

if [ "${1:-}" = "--stop" ]; then
  [ -d "$dir" ] || exit 0
  lock
  if [ -f "$dir/datadir" ] && pg=$(bindir); then
    data=$(cat "$dir/datadir")
    if as_owner "$pg/pg_ctl" -D "$data" status >/dev/null 2>&1; then
      as_owner "$pg/pg_ctl" -D "$data" -m fast -w stop >/dev/null
      echo "postgres: stopped"
    fi
  fi
  rm -f "$url_file"  # a URL of a stopped server would only mislead the tests
  exit 0
fi

mkdir -p "$dir"
chmod 711 "$dir"  # the server may pass through; the URL and password files are private
lock

if ! pg=$(bindir); then
  echo "postgres: installing the Debian package"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null
  pg=$(bindir) || { echo "postgres: no server binaries under /usr/lib/postgresql/*/bin" >&2; exit 1; }
fi

masked() { sed -E 's#//([^:]+):[^@]*@#//\1:***@#' "$url_file"; }

# Makes sure the database exists (also after a run stopped half way), then records the URL.
record_url() {
  local port=$1 password
  password=$(cat "$dir/password" 2>/dev/null) ||
    { echo "postgres: $dir/password is missing: delete $dir to start over" >&2; exit 1; }
  export PGPASSWORD=$password
  local psql=("$pg/psql" -X -q -A -t -h 127.0.0.1 -p "$port" -U "$user" -d postgres)
  if [ -z "$("${psql[@]}" -c "SELECT 1 FROM pg_database WHERE datname = '$database'")" ]; then
    "${psql[@]}" -c "CREATE DATABASE $database" >/dev/null
  fi
  (umask 077 && echo "postgres://$user:$password@127.0.0.1:$port/$database?sslmode=disable" >"$url_file")
}

data=$(cat "$dir/datadir" 2>/dev/null || true)
if [ -n "$data" ] && as_owner "$pg/pg_ctl" -D "$data" status >/dev/null 2>&1; then
  # Its port is the fourth line of postmaster.pid (the URL file may be gone).
  record_url "$(as_owner sed -n 4p "$data/postmaster.pid")"
  echo "postgres: running, $(masked)"
  exit 0
fi

if [ -z "$data" ]; then
  data="$dir/data"
  if [ "$(id -u)" -eq 0 ] && ! runuser -u postgres -- test -x "$dir" 2>/dev/null; then
    # The checkout is somewhere the postgres account cannot reach (say under /root): keep the
    # cluster in a directory of its own instead.
    data="${TMPDIR:-/tmp}/didww-iac-postgres-$(printf %s "$root" | cksum | cut -d' ' -f1)"
  fi
  echo "$data" >"$dir/datadir"
fi

if [ ! -f "$data/PG_VERSION" ]; then
  echo "postgres: creating a cluster in $data"
  rm -rf "$data"
  mkdir -p "$data"
  [ "$(id -u)" -ne 0 ] || chown postgres: "$data"
  chmod 700 "$data"
  password=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
  pwfile=$(mktemp)
  echo "$password" >"$pwfile"
  [ "$(id -u)" -ne 0 ] || chown postgres: "$pwfile"
  as_owner "$pg/initdb" -D "$data" -U "$user" --pwfile="$pwfile" --auth=scram-sha-256 \
    -E UTF8 --no-locale >/dev/null
  rm -f "$pwfile"
  # TCP on loopback only (no Unix socket to collide with a system server); durability off: the
  # cluster is thrown away with .state, and tests should not wait on fsync.
  cat >>"$data/postgresql.conf" <<'EOF'
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
  (umask 077 && echo "$password" >"$dir/password")
fi

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Another program may take the port between the check and the start: then try another one.
started=0
for _ in 1 2 3; do
  port=$(free_port)
  # 9>&-: the server must not inherit (and hold forever) the lock of this script.
  if as_owner "$pg/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 -o "-p $port" start \
    </dev/null >/dev/null 9>&-; then
    started=1
    break
  fi
done
if [ "$started" -ne 1 ]; then
  echo "postgres: the server did not start; see $data/server.log" >&2
  exit 1
fi

record_url "$port"
echo "postgres: $("$pg/postgres" --version | awk '{print $3}') started, $(masked)"
