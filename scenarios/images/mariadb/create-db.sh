#!/bin/sh
# create-db <database> <user>: idempotent database + user creation, run inside the mariadb container.
# The user's password comes in the environment (DB_PASSWORD), root's from /root/.my.cnf: neither is
# ever a process argument (visible to every user of the host in ps).
set -eu
[ $# -eq 2 ] || { echo "usage: DB_PASSWORD=... create-db <database> <user>" >&2; exit 2; }
: "${DB_PASSWORD:?DB_PASSWORD must be set}"
mariadb -uroot <<SQL
CREATE DATABASE IF NOT EXISTS \`$1\`;
CREATE USER IF NOT EXISTS '$2'@'%' IDENTIFIED BY '${DB_PASSWORD}';
ALTER USER '$2'@'%' IDENTIFIED BY '${DB_PASSWORD}';
GRANT ALL PRIVILEGES ON \`$1\`.* TO '$2'@'%';
FLUSH PRIVILEGES;
SQL
echo "database $1 ready for user $2"
