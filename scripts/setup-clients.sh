#!/usr/bin/env bash
# The real clients the tests open gategrid's output with (../shared/notes/real-clients.md): a
# browser for the pages, a spreadsheet program for the workbook, poppler to look at its pages.
# Debian's packages, nothing else. Run by `npm test` (pretest), not by the set-up: the main job
# needs none of them, and on a fresh machine they take minutes to install.
# Idempotent: when all are present it does nothing.
set -euo pipefail

say() { printf '[setup-clients] %s\n' "$*"; }
die() { printf '[setup-clients] error: %s\n' "$*" >&2; exit 1; }

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium fonts-dejavu-core)
command -v soffice >/dev/null 2>&1 || need_apt+=(libreoffice-calc-nogui)
command -v pdftoppm >/dev/null 2>&1 || need_apt+=(poppler-utils)
[ "${#need_apt[@]}" -eq 0 ] && exit 0

# shellcheck source=apt-install.sh
. "$(dirname "$0")/apt-install.sh"
apt_install "" "${need_apt[@]}"
