#!/usr/bin/env bash
# Install (if needed) and start a local PostgreSQL 15 for the test suite; prints the URL to test against.
set -euo pipefail
if [ ! -x /usr/lib/postgresql/15/bin/postgres ] || ! command -v pg_ctlcluster >/dev/null; then
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >&2
fi
pg_lsclusters -h | grep -q '^15 *main' || pg_createcluster 15 main >&2
pg_ctlcluster 15 main start >&2 2>/dev/null || true
for _ in $(seq 1 30); do
  runuser -u postgres -- pg_isready -q && break
  sleep 1
done
as_postgres() { runuser -u postgres -- "$@" </dev/null; }
as_postgres psql -q -tAc "SELECT 1 FROM pg_roles WHERE rolname='paperhub'" | grep -q 1 \
  || as_postgres psql -q -c "CREATE ROLE paperhub LOGIN SUPERUSER PASSWORD 'paperhub'" >&2
as_postgres psql -q -tAc "SELECT 1 FROM pg_database WHERE datname='paperhub'" | grep -q 1 \
  || as_postgres createdb -O paperhub paperhub >&2
echo "postgres://paperhub:paperhub@127.0.0.1:5432/paperhub"
