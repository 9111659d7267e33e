#!/bin/sh
# run-tempest: one Tempest run inside the cell's network.
#   TEMPEST_SELECTION: "smoke", or a regex; TEMPEST_CONCURRENCY; /etc/tempest/exclude.txt (regexes).
#   TEMPEST_INCLUDE_LIST: a file of exact test ids to run instead (the re-run of failed tests).
#   /etc/tempest/times.subunit.b64: earlier runs' test times (optional), for stestr's partitioning.
# The subunit v2 stream and Tempest's log are left in /ws/out (results.subunit, tempest.log) for the
# harness to fetch (a folder of their own: the Kubernetes backend mounts one there); the exit code
# is 0 whatever the tests said (verdicts come from the stream), non-zero only if Tempest could not run.
set -u
WS=/ws/run
# The image holds an initialised workspace (Dockerfile), unless a volume hides it: then tempest
# init, which wants a directory that does not exist yet, run from elsewhere (it logs to its cwd).
if [ ! -f "$WS/.stestr.conf" ]; then
  (cd /tmp && tempest init "$WS") >/tmp/init.log 2>&1 || { echo "tempest init $WS failed:" >&2; tail -5 /tmp/init.log >&2; exit 3; }
fi
cp /etc/tempest/tempest.conf "$WS/etc/tempest.conf"
cd "$WS"
# The cell's timing history (the harness's, from earlier runs): stestr balances its workers by it.
# Without it stestr deals classes out blindly. Best effort: a history that does not load is said, not fatal.
if [ -s /etc/tempest/times.subunit.b64 ]; then
  base64 -d /etc/tempest/times.subunit.b64 | stestr load --force-init >/tmp/times-load.log 2>&1 \
    && echo "timing history loaded" || { echo "timing history not loaded:"; tail -3 /tmp/times-load.log; }
fi
set -- --concurrency "${TEMPEST_CONCURRENCY:-2}"
# Tempest before 26 (Debian bullseye's 25) names the lists --blacklist-file and --whitelist-file
# (read at build time into /etc/tempest/list-options).
read -r exclude include </etc/tempest/list-options
if [ -s /etc/tempest/exclude.txt ]; then set -- "$@" "$exclude" /etc/tempest/exclude.txt; fi
if [ -n "${TEMPEST_INCLUDE_LIST:-}" ]; then
  set -- "$@" "$include" "$TEMPEST_INCLUDE_LIST"
elif [ "${TEMPEST_SELECTION:-smoke}" = smoke ]; then
  set -- "$@" --smoke
else
  set -- "$@" --regex "$TEMPEST_SELECTION"
fi
echo "tempest run $*"
tempest run "$@"
rc=$?
echo "tempest run exited with $rc"
mkdir -p /ws/out
cp "$WS/tempest.log" /ws/out/tempest.log 2>/dev/null || true
# In subunit v2 (stestr's repository keeps v1: `stestr last` converts).
stestr last --subunit > /ws/out/results.subunit 2>/dev/null || { echo "no subunit stream (stestr last failed)" >&2; exit 4; }
exit 0
