#!/bin/sh
# create-db <database> <user> <password>: idempotent database + user creation, run inside the mariadb container.
set -eu
[ $# -eq 3 ] || { echo "usage: create-db <database> <user> <password>" >&2; exit 2; }
mariadb -uroot -p"$MARIADB_ROOT_PASSWORD" <<SQL
CREATE DATABASE IF NOT EXISTS \`$1\`;
CREATE USER IF NOT EXISTS '$2'@'%' IDENTIFIED BY '$3';
ALTER USER '$2'@'%' IDENTIFIED BY '$3';
GRANT ALL PRIVILEGES ON \`$1\`.* TO '$2'@'%';
FLUSH PRIVILEGES;
SQL
echo "database $1 ready for user $2"
