#!/usr/bin/env bash
# gategrid host set-up: make sure a Docker engine answers and debootstrap is present: what the
# main job needs, nothing more (the tests' own clients: scripts/setup-clients.sh, run by npm test).
# Idempotent: a second run with a live engine does nothing but check.
# Starts dockerd fully detached (setsid, stdin /dev/null, output to a log file) so that it never
# holds a CI output pipe open.
set -euo pipefail

DOCKERD_LOG="${GATEGRID_DOCKERD_LOG:-/var/log/gategrid-dockerd.log}"
WAIT_SECONDS="${GATEGRID_DOCKERD_WAIT:-60}"

say() { printf '[setup] %s\n' "$*"; }
die() { printf '[setup] error: %s\n' "$*" >&2; exit 1; }

need_apt=()
command -v debootstrap >/dev/null 2>&1 || need_apt+=(debootstrap)
if ! docker info >/dev/null 2>&1; then
  command -v dockerd >/dev/null 2>&1 || need_apt+=(docker.io)
fi

# shellcheck source=apt-install.sh
. "$(dirname "$0")/apt-install.sh"
if [ "${#need_apt[@]}" -gt 0 ]; then apt_install "and start dockerd" "${need_apt[@]}"; fi

if docker info >/dev/null 2>&1; then
  say "docker engine answers: $(docker version --format '{{.Server.Version}}' 2>/dev/null)"
  exit 0
fi

if [ "$(id -u)" != 0 ]; then
  die "no Docker engine answers and we are not root: start dockerd (or ask for access to its socket), then re-run."
fi

# A stale pid file from a killed dockerd keeps a new one from starting.
if [ -f /var/run/docker.pid ] && ! kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then
  rm -f /var/run/docker.pid
fi
if ! pgrep -x dockerd >/dev/null 2>&1; then
  say "starting dockerd (log: $DOCKERD_LOG)"
  mkdir -p "$(dirname "$DOCKERD_LOG")"
  setsid dockerd >"$DOCKERD_LOG" 2>&1 </dev/null &
  disown || true
fi

for i in $(seq 1 "$WAIT_SECONDS"); do
  if docker info >/dev/null 2>&1; then
    say "docker engine answers after ${i}s: $(docker version --format '{{.Server.Version}}' 2>/dev/null)"
    exit 0
  fi
  sleep 1
done
tail -n 20 "$DOCKERD_LOG" >&2 || true
die "dockerd did not answer within ${WAIT_SECONDS}s; see $DOCKERD_LOG"
