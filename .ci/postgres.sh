#!/usr/bin/env bash
# Starts a throwaway PostgreSQL 15 cluster on 127.0.0.1 and prints its URL on the last line.
# Usage: .ci/postgres.sh start DIR PORT | .ci/postgres.sh stop DIR
set -euo pipefail
action=${1:?start or stop}
dir=${2:?data directory}
port=${3:-54329}
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)

as_owner() {
  if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi
}

case "$action" in
  start)
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
    as_owner "'$bin/initdb' -D '$dir/data' -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >'$dir/initdb.log' 2>&1"
    as_owner "'$bin/pg_ctl' -D '$dir/data' -l '$dir/server.log' -w -o \"-c listen_addresses=127.0.0.1 -p $port -k '$dir'\" start >/dev/null"
    as_owner "'$bin/psql' -h 127.0.0.1 -p $port -U postgres -v ON_ERROR_STOP=1 -q -c \"create role gatehouse login createdb password 'gatehouse'\" -c 'create database gatehouse owner gatehouse'"
    echo "postgres://gatehouse:gatehouse@127.0.0.1:$port/gatehouse"
    ;;
  stop)
    as_owner "'$bin/pg_ctl' -D '$dir/data' -m fast stop >/dev/null" || true
    ;;
  *)
    echo "unknown action $action" >&2
    exit 2
    ;;
esac
