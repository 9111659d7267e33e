#!/usr/bin/env bash
# gategrid's local Kubernetes: a real single-node 1.20.2 cluster built from Debian bookworm's
# source package `kubernetes`, running its pods on this host's Docker engine through dockershim
# (so the images gategrid builds need no registry).
#
#   npm run cluster -- build    build the binaries when the cache has none (8-16 min cold, 2 cores)
#   npm run cluster -- up       build if needed, then start etcd, the control plane, kubelet, kube-proxy
#   npm run cluster -- down     stop it and remove what it made (pods, iptables chains, mounts, sysctl)
#   npm run cluster -- status   say whether it answers
#
# Binaries are cached outside the clone, keyed on the Debian source version and the hash of
# scripts/kubernetes/*.patch: $GATEGRID_K8S_CACHE (default /var/cache/gategrid/kubernetes).
# The running cluster lives in $GATEGRID_K8S_STATE (default /var/lib/gategrid-k8s); its kubeconfig
# is $GATEGRID_K8S_STATE/kubeconfig (what the `local` provider reads).
# Facts behind every flag: shared notes "kubernetes-from-debian.md".
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
CACHE="${GATEGRID_K8S_CACHE:-/var/cache/gategrid/kubernetes}"
STATE="${GATEGRID_K8S_STATE:-/var/lib/gategrid-k8s}"
APT_OPTS=(-o DPkg::Lock::Timeout=300)
COMPONENTS=(kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy)
PAUSE_IMAGE="k8s.gcr.io/pause:3.2"
NODE_NAME="gategrid-node"
POD_CIDR="10.244.0.0/24"
SERVICE_CIDR="10.96.0.0/16"
API_PORT=6443

say() { printf '[cluster] %s\n' "$*"; }
die() { printf '[cluster] error: %s\n' "$*" >&2; exit 1; }
need_root() { [ "$(id -u)" = 0 ] || die "the local cluster needs root (kubelet, iptables, mounts)"; }

apt_install() {
  local missing=()
  for p in "$@"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p"); done
  [ "${#missing[@]}" -eq 0 ] && return 0
  say "installing ${missing[*]} with apt-get"
  DEBIAN_FRONTEND=noninteractive apt-get "${APT_OPTS[@]}" update -qq
  DEBIAN_FRONTEND=noninteractive apt-get "${APT_OPTS[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_deb_src() {
  if ! grep -rqs '^Types: deb-src' /etc/apt/sources.list.d/ && ! grep -qs '^deb-src .*bookworm' /etc/apt/sources.list; then
    say "adding a deb-src entry for bookworm main"
    cat >/etc/apt/sources.list.d/gategrid-src.sources <<'EOF'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    DEBIAN_FRONTEND=noninteractive apt-get "${APT_OPTS[@]}" update -qq
  fi
}

# The cache key: the source package's version and the patches applied to it.
source_version() {
  apt-cache showsrc kubernetes 2>/dev/null | awk '/^Version:/ {print $2}' | sort -V | tail -n 1
}
patch_hash() { cat "$HERE"/kubernetes/*.patch "$HERE"/kubernetes/vendor-from-debian.txt | sha256sum | cut -c1-12; }
bin_dir() { printf '%s/%s-%s/bin' "$CACHE" "$1" "$(patch_hash)"; }

cached_bin_dir() {
  # The newest complete build for the current patches, without asking apt (works offline).
  local d
  for d in $(ls -1dt "$CACHE"/*-"$(patch_hash)"/bin 2>/dev/null); do
    [ -f "$d/.complete" ] && { printf '%s' "$d"; return 0; }
  done
  return 1
}

cmd_build() {
  need_root
  local existing
  if existing="$(cached_bin_dir)"; then say "binaries cached in $existing"; return 0; fi
  apt_install dpkg-dev golang-go rsync jq gcc libc6-dev make patch
  ensure_deb_src
  local version; version="$(source_version)"
  [ -n "$version" ] || die "apt-cache knows no source package 'kubernetes' (is a bookworm deb-src entry configured?)"
  local out; out="$(bin_dir "$version")"
  local work="$CACHE/build"
  rm -rf "$work"; mkdir -p "$work"
  say "fetching the source package kubernetes $version"
  (cd "$work" && apt-get source --download-only "kubernetes=$version" >/dev/null 2>&1) \
    || die "apt-get source kubernetes=$version failed"
  (cd "$work" && dpkg-source -x ./*.dsc src >/dev/null) || die "dpkg-source could not unpack the source package"
  for p in "$HERE"/kubernetes/*.patch; do
    say "applying $(basename "$p")"
    patch -d "$work/src" -p1 --forward --quiet <"$p" || die "patch $(basename "$p") does not apply to kubernetes $version"
  done
  local module package
  while read -r module package; do
    case "$module" in ''|'#'*) continue ;; esac
    apt_install "$package"
    [ -d "/usr/share/gocode/src/$module" ] || die "$package has no /usr/share/gocode/src/$module"
    say "vendoring $module from Debian's $package ($(dpkg-query -W -f='${Version}' "$package"))"
    rm -rf "$work/src/vendor/$module"
    cp -a "/usr/share/gocode/src/$module" "$work/src/vendor/$module"
  done <"$HERE/kubernetes/vendor-from-debian.txt"
  say "building ${COMPONENTS[*]} (about 11 min on 2 cores; log: $work/make.log)"
  local t0=$SECONDS whats=()
  for c in "${COMPONENTS[@]}"; do whats+=("cmd/$c"); done
  # The Go build cache stays beside the binaries: a rebuild after a patch takes seconds, not minutes.
  if ! (cd "$work/src" && GOCACHE="$CACHE/gocache" make WHAT="${whats[*]}" >"$work/make.log" 2>&1); then
    tail -n 30 "$work/make.log" >&2
    die "make failed (the whole log: $work/make.log)"
  fi
  mkdir -p "$out"
  for c in "${COMPONENTS[@]}"; do install -m 0755 "$work/src/_output/bin/$c" "$out/$c"; done
  # The pause container, built from the same tree (no registry needed).
  gcc -Os -static -o "$out/pause" "$work/src/build/pause/linux/pause.c" || die "could not compile pause.c"
  strip "$out/pause" || true
  echo "$version $(patch_hash)" >"$out/.complete"
  rm -rf "$work"
  say "built in $((SECONDS - t0)) s into $out"
}


# ---------------------------------------------------------------------------------------------
# up / down
# ---------------------------------------------------------------------------------------------
BRIDGE="gg-cni0"
NODE_IP="10.244.0.1"      # on $BRIDGE, which this script makes: kubelet and the apiserver's advertised address
ETCD_PORT=23790           # not 2379: never collide with an etcd the host may run

pidfile() { printf '%s/run/%s.pid' "$STATE" "$1"; }
running() { local f; f="$(pidfile "$1")"; [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null; }

start_daemon() {  # name, command...: detached from our output pipes, pid recorded
  local name="$1"; shift
  mkdir -p "$STATE/run" "$STATE/log"
  setsid "$@" >"$STATE/log/$name.log" 2>&1 </dev/null &
  echo $! >"$(pidfile "$name")"
}

# Polls a command until it succeeds: at most $2 tries, 1 s apart.
wait_for() {
  local what="$1" tries="$2"; shift 2
  for _ in $(seq 1 "$tries"); do "$@" >/dev/null 2>&1 && return 0; sleep 1; done
  die "$what did not come up within ${tries} s (logs: $STATE/log/)"
}

api() {  # PATH [curl options]: a request to the apiserver (GET unless told), as admin, through 127.0.0.1 only
  local path="$1"; shift
  curl -sf --max-time 5 "$@" --cacert "$STATE/pki/ca.crt" --cert "$STATE/pki/admin.crt" --key "$STATE/pki/admin.key" "https://127.0.0.1:$API_PORT$path"
}

node_ready() {
  api "/api/v1/nodes/$NODE_NAME" | jq -e '.status.conditions[] | select(.type == "Ready" and .status == "True")' >/dev/null
}

make_pki() {
  local pki="$STATE/pki"
  [ -f "$pki/etcd-client.crt" ] && return 0
  mkdir -p "$pki"; chmod 0700 "$pki"
  ( cd "$pki"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 3650 -subj "/CN=gategrid-local-ca" 2>/dev/null
    cat >apiserver.ext <<EOF
subjectAltName=IP:127.0.0.1,IP:$NODE_IP,IP:10.96.0.1,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:localhost
extendedKeyUsage=serverAuth
EOF
    openssl req -newkey rsa:2048 -nodes -keyout apiserver.key -out apiserver.csr -subj "/CN=kube-apiserver" 2>/dev/null
    openssl x509 -req -in apiserver.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out apiserver.crt -days 3650 -extfile apiserver.ext 2>/dev/null
    printf 'extendedKeyUsage=clientAuth\n' >client.ext
    openssl req -newkey rsa:2048 -nodes -keyout admin.key -out admin.csr -subj "/O=system:masters/CN=gategrid-admin" 2>/dev/null
    openssl x509 -req -in admin.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out admin.crt -days 3650 -extfile client.ext 2>/dev/null
    # etcd serves TLS on 127.0.0.1 and takes only clients (and its one peer) with a certificate of
    # this CA: the apiserver. No other user of the host reads or writes the cluster's state.
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n' >etcd.ext
    openssl req -newkey rsa:2048 -nodes -keyout etcd.key -out etcd.csr -subj "/CN=gategrid-etcd" 2>/dev/null
    openssl x509 -req -in etcd.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out etcd.crt -days 3650 -extfile etcd.ext 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -keyout etcd-client.key -out etcd-client.csr -subj "/CN=kube-apiserver-etcd-client" 2>/dev/null
    openssl x509 -req -in etcd-client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out etcd-client.crt -days 3650 -extfile client.ext 2>/dev/null
    openssl genrsa -out sa.key 2048 2>/dev/null
    openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
    rm -f ./*.csr ./*.ext )
  # One kubeconfig for gategrid, the control plane, kubelet and kube-proxy: a test cluster on one host.
  cat >"$STATE/kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: gategrid-local
  cluster:
    server: https://127.0.0.1:$API_PORT
    certificate-authority: $pki/ca.crt
users:
- name: gategrid-admin
  user:
    client-certificate: $pki/admin.crt
    client-key: $pki/admin.key
contexts:
- name: gategrid-local
  context: { cluster: gategrid-local, user: gategrid-admin }
current-context: gategrid-local
EOF
  chmod 0600 "$STATE/kubeconfig"
}

# Pods reach each other on the bridge and the cell's Services through a route to the service range
# only: no default route, so nothing in a pod can send traffic off this host.
write_configs() {
  mkdir -p "$STATE/cni/net.d" "$STATE/volumes"
  cat >"$STATE/cni/net.d/10-gategrid.conflist" <<EOF
{
  "cniVersion": "0.4.0",
  "name": "gategrid",
  "plugins": [
    { "type": "bridge", "bridge": "$BRIDGE", "isGateway": true, "ipMasq": false, "hairpinMode": true,
      "ipam": { "type": "host-local", "ranges": [[{ "subnet": "$POD_CIDR", "rangeStart": "10.244.0.10", "gateway": "$NODE_IP" }]],
                "routes": [{ "dst": "$SERVICE_CIDR" }],
                "dataDir": "$STATE/cni/ipam" } }
  ]
}
EOF
  cat >"$STATE/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $NODE_IP
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
# No anonymous request; certificates of the cluster's CA or tokens the apiserver vouches for, each
# request authorised by the apiserver (SubjectAccessReview): a local user without the admin's key
# gets 401 from kubelet, and no pod can be written into it.
authentication:
  anonymous: { enabled: false }
  webhook: { enabled: true, cacheTTL: 30s }
  x509: { clientCAFile: $STATE/pki/ca.crt }
authorization: { mode: Webhook }
cgroupDriver: $(docker info --format '{{.CgroupDriver}}' 2>/dev/null || echo cgroupfs)
# Pods in kubelet's own cgroups (kubepods, 2048 CPU shares on 2 cores, beside the engine's docker
# group at 1024). Without them, pods without CPU requests ran as the engine's containers with 2
# shares each beside the Docker backend's 1024: starved whenever a Docker cell ran beside them.
cgroupsPerQOS: true
enforceNodeAllocatable: []
failSwapOn: false
# These hosts refuse a negative oom_score_adj (see scripts/kubernetes/*.patch for the pods' side).
oomScoreAdj: 0
nodeStatusUpdateFrequency: 1s
# The engine is shared with the Docker backend and gategrid's image cache: never garbage-collect images.
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: { memory.available: "100Mi", nodefs.available: "1%", imagefs.available: "1%" }
serializeImagePulls: false
resolvConf: /etc/resolv.conf
maxPods: 250
EOF
}

# What the cluster adds to the host, and may therefore remove. `up` refuses a host that already holds
# any of it (another kubelet, another cluster's chains or paths), records what the host had (the
# chains of every table, the sysctls kubelet and kube-proxy set, when it started), and `down` removes
# only what appeared since, by name, and puts the sysctls back. Nothing is eval'd.
KUBELET_PATHS=(/var/lib/kubelet /var/lib/dockershim /var/run/dockershim.sock /var/log/pods /var/log/containers /var/lib/cni/networks/gategrid)
# Chains kubelet and kube-proxy 1.20 make under fixed names: another cluster's would be clobbered.
FIXED_CHAINS=(KUBE-MARK-DROP KUBE-MARK-MASQ KUBE-FIREWALL KUBE-KUBELET-CANARY KUBE-PROXY-CANARY KUBE-SERVICES KUBE-EXTERNAL-SERVICES KUBE-NODEPORTS KUBE-POSTROUTING KUBE-FORWARD CNI-GATEGRID)
# kubelet 1.20 (protectKernelDefaults off) sets the first six; kube-proxy route_localnet; the rest
# are recorded in case a plugin touches them. Restored by down to what they were.
SYSCTLS=(kernel.panic kernel.panic_on_oops vm.overcommit_memory vm.panic_on_oom kernel.keys.root_maxkeys kernel.keys.root_maxbytes
  net.ipv4.conf.all.route_localnet net.bridge.bridge-nf-call-iptables net.bridge.bridge-nf-call-ip6tables net.ipv4.ip_forward net.netfilter.nf_conntrack_max)
OWNED="$STATE/owned"

chains_of() {  # every chain of every table, as "table chain" lines
  local t
  for t in filter nat mangle raw; do iptables-save -t "$t" 2>/dev/null | sed -n "s/^:\([^ ]*\) .*/$t \1/p"; done
}

preflight_host() {
  [ -d "$OWNED" ] && return 0  # an up of ours that did not finish, or is running: it is ours to resume
  local problems=() p c pid chains
  for p in "${KUBELET_PATHS[@]}"; do [ -e "$p" ] && problems+=("$p exists"); done
  # Read once, matched after: grep -q on the live pipe ends it early, and pipefail then reads the
  # writer's SIGPIPE as "not found" (a chain late in the listing was missed).
  chains="$(chains_of)"
  for c in "${FIXED_CHAINS[@]}"; do grep -q " $c\$" <<<"$chains" && problems+=("iptables chain $c exists"); done
  for pid in $(pgrep -x 'kubelet|kube-apiserver|kube-proxy|etcd' 2>/dev/null); do problems+=("$(cat "/proc/$pid/comm" 2>/dev/null) runs (pid $pid)"); done
  [ -n "$(docker ps -aq --filter label=io.kubernetes.docker.type 2>/dev/null)" ] && problems+=("the engine holds another kubelet's containers")
  ip link show "$BRIDGE" >/dev/null 2>&1 && problems+=("a link named $BRIDGE exists")
  ls -d /sys/fs/cgroup/*/kubepods >/dev/null 2>&1 && problems+=("kubepods cgroups exist")
  if [ "${#problems[@]}" -gt 0 ]; then
    printf '[cluster] error: this host already holds what the local cluster would make; refusing to start over it:\n' >&2
    printf '[cluster]   %s\n' "${problems[@]}" >&2
    die "stop that other cluster or tool first (or, if it is a gategrid cluster whose state was lost, remove those by hand)"
  fi
  mkdir -p "$OWNED"
  chains_of >"$OWNED/chains.before"
  local k v
  for k in "${SYSCTLS[@]}"; do v="$(sysctl -n "$k" 2>/dev/null)" && printf '%s=%s\n' "$k" "$v"; done >"$OWNED/sysctl.before"
  date -u +%s >"$OWNED/started"
}

cmd_up() {
  need_root
  if running kube-apiserver && api /readyz >/dev/null 2>&1; then say "already up (kubeconfig: $STATE/kubeconfig)"; return 0; fi
  docker info >/dev/null 2>&1 || die "no Docker engine answers: run npm run setup first"
  mkdir -p "$STATE"; chmod 0700 "$STATE"
  preflight_host
  cmd_build
  local bin; bin="$(cached_bin_dir)" || die "no binaries after the build"
  # docker-registry: a local registry on 127.0.0.1 for the kubeconfig provider's push path (the tests start one).
  apt_install etcd-server containernetworking-plugins conntrack iptables socat openssl curl iproute2 kmod jq docker-registry
  local t0=$SECONDS
  make_pki; write_configs
  modprobe br_netfilter 2>/dev/null || true
  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link add "$BRIDGE" type bridge
    ip addr add "$NODE_IP/24" dev "$BRIDGE"
  fi
  ip link set "$BRIDGE" up
  # Docker sets the FORWARD policy to DROP; pod-to-pod and pod-to-Service traffic stays on our bridge,
  # in a chain of our own, removed with the others that appeared since up.
  if ! iptables -t filter -nL CNI-GATEGRID >/dev/null 2>&1; then
    iptables -t filter -N CNI-GATEGRID
    iptables -t filter -A CNI-GATEGRID -i "$BRIDGE" -o "$BRIDGE" -j ACCEPT
    iptables -t filter -I FORWARD 1 -j CNI-GATEGRID
  fi
  # The pause image, from the same tree, tagged as kubelet expects: nothing is pulled.
  if ! docker image inspect "$PAUSE_IMAGE" >/dev/null 2>&1; then
    local ctx; ctx="$(mktemp -d)"
    cp "$bin/pause" "$ctx/pause"
    printf 'FROM scratch\nCOPY pause /pause\nENTRYPOINT ["/pause"]\n' >"$ctx/Dockerfile"
    DOCKER_BUILDKIT=0 docker build -q -t "$PAUSE_IMAGE" --label io.gategrid.owner=gategrid-cluster "$ctx" >/dev/null
    rm -rf "$ctx"
  fi
  local pki="$STATE/pki" kc="$STATE/kubeconfig"
  # etcd: TLS with client certificates on both its listeners (metrics only through the client one).
  running etcd || start_daemon etcd etcd --name gategrid --data-dir "$STATE/etcd" \
    --listen-client-urls "https://127.0.0.1:$ETCD_PORT" --advertise-client-urls "https://127.0.0.1:$ETCD_PORT" \
    --cert-file "$pki/etcd.crt" --key-file "$pki/etcd.key" --client-cert-auth --trusted-ca-file "$pki/ca.crt" \
    --listen-peer-urls "https://127.0.0.1:$((ETCD_PORT + 10))" --initial-advertise-peer-urls "https://127.0.0.1:$((ETCD_PORT + 10))" \
    --peer-cert-file "$pki/etcd.crt" --peer-key-file "$pki/etcd.key" --peer-client-cert-auth --peer-trusted-ca-file "$pki/ca.crt" \
    --initial-cluster "gategrid=https://127.0.0.1:$((ETCD_PORT + 10))"
  wait_for "etcd" 30 curl -sf --max-time 2 --cacert "$pki/ca.crt" --cert "$pki/etcd-client.crt" --key "$pki/etcd-client.key" "https://127.0.0.1:$ETCD_PORT/health"
  running kube-apiserver || start_daemon kube-apiserver "$bin/kube-apiserver" \
    --etcd-servers "https://127.0.0.1:$ETCD_PORT" --etcd-cafile "$pki/ca.crt" --etcd-certfile "$pki/etcd-client.crt" --etcd-keyfile "$pki/etcd-client.key" \
    --bind-address 127.0.0.1 --secure-port "$API_PORT" --anonymous-auth=false \
    --advertise-address "$NODE_IP" --service-cluster-ip-range "$SERVICE_CIDR" \
    --client-ca-file "$pki/ca.crt" --tls-cert-file "$pki/apiserver.crt" --tls-private-key-file "$pki/apiserver.key" \
    --kubelet-client-certificate "$pki/admin.crt" --kubelet-client-key "$pki/admin.key" \
    --service-account-key-file "$pki/sa.pub" --service-account-signing-key-file "$pki/sa.key" \
    --service-account-issuer https://kubernetes.default.svc \
    --kubelet-preferred-address-types InternalIP \
    --authorization-mode Node,RBAC --allow-privileged=true --insecure-port 0 --profiling=false
  wait_for "kube-apiserver" 90 api /readyz
  running kube-controller-manager || start_daemon kube-controller-manager "$bin/kube-controller-manager" \
    --kubeconfig "$kc" --bind-address 127.0.0.1 --port 0 --secure-port 0 --controllers '*,-nodeipam' --leader-elect=false \
    --service-account-private-key-file "$pki/sa.key" --root-ca-file "$pki/ca.crt" --profiling=false
  running kube-scheduler || start_daemon kube-scheduler "$bin/kube-scheduler" \
    --kubeconfig "$kc" --bind-address 127.0.0.1 --port 0 --secure-port 0 --leader-elect=false --profiling=false
  running kubelet || start_daemon kubelet "$bin/kubelet" \
    --config "$STATE/kubelet.yaml" --kubeconfig "$kc" --container-runtime docker \
    --network-plugin cni --cni-bin-dir /usr/lib/cni --cni-conf-dir "$STATE/cni/net.d" \
    --pod-infra-container-image "$PAUSE_IMAGE" --hostname-override "$NODE_NAME" --node-ip "$NODE_IP" \
    --cert-dir "$STATE/kubelet-pki"
  running kube-proxy || start_daemon kube-proxy "$bin/kube-proxy" \
    --kubeconfig "$kc" --hostname-override "$NODE_NAME" --cluster-cidr "$POD_CIDR" --proxy-mode iptables \
    --bind-address 127.0.0.1 --healthz-bind-address 127.0.0.1:10256 --metrics-bind-address 127.0.0.1:10249 \
    --oom-score-adj 0 --conntrack-max-per-core 0 --conntrack-tcp-timeout-established 0 --conntrack-tcp-timeout-close-wait 0
  wait_for "node $NODE_NAME Ready" 90 node_ready
  wait_for "the default service account" 60 api /api/v1/namespaces/default/serviceaccounts/default
  say "up in $((SECONDS - t0)) s; kubeconfig: $STATE/kubeconfig"
}

stop_daemon() {
  local name="$1" f; f="$(pidfile "$1")"
  [ -f "$f" ] || return 0
  local pid; pid="$(cat "$f")"
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

# One iptables command in restore syntax, parsed by iptables-restore itself (quoted comments
# stay whole; nothing reaches a shell). A rule that is gone already is not an error.
ipt() { printf '*%s\n%s\nCOMMIT\n' "$1" "$2" | iptables-restore --noflush 2>/dev/null || true; }

# Removes the chains that appeared since up (kube-proxy's, kubelet's, ours), and the rules of the
# host's other chains that jump into them; every chain the host had before stays as it was.
clean_iptables() {
  local before="$OWNED/chains.before" t chain rule
  [ -f "$before" ] || return 0
  local ours; ours="$(chains_of | grep -E ' (KUBE|CNI)-' | grep -vxFf "$before" || true)"
  [ -n "$ours" ] || return 0
  for t in filter nat mangle raw; do
    local names; names="$(printf '%s\n' "$ours" | awk -v t="$t" '$1 == t {print $2}')"
    [ -n "$names" ] || continue
    # Jumps into our chains from chains that stay (INPUT, FORWARD, POSTROUTING, another tool's).
    while IFS= read -r rule; do
      chain="$(printf '%s' "$rule" | awk '{print $2}')"
      grep -qxF "$chain" <<<"$names" && continue
      grep -qxF "$(printf '%s' "$rule" | sed -n 's/.* -j \([^ ]*\).*/\1/p')" <<<"$names" || continue
      ipt "$t" "-D ${rule#-A }"
    done < <(iptables-save -t "$t" | grep -E '^-A ' | grep -E -- ' -j (KUBE|CNI)-')
    while IFS= read -r chain; do ipt "$t" "-F $chain"; done <<<"$names"
    while IFS= read -r chain; do ipt "$t" "-X $chain"; done <<<"$names"
  done
}

cmd_down() {
  need_root
  local t0=$SECONDS
  if running kube-apiserver && running kubelet; then
    # Pods first, while kubelet can still tear down their networks.
    for ns in $(api /api/v1/namespaces 2>/dev/null | jq -r '.items[].metadata.name' 2>/dev/null | grep -vE '^(default|kube-system|kube-public|kube-node-lease)$'); do
      api "/api/v1/namespaces/$ns" --max-time 10 -X DELETE >/dev/null || true
    done
    for _ in $(seq 1 30); do
      [ "$(docker ps -q --filter label=io.kubernetes.docker.type=container | wc -l)" = 0 ] && break; sleep 1
    done
  fi
  for d in kube-proxy kubelet kube-scheduler kube-controller-manager kube-apiserver etcd; do stop_daemon "$d"; done
  if [ ! -d "$OWNED" ]; then
    rm -rf "$STATE"
    say "nothing of ours on this host (no record of an up); down in $((SECONDS - t0)) s"; return 0
  fi
  # What kubelet made on the shared engine: containers dockershim labelled since our up (up refused
  # a host that had any).
  local since id created; since="$(cat "$OWNED/started")"
  for id in $(docker ps -aq --filter label=io.kubernetes.docker.type 2>/dev/null); do
    created="$(date -u -d "$(docker inspect -f '{{.Created}}' "$id" 2>/dev/null)" +%s 2>/dev/null || echo 0)"
    [ "$created" -ge "$since" ] && docker rm -f "$id" >/dev/null 2>&1 || true
  done
  # kubelet's QoS cgroups (up refused a host that had them), empty once its pods are gone: deepest first.
  for root in /sys/fs/cgroup/*/kubepods; do [ -d "$root" ] && find "$root" -depth -type d -exec rmdir {} \; 2>/dev/null; done || true
  clean_iptables
  # Mounts kubelet left under its root folder (up refused a host that had that folder), then the
  # paths kubelet 1.20 hard-codes, each of which was absent before up.
  { grep -E ' /var/lib/kubelet[/ ]' /proc/mounts || true; } | awk '{print $2}' | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
  local p; for p in "${KUBELET_PATHS[@]}"; do rm -rf "$p"; done
  ip link show "$BRIDGE" >/dev/null 2>&1 && ip link delete "$BRIDGE" || true
  # Every sysctl back to what it was before up.
  local k v
  while IFS='=' read -r k v; do
    [ "$(sysctl -n "$k" 2>/dev/null)" = "$v" ] || sysctl -qw "$k=$v" 2>/dev/null || say "warning: could not restore $k to $v"
  done <"$OWNED/sysctl.before"
  # The whole state goes: etcd's data, volumes, certificates, the records; the next up starts clean.
  rm -rf "$STATE"
  say "down in $((SECONDS - t0)) s"
}

cmd_status() {
  if running kube-apiserver && api /readyz >/dev/null 2>&1; then
    say "up; kubeconfig: $STATE/kubeconfig"; return 0
  fi
  say "not running"; return 1
}

case "${1:-}" in
  build) cmd_build ;;
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  *) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
