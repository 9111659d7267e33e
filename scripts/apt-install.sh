# Sourced by the set-up scripts: apt_install HINT PACKAGE... installs Debian packages as root, or
# stops naming them and HINT (what else to do) when it cannot. Needs say and die from the caller.
apt_install() {
  local hint="$1"; shift
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    die "missing: $*. Install them (Debian: apt-get install --no-install-recommends $*)${hint:+ $hint}, then re-run."
  fi
  say "installing $* with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=300 update -qq
  apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "$@" >/dev/null
}
