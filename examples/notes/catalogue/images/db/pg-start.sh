#!/bin/sh
# Starts this image's PostgreSQL on the volume's cluster (/var/lib/postgresql/clusters/MAJOR): makes
# it on the first start (the notes role and database too), upgrades an older major's with pg_upgrade.
set -eu
: "${POSTGRES_PASSWORD:?the superuser's password is not set}" "${NOTES_PASSWORD:?the notes role's password is not set}"
root=/var/lib/postgresql/clusters
new=$(ls /usr/lib/postgresql | sort -n | tail -1)
bin=/usr/lib/postgresql/$new/bin
mkdir -p "$root"
cd /tmp
# An upgrade cut short leaves its unfinished cluster: started again from the old one.
rm -rf "$root/$new.upgrading"
old=$(ls "$root" | grep -E '^[0-9]+$' | sort -n | tail -1 || true)

init() {
  # Passwords through files and stdin, never argv.
  pw=$(mktemp)
  printf '%s\n' "$POSTGRES_PASSWORD" > "$pw"
  "$bin/initdb" -D "$1" -U postgres --auth-local=trust --auth-host=scram-sha-256 --pwfile="$pw" >/dev/null
  rm -f "$pw"
  echo "host all all 0.0.0.0/0 scram-sha-256" >> "$1/pg_hba.conf"
}

if [ -z "$old" ]; then
  init "$root/$new.upgrading"
  printf "CREATE ROLE notes LOGIN PASSWORD '%s';\nCREATE DATABASE notes OWNER notes;\n" "$NOTES_PASSWORD" \
    | "$bin/postgres" --single -D "$root/$new.upgrading" postgres >/dev/null
  mv "$root/$new.upgrading" "$root/$new"
  echo "pg-start: made a PostgreSQL $new cluster with the notes database"
elif [ "$old" -lt "$new" ]; then
  oldbin=/opt/pg-old/usr/lib/postgresql/$old/bin
  [ -x "$oldbin/postgres" ] || { echo "pg-start: found a PostgreSQL $old cluster and no $old server to upgrade it with" >&2; exit 1; }
  echo "pg-start: upgrading the PostgreSQL $old cluster to $new with pg_upgrade"
  init "$root/$new.upgrading"
  "$bin/pg_upgrade" --old-bindir="$oldbin" --new-bindir="$bin" --old-datadir="$root/$old" --new-datadir="$root/$new.upgrading" \
    --username=postgres --socketdir=/tmp
  cp "$root/$old/pg_hba.conf" "$root/$new.upgrading/pg_hba.conf"
  mv "$root/$new.upgrading" "$root/$new"
  rm -rf "$root/$old"
  echo "pg-start: upgraded to PostgreSQL $new; the $old cluster removed"
elif [ "$old" -gt "$new" ]; then
  echo "pg-start: the volume holds a PostgreSQL $old cluster, newer than this image's $new: a downgrade is not possible" >&2
  exit 1
fi
exec "$bin/postgres" -D "$root/$new" -c listen_addresses='*' -c unix_socket_directories=/tmp
