#!/bin/sh
# Debian's PostgreSQL in a container: make the cluster on first start (user and database
# "estatedesk", its password from the secret), then run it in the foreground.
set -eu
BIN=$(ls -d /usr/lib/postgresql/*/bin | tail -n 1)
DATA=/var/lib/postgresql/data
if [ ! -s "$DATA/PG_VERSION" ]; then
    "$BIN/initdb" --pgdata="$DATA" --encoding=UTF8 --locale=C.UTF-8 --auth-local=peer --auth-host=scram-sha-256
    echo "listen_addresses = '*'" >> "$DATA/postgresql.conf"
    echo "host all all 0.0.0.0/0 scram-sha-256" >> "$DATA/pg_hba.conf"
    "$BIN/pg_ctl" --pgdata="$DATA" -o "-c listen_addresses=''" -w start
    psql -v ON_ERROR_STOP=1 -v password="$(cat /run/secrets/db_password)" <<'SQL'
CREATE ROLE estatedesk LOGIN PASSWORD :'password';
CREATE DATABASE estatedesk OWNER estatedesk;
SQL
    "$BIN/pg_ctl" --pgdata="$DATA" -w stop
fi
exec "$BIN/postgres" -D "$DATA"
