#!/bin/sh
# Unpacks an older suite's PostgreSQL server into /opt/pg-old for pg_upgrade: old-server.sh SUITE MAJOR LIBRARY-PACKAGE...
set -eu
suite=$1 major=$2; shift 2
echo "deb http://deb.debian.org/debian $suite main" > /etc/apt/sources.list.d/old-server.list
apt-get update -qq
# libldap of the old suite links gnutls, which the new suite has under its own package name.
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libgnutls30t64 libsasl2-2 >/dev/null
mkdir -p /tmp/old-server && cd /tmp/old-server
apt-get download -qq "postgresql-$major/$suite" $(for p in "$@"; do printf '%s/%s ' "$p" "$suite"; done) 2>/dev/null
for f in *.deb; do dpkg -x "$f" /opt/pg-old; done
rm -rf /tmp/old-server /etc/apt/sources.list.d/old-server.list /var/lib/apt/lists/*
bin=/opt/pg-old/usr/lib/postgresql/$major/bin
libs=/opt/pg-old/usr/lib/x86_64-linux-gnu
for b in "$bin"/*; do
  name=$(basename "$b")
  mv "$b" "$bin/.$name.real"
  printf '#!/bin/sh\nLD_LIBRARY_PATH=%s exec %s/.%s.real "$@"\n' "$libs" "$bin" "$name" > "$b"
  chmod 755 "$b"
  if LD_LIBRARY_PATH=$libs ldd "$bin/.$name.real" | grep 'not found'; then echo "old-server.sh: $name misses a library" >&2; exit 1; fi
done
"$bin/postgres" -V
