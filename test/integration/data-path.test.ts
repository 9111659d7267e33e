import test from 'ava';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { loadCatalogues } from '../../harness/config/load-catalogues.ts';
import { ImageBuilder } from '../../harness/images/image-builder.ts';
import { DockerBackend } from '../../harness/backends/docker/docker-backend.ts';
import { runLabels } from '../../harness/labels.ts';
import type { Environment } from '../../harness/backends/backend.ts';
import { gategrid, leftovers, readResults, tempOut } from './helpers.ts';
import { tempDir } from '../temp-dir.ts';

// Issue 21's data plane on the real engine, before neutron drives it: OVN (its databases and northd
// in one container) programs a userspace Open vSwitch (no kernel module here) in a node container;
// the hypervisor's container joins that node's network namespace (a recipe's namespaces.network),
// as Kolla's compute containers share the host's, and boots the project's guest on a tap port of
// br-int under qemu's TCG. The guest must get its address from OVN's own DHCP and answer ping and
// SSH on its floating IP (dnat_and_snat on a gateway router) from the external network: br-ex's own
// port in the node's namespace, which exists only inside this run.

const NODE = [
  'set -e',
  'ovsdb-tool create /etc/openvswitch/conf.db /usr/share/openvswitch/vswitch.ovsschema',
  'ovsdb-server --remote=punix:/var/run/openvswitch/db.sock --pidfile --detach --log-file /etc/openvswitch/conf.db',
  'ovs-vsctl --no-wait init',
  // Read at start only. Without it a guest's TCP never crossed the switch while its ping did: the
  // guest leaves TCP checksums to the device (virtio), the tap hands them on partial, and OVS 3.1's
  // userspace datapath read the tap by a raw socket without that mark, so the far end dropped every
  // SYN-ACK. With it, the raw sockets carry the offload header and the checksum is finished on the
  // way out (measured: SSH's banner on the floating IP, none without).
  'ovs-vsctl --no-wait set open . other_config:userspace-tso-enable=true',
  'ovs-vswitchd --pidfile --detach --log-file',
  'ip=$(ip -4 -o addr show eth0 | awk \'{print $4}\' | cut -d/ -f1)',
  'ovs-vsctl set open . external_ids:ovn-remote=tcp:ovn-central:6642 external_ids:ovn-encap-type=geneve external_ids:ovn-encap-ip=$ip external_ids:system-id=node-1 external_ids:ovn-bridge-datapath-type=netdev external_ids:ovn-bridge-mappings=physnet1:br-ex',
  'ovs-vsctl add-br br-ex -- set bridge br-ex datapath_type=netdev',
  'ip addr add 172.24.4.100/24 dev br-ex && ip link set br-ex up',
  'ovn-controller --pidfile --detach --log-file unix:/var/run/openvswitch/db.sock',
  'for i in $(seq 1 60); do ovs-vsctl br-exists br-int && break; sleep 0.5; done',
  // The guest's port, as libvirt makes one for an OVS interface: a tap on br-int named for its logical port.
  'ip tuntap add tap-guest mode tap && ip link set tap-guest up',
  'ovs-vsctl add-port br-int tap-guest -- set interface tap-guest external_ids:iface-id=guest',
  'echo node-ready',
  'exec sleep 3600',
].join('\n');

const TOPOLOGY = [
  'set -e',
  'ovn-nbctl ls-add tenant',
  'dhcp=$(ovn-nbctl create DHCP_Options cidr=10.0.0.0/24 options=\'"server_id"="10.0.0.1" "server_mac"="02:00:00:00:00:01" "lease_time"="3600" "router"="10.0.0.1" "mtu"="1442"\')',
  'ovn-nbctl lsp-add tenant guest -- lsp-set-addresses guest "02:00:00:00:00:13 10.0.0.13" -- lsp-set-port-security guest "02:00:00:00:00:13 10.0.0.13"',
  'ovn-nbctl lsp-set-dhcpv4-options guest "$dhcp"',
  'ovn-nbctl lr-add router',
  'ovn-nbctl lrp-add router router-tenant 02:00:00:00:00:01 10.0.0.1/24',
  'ovn-nbctl lsp-add tenant tenant-router -- lsp-set-type tenant-router router -- lsp-set-addresses tenant-router router -- lsp-set-options tenant-router router-port=router-tenant',
  'ovn-nbctl lrp-add router router-ext 02:00:00:00:00:02 172.24.4.1/24',
  'ovn-nbctl lrp-set-gateway-chassis router-ext node-1',
  'ovn-nbctl ls-add ext',
  'ovn-nbctl lsp-add ext ext-router -- lsp-set-type ext-router router -- lsp-set-addresses ext-router router -- lsp-set-options ext-router router-port=router-ext',
  'ovn-nbctl lsp-add ext ext-physnet1 -- lsp-set-type ext-physnet1 localnet -- lsp-set-addresses ext-physnet1 unknown -- lsp-set-options ext-physnet1 network_name=physnet1',
  'ovn-nbctl lr-nat-add router snat 172.24.4.1 10.0.0.0/24',
  'ovn-nbctl lr-nat-add router dnat_and_snat 172.24.4.13 10.0.0.13',
].join('\n');

/** Runs a shell script in a service, failing the test with its output when it exits non-zero. */
async function sh(env: Environment, service: string, script: string, timeoutMs = 60_000): Promise<string> {
  const r = await env.exec(service, ['sh', '-c', script], timeoutMs);
  if (r.exitCode !== 0) throw new Error(`${service}: exit ${r.exitCode}: ${r.output}`);
  return r.output;
}

test.serial('integration: OVN on a userspace switch carries the guest: DHCP lease from OVN, ping and SSH on its floating IP from the external network', async (t) => {
  const { images } = await loadCatalogues();
  const logDir = await tempDir('gategrid-it-data-path-');
  const built = await new ImageBuilder(images, { logDir }).ensureAll(['guest', 'libvirt', 'openvswitch', 'ovn-central'], 'bookworm');
  const tag = (name: string) => built.get(name)!.tag;
  const runId = `it-data-path-${Date.now()}`;
  const cellId = 'data-path/zed/docker';
  const env = await new DockerBackend().provision({ runId, cellId, logDir, labels: runLabels(runId, cellId, os.hostname()) });
  try {
    const copied = await env.runJob({
      name: 'guest-files', image: tag('guest'), env: {}, files: [], ports: [], timeoutMs: 60_000,
      volumes: [{ name: 'guest', target: '/mnt/guest' }], command: ['sh', '-c', 'cp /guest/vmlinuz /guest/initrd.img /mnt/guest/'],
    });
    t.is(copied.exitCode, 0);
    await env.startService({
      name: 'ovn-central', image: tag('ovn-central'), env: {}, files: [], volumes: [], ports: [], timeoutMs: 90_000,
      command: ['sh', '-c', '/usr/share/ovn/scripts/ovn-ctl start_northd --no-monitor --db-nb-create-insecure-remote=yes --db-sb-create-insecure-remote=yes && exec sleep 3600'],
      ready: { kind: 'exec', command: ['ovn-sbctl', '--timeout=2', 'show'] },
    });
    await sh(env, 'ovn-central', TOPOLOGY);
    await env.startService({
      name: 'node', image: tag('openvswitch'), env: {}, files: [], volumes: [], ports: [], timeoutMs: 90_000,
      // The userspace datapath's taps and internal ports: the tun device and NET_ADMIN, nothing more.
      privileges: { capabilities: ['NET_ADMIN'], devices: ['/dev/net/tun'], seccomp: 'default', apparmor: 'default' },
      command: ['sh', '-c', NODE],
      ready: { kind: 'exec', command: ['ovs-vsctl', 'port-to-br', 'tap-guest'] },
    });
    const started = Date.now();
    await env.startService({
      name: 'hypervisor', image: tag('libvirt'), env: {}, files: [], ports: [], timeoutMs: 60_000, networkOf: 'node',
      volumes: [{ name: 'guest', target: '/guest' }],
      privileges: { capabilities: ['NET_ADMIN'], devices: ['/dev/net/tun'], seccomp: 'default', apparmor: 'default' },
      command: ['qemu-system-x86_64', '-accel', 'tcg', '-m', '256', '-nographic', '-no-reboot', '-kernel', '/guest/vmlinuz', '-initrd', '/guest/initrd.img',
        '-append', 'console=ttyS0 panic=-1 quiet', '-netdev', 'tap,id=n0,ifname=tap-guest,script=no,downscript=no', '-device', 'virtio-net-pci,netdev=n0,mac=02:00:00:00:00:13'],
      ready: { kind: 'exec', command: ['true'] },
    });
    // Bounded: 90 tries, a second apart at most (TCG boots the guest in ~5 s).
    const reach = 'for i in $(seq 1 90); do ping -c 1 -W 1 172.24.4.13 >/dev/null 2>&1 && exit 0; sleep 0.5; done; exit 1';
    const pinged = await env.exec('node', ['sh', '-c', reach], 150_000);
    const pingMs = Date.now() - started;
    const banner = await env.exec('node', ['sh', '-c', 'for i in $(seq 1 30); do b=$(nc -w 3 172.24.4.13 22 </dev/null | head -c 40) && [ -n "$b" ] && { echo "$b"; exit 0; }; sleep 1; done; exit 1'], 150_000);
    const sshMs = Date.now() - started;
    const console = await readFile(env.logFile('hypervisor'), 'utf8');
    t.log(console.split('\n').filter((l) => l.includes('gategrid-guest')).join('\n'));
    t.log(`from power on: answers ping on its floating IP after ${pingMs} ms, SSH after ${sshMs} ms`);
    t.regex(console, /gategrid-guest: dhcp lease 10\.0\.0\.13\/\d+ on eth0 via 10\.0\.0\.1/, 'OVN\'s DHCP gave the guest its fixed address and the router');
    t.is(pinged.exitCode, 0, `the floating IP never answered ping; guest console:\n${console.slice(-2000)}`);
    t.regex(banner.output, /^SSH-2\.0-dropbear/, 'the guest\'s SSH server answers on its floating IP');
  } finally {
    await env.teardown();
    await env.release();
  }
});

// The same services as recipes, deployed by the runner (fixtures/scenarios/compute-node.yaml): the
// switch, the chassis and the hypervisor join the node's network namespace, and each is ready only
// when it really serves (the chassis registered in OVN's southbound database, libvirt answering).
test.serial('integration: the data plane\'s recipes deploy: OVN\'s control plane, a node whose switch, chassis and hypervisor share its namespace', async (t) => {
  const out = await tempOut('compute-node');
  const run = await gategrid(['run', '--scenario', 'fixtures/scenarios/compute-node.yaml', '--release', 'zed', '--out', out]);
  t.log(run.all.split('\n').filter((l) => /service .* (passed|failed)|PASSED|FAILED/.test(l)).join('\n'));
  t.is(run.exitCode, 0, run.all.slice(-3000));
  const results = await readResults(out);
  const cell = results.cells[0]!;
  t.is(cell.status, 'passed');
  for (const id of ['smoke.service.ovn-central', 'smoke.service.ovn-controller', 'smoke.service.libvirt', 'logs.openvswitch-vswitchd']) {
    t.is(cell.checks.find((c) => c.id === id)?.status, 'passed', id);
  }
  t.deepEqual(await leftovers(results.run.id), []);
});
