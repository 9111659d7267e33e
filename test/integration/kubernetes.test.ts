import test from 'ava';
import { readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { repoRoot } from '../../harness/config/paths.ts';
import { KubeApi, loadKubeConfig } from '../../harness/backends/kubernetes/kube-api.ts';
import { KubeConfig, RbacAuthorizationV1Api, type V1ClusterRole, type V1ClusterRoleBinding } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { ANNOTATION_HEARTBEAT, heartbeatFresh, LABEL_PID, LABEL_RUN, runLabels } from '../../harness/labels.ts';
import { KubernetesBackend } from '../../harness/backends/kubernetes/kubernetes-backend.ts';
import type { KubernetesEnvironment } from '../../harness/backends/kubernetes/kubernetes-environment.ts';
import { LocalProvider, localClusterState } from '../../harness/backends/kubernetes/providers/local-provider.ts';
import { gategrid, loginWithOpenrc, readResults, tempOut } from './helpers.ts';
import { freeLoopbackPort } from '../../harness/util/free-port.ts';
import { pollUntil } from '../../harness/checks/poll.ts';

// The kubernetes backend on a real cluster: Kubernetes 1.20 built from Debian's source (cached
// outside the clone, built when absent), its pods on this host's Docker engine. The cluster is
// started here and stopped at the end, and the stop is checked to leave nothing on the host. The
// kubeconfig provider's push path is tested against Debian's docker-registry on 127.0.0.1 (which
// `npm run cluster -- up` installs).

const cluster = (command: string) => execa('bash', [path.join(repoRoot, 'scripts/cluster.sh'), command], { reject: false, all: true, timeout: 40 * 60_000 });

async function namespacesOf(runId: string): Promise<string[]> {
  const api = new KubeApi(loadKubeConfig(path.join(localClusterState(), 'kubeconfig')));
  const list = await api.core.listNamespace({ labelSelector: `${LABEL_RUN}=${runId}` });
  return list.items.map((n) => n.metadata!.name!);
}

// The cluster runs beside the other test files' Docker deployments (AVA runs two files at once). Its
// pods sit in kubelet's own cgroups (scripts/cluster.sh: cgroupsPerQOS): without them each pod had 2
// CPU shares beside a Docker container's 1024, so a Docker deployment beside starved them (a keystone
// kill test took 22 → 92 s), and this file had to take the machine alone.
// Another tool's chains (named like Kubernetes' and CNI's, one with a rule and a jump from a base
// chain) and files, present before up: up and down must leave them exactly as they were.
const FOREIGN = [
  'iptables -t filter -N KUBE-OTHER-TOOL', "iptables -t filter -A KUBE-OTHER-TOOL -m comment --comment 'another tool; $(touch /tmp/gg-eval-ran)' -j RETURN",
  'iptables -t filter -A INPUT -m comment --comment "another tool" -j KUBE-OTHER-TOOL', 'iptables -t nat -N CNI-OTHER-TOOL',
  'mkdir -p /var/lib/cni/networks/other-tool', 'echo 10.88.0.2 > /var/lib/cni/networks/other-tool/last_reserved_ip.0',
];
const foreignState = async () => (await execa('sh', ['-c', 'iptables-save | grep -E "OTHER-TOOL" | sed "s/\\[[0-9:]*\\]//"; cat /var/lib/cni/networks/other-tool/last_reserved_ip.0'])).stdout;
let foreignBefore = '';
const asNobody = (url: string) => execa('runuser', ['-u', 'nobody', '--', 'curl', '-sk', '--max-time', '5', '-o', '/dev/null', '-w', '%{http_code}', url], { reject: false });

test.before(async (t) => {
  await execa('sh', ['-c', 'rm -f /tmp/gg-eval-ran; iptables -t filter -D INPUT -m comment --comment "another tool" -j KUBE-OTHER-TOOL 2>/dev/null; iptables -t filter -F KUBE-OTHER-TOOL 2>/dev/null; iptables -t filter -X KUBE-OTHER-TOOL 2>/dev/null; iptables -t nat -X CNI-OTHER-TOOL 2>/dev/null; true']);
  for (const command of FOREIGN) await execa('sh', ['-c', command]);
  await execa('rm', ['-f', '/tmp/gg-eval-ran']);
  foreignBefore = await foreignState();
  // A host already holding a chain kubelet makes under a fixed name is refused, and left as it was.
  if ((await execa('test', ['-d', path.join(localClusterState(), 'owned')], { reject: false })).exitCode === 0) {
    t.log('a cluster of ours is already up: the refusal is not tried');
  } else {
    await execa('iptables', ['-t', 'mangle', '-N', 'KUBE-KUBELET-CANARY']);
    const refused = await cluster('up');
    await execa('iptables', ['-t', 'mangle', '-X', 'KUBE-KUBELET-CANARY']);
    if (refused.exitCode === 0 || !/refusing to start over it[\s\S]*iptables chain KUBE-KUBELET-CANARY exists/.test(refused.all)) {
      throw new Error(`up started over another cluster's chain:\n${refused.all.slice(-2000)}`);
    }
  }
  const up = await cluster('up');
  t.log(up.all.split('\n').filter((l) => l.startsWith('[cluster]')).join('\n'));
  if (up.exitCode !== 0) throw new Error(`the local cluster did not come up:\n${up.all.slice(-3000)}`);
});

test.serial('integration: nothing of the local cluster answers an unprivileged local user with data (etcd, apiserver, kubelet)', async (t) => {
  // etcd's client and peer listeners want a client certificate (the TLS handshake fails: 000); the
  // apiserver and kubelet refuse an anonymous request (401).
  const urls = ['https://127.0.0.1:23790/v2/keys', 'https://127.0.0.1:23790/version', 'https://127.0.0.1:23800/members', 'http://127.0.0.1:23790/version',
    'https://127.0.0.1:6443/version', 'https://127.0.0.1:6443/api/v1/secrets', 'https://10.244.0.1:10250/pods', 'https://10.244.0.1:10250/runningpods/', 'http://10.244.0.1:10255/pods'];
  for (const url of urls) {
    const code = (await asNobody(url)).stdout.trim();
    t.true(['000', '401', '403'].includes(code), `${url} answered ${code} to user nobody`);
  }
  // The same kubelet answers the cluster's admin (the test would pass on a dead kubelet otherwise);
  // -k: the kubelet serves its own self-signed certificate (kubelet-pki), as kubeadm's does.
  const state = localClusterState();
  const admin = await execa('curl', ['-sk', '--max-time', '5', '-o', '/dev/null', '-w', '%{http_code}', '--cert', `${state}/pki/admin.crt`, '--key', `${state}/pki/admin.key`, 'https://10.244.0.1:10250/pods'], { reject: false });
  t.is(admin.stdout.trim(), '200');
});

test.serial('integration: core on zed deploys on Kubernetes and is green with the Docker cell\'s checks, Tempest smoke included; no namespace left', async (t) => {
  const out = await tempOut('kube-core');
  const run = await gategrid(['run', '--scenario', 'core', '--release', 'zed', '--backend', 'kubernetes', '--out', out]);
  t.log(run.all.split('\n').filter((l) => /passed in|failed|error|tempest:/.test(l)).slice(-25).join('\n'));
  t.is(run.exitCode, 0, run.all.slice(-4000));
  const results = await readResults(out);
  const cell = results.cells[0]!;
  t.is(cell.id, 'core/zed/kubernetes');
  t.is(cell.status, 'passed');
  const ids = new Set(cell.checks.map((c) => c.id));
  for (const id of ['smoke.service.keystone', 'smoke.service.glance-api', 'smoke.service.placement-api', 'smoke.endpoint.identity',
    'api.identity.token-issue', 'api.image.lifecycle', 'api.placement.resource-provider', 'logs.keystone', 'logs.mariadb']) {
    t.true(ids.has(id), `missing check ${id}`);
  }
  const tempest = cell.checks.filter((c) => c.kind === 'tempest');
  t.true(tempest.filter((c) => c.status === 'passed').length >= 10, 'Tempest smoke ran tests that passed');
  t.is(tempest.filter((c) => c.status === 'failed').length, 0);
  // Logs streamed from the pods to the same files as on Docker.
  t.regex(await readFile(path.join(out, cell.artifacts.logs, 'keystone.log'), 'utf8'), /uwsgi|WSGI/i);
  t.deepEqual(await namespacesOf(results.run.id), []);
});

// Issue 24, item 7: the notes example (a project outside OpenStack) on the local cluster: the same
// scenario files as on Docker; the db's volume seeded from the image (hostPath) and its numeric user,
// PostgreSQL's own upgrade on the volume in the upgrade cell, the rows read back after it.
test.serial('integration: the notes example on Kubernetes: its scenario green on bookworm, its upgrade to trixie keeps the rows through pg_upgrade; no namespace left', async (t) => {
  const out = await tempOut('kube-notes');
  const run = await gategrid(['--config', 'examples/notes/gategrid.config.yaml', 'run', '--release', 'bookworm', '--backend', 'kubernetes', '--out', out]);
  t.log(run.all.split('\n').filter((l) => /PASSED|FAILED|ERROR|gategrid run/.test(l)).join('\n'));
  t.is(run.exitCode, 0, run.all.slice(-4000));
  const results = await readResults(out);
  t.deepEqual(results.cells.map((c) => `${c.id} ${c.status}`), ['notes/bookworm/kubernetes passed', 'notes-upgrade/bookworm/kubernetes passed']);
  const upgrade = new Map(results.cells[1]!.checks.map((c) => [c.id, c]));
  for (const id of ['upgrade.service.db', 'upgrade.data.verify.rows-through-the-app', 'upgrade.data.verify.served-by-postgresql-17']) {
    t.is(upgrade.get(id)?.status, 'passed', `${id}: ${upgrade.get(id)?.message ?? 'absent'}`);
  }
  t.regex(await readFile(path.join(out, results.cells[1]!.artifacts.logs, 'db.log'), 'utf8'), /pg-start: upgraded to PostgreSQL 17/);
  t.deepEqual(await namespacesOf(results.run.id), []);
});

test.serial('integration: a keystone pod killed mid-run turns the Kubernetes cell failed, naming keystone', async (t) => {
  const out = await tempOut('kube-fault');
  const run = await gategrid(['run', '--scenario', 'identity', '--release', 'zed', '--backend', 'kubernetes', '--tempest', 'none',
    '--inject-fault', 'identity/zed/kubernetes:kill=keystone,after=0', '--out', out]);
  t.is(run.exitCode, 1, run.all.slice(-3000));
  const results = await readResults(out);
  const cell = results.cells[0]!;
  t.is(cell.status, 'failed');
  t.is(cell.phases.find((p) => p.name === 'deploy')?.status, 'passed', 'the pod was killed after the deploy');
  t.regex(cell.reason ?? '', /keystone|identity/i, 'the reason names keystone');
  const red = cell.checks.filter((c) => c.status === 'failed').map((c) => c.id);
  t.true(red.some((id) => /keystone|identity/.test(id)), red.join(', '));
  t.deepEqual(await namespacesOf(results.run.id), []);
});

// The shipped least-privilege role (examples/kubernetes/gategrid-rbac.yaml), applied as a cluster's
// admin would, and a kubeconfig of its ServiceAccount's token: the kubeconfig provider's test runs
// with exactly those rights, so a right the code needs and the file lacks fails it. Returns the
// kubeconfig's path and the removal of what it applied.
async function shippedRoleKubeconfig(dir: string): Promise<{ file: string; remove: () => Promise<void> }> {
  const adminKc = loadKubeConfig(path.join(localClusterState(), 'kubeconfig'));
  const admin = new KubeApi(adminKc);
  const rbac = adminKc.makeApiClient(RbacAuthorizationV1Api);
  const docs = parseAllDocuments(await readFile(path.join(repoRoot, 'examples/kubernetes/gategrid-rbac.yaml'), 'utf8')).map((d) => d.toJS() as { kind: string; metadata: { name: string; namespace?: string } });
  const of = (kind: string) => docs.find((d) => d.kind === kind)!;
  const remove = async () => {
    await rbac.deleteClusterRoleBinding({ name: of('ClusterRoleBinding').metadata.name }).catch(() => undefined);
    await rbac.deleteClusterRole({ name: of('ClusterRole').metadata.name }).catch(() => undefined);
    await admin.core.deleteNamespace({ name: of('Namespace').metadata.name }).catch(() => undefined);
  };
  await remove();
  // A namespace of an earlier run of this test may still be terminating.
  await pollUntil('the role\'s namespace', () => admin.core.createNamespace({ body: of('Namespace') }).then(() => true, () => false), (made) => made, { timeoutMs: 120_000, intervalMs: 2_000 });
  const account = of('ServiceAccount');
  await admin.core.createNamespacedServiceAccount({ namespace: account.metadata.namespace!, body: account });
  await rbac.createClusterRole({ body: of('ClusterRole') as V1ClusterRole });
  await rbac.createClusterRoleBinding({ body: of('ClusterRoleBinding') as V1ClusterRoleBinding });
  // Kubernetes 1.20 makes the account's token Secret itself.
  const token = await pollUntil('the account\'s token', async () => {
    const sa = await admin.core.readNamespacedServiceAccount({ name: account.metadata.name, namespace: account.metadata.namespace! });
    const secret = sa.secrets?.[0]?.name;
    if (!secret) return undefined;
    const data = (await admin.core.readNamespacedSecret({ name: secret, namespace: account.metadata.namespace! })).data?.token;
    return data ? Buffer.from(data, 'base64').toString('utf8') : undefined;
  }, (t) => t !== undefined, { timeoutMs: 60_000, intervalMs: 1_000 });
  const cluster = adminKc.getCurrentCluster()!;
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [cluster], contexts: [{ name: 'gategrid', cluster: cluster.name, user: 'gategrid' }], currentContext: 'gategrid',
    users: [{ name: 'gategrid', token: token! }],
  });
  const file = path.join(dir, 'role.kubeconfig');
  await writeFile(file, kc.exportConfig(), { mode: 0o600 });
  return { file, remove };
}

// The identity upgrade, from a scenario file as on Docker, here through the kubeconfig provider:
// every image of both releases is pushed to the registry and pulled from there. Its scenario puts
// keystone behind haproxy, which starts first and reaches keystone by name (every Service made before
// the first pod), and sets a downtime budget of zero, which an in-place upgrade cannot keep: every
// upgrade check passes but the downtime one, which turns the cell red (how the tests prove that the
// budget gates). It runs as a ServiceAccount bound to the shipped role alone.
test.serial('integration: the identity upgrade (zed → 2025.1) runs on Kubernetes with only the shipped role, its images pushed to a registry (Debian\'s docker-registry on 127.0.0.1): resources kept, downtime measured, red over a zero downtime budget', async (t) => {
  const dir = await tempOut('kube-registry');
  const role = await shippedRoleKubeconfig(dir);
  const port = await freeLoopbackPort();
  // The registry's storage outlives the test, as a real CI registry does: a push of layers it holds
  // is a check per layer, not an upload (an upload of both releases' images was ~50 s of this
  // exclusive file). That this run pushed is read from the registry's own log below.
  const store = process.env.GATEGRID_TEST_REGISTRY ?? '/var/cache/gategrid/test-registry';
  // Bounded: every image rebuilt adds its layers, and nothing else ever removes them. Past 2 GiB the
  // store starts again empty (one upload of both releases' images, ~50 s, then checks again).
  const size = Number((await execa('du', ['-sb', store], { reject: false })).stdout.split('\t')[0] ?? 0);
  if (size > 2 * 2 ** 30) {
    t.log(`the test registry held ${(size / 2 ** 30).toFixed(1)} GiB: emptied`);
    await rm(store, { recursive: true, force: true });
  }
  await writeFile(path.join(dir, 'registry.yml'), [
    'version: 0.1', 'log: { level: info, accesslog: { disabled: false } }', `storage: { filesystem: { rootdirectory: ${store} }, delete: { enabled: true } }`,
    `http: { addr: "127.0.0.1:${port}" }`, '',
  ].join('\n'));
  const registry = execa('docker-registry', ['serve', path.join(dir, 'registry.yml')], { reject: false, all: true, buffer: false });
  let registryLog = '';
  registry.all!.on('data', (chunk: Buffer) => { registryLog += String(chunk); });
  try {
    const answered = await pollUntil('the registry', () => fetch(`http://127.0.0.1:${port}/v2/`).then((r) => r.status, () => 0), (status) => status === 200,
      { timeoutMs: 30_000, intervalMs: 250 }).then(() => true, () => false);
    t.true(answered, 'the registry answers');
    await writeFile(path.join(dir, 'gategrid.config.yaml'), [
      'matrix: { scenarios: [identity-upgrade], releases: [zed], backends: [kubernetes] }',
      'kubernetes:', '  provider: kubeconfig', '  kubeconfig:',
      `    file: ${role.file}`, `    registry: 127.0.0.1:${port}`,
      `    hostPathVolumes: ${path.join(localClusterState(), 'volumes')}`, '',
    ].join('\n'));
    const out = path.join(dir, 'out');
    // The config's matrix names the shipped scenario; --scenario picks its zero-budget variant.
    const run = await gategrid(['run', '--config', path.join(dir, 'gategrid.config.yaml'), '--scenario', 'fixtures/scenarios/identity-upgrade-no-downtime-budget.yaml',
      '--tempest', 'none', '--out', out]);
    t.log(run.all.split('\n').filter((l) => /(images|deploy|checks|upgrade|teardown) passed in|PASSED|FAILED/.test(l)).join('\n'));
    t.log(registryLog.split('\n').filter((l) => /"(GET|HEAD|PUT) \/v2\/[\w/-]+\/manifests\//.test(l)).map((l) => l.replace(/^.*"((GET|HEAD|PUT) \S+).*$/, '$1')).join('\n'));
    t.is(run.exitCode, 1, run.all.slice(-3000));
    const results = await readResults(out);
    const cell = results.cells[0]!;
    t.is(cell.id, 'identity-upgrade-no-downtime-budget/zed/kubernetes');
    t.is(cell.status, 'failed');
    t.regex(cell.reason ?? '', /^upgrade\.downtime\.identity: unavailable [\d.]+ s .*over the budget of 0 s$/);
    t.deepEqual(cell.checks.filter((c) => c.status !== 'passed' && c.status !== 'skipped').map((c) => c.id), ['upgrade.downtime.identity'], 'only the budget is broken');
    t.regex(run.all, /reproduce: npx gategrid run --scenario \S*identity-upgrade-no-downtime-budget\.yaml --release zed --backend kubernetes/);
    const byId = new Map(cell.checks.map((c) => [c.id, c]));
    t.is(byId.get('upgrade.service.keystone')?.status, 'passed');
    t.is(byId.get('upgrade.resources.identity')?.status, 'passed');
    t.true(typeof (byId.get('upgrade.downtime.identity')?.details as { downtimeMs?: number } | undefined)?.downtimeMs === 'number', 'the identity downtime is measured');
    const catalog = await (await fetch(`http://127.0.0.1:${port}/v2/_catalog`)).json() as { repositories: string[] };
    for (const image of ['gategrid/keystone', 'gategrid/mariadb', 'gategrid/memcached', 'gategrid/haproxy']) t.true(catalog.repositories.includes(image), `${image} was pushed`);
    // This run pushed every image of both releases (a manifest PUT each), and the cluster pulled them.
    const pushed = new Set([...registryLog.matchAll(/"PUT \/v2\/([\w/-]+)\/manifests\/([\w.-]+) HTTP/g)].map((m) => `${m[1]}:${m[2]}`));
    const used = Object.values(cell.images ?? {}).map(String);
    t.true(used.length >= 5, used.join(', '));
    for (const image of used) t.true(pushed.has(image), `${image} pushed this run (pushed: ${[...pushed].join(', ')})`);
    t.is(used.filter((tag) => tag.split(':')[1]!.startsWith('trixie-')).length, 1, 'the release moved to came from the registry too');
    t.regex(registryLog, /"(GET|HEAD) \/v2\/gategrid\/keystone\/manifests\/trixie-/, 'the cluster pulled 2025.1\'s keystone');
    t.deepEqual(await namespacesOf(results.run.id), []);
    // The account may do what gategrid does and no more: not read another namespace's Secrets.
    const bound = new KubeApi(loadKubeConfig(role.file));
    const denied = await bound.core.listNamespacedSecret({ namespace: 'kube-system' }).then(() => 'listed', (e: unknown) => String((e as { code?: number }).code ?? e));
    t.is(denied, '403', 'the shipped role lists no other namespace\'s Secrets');
  } finally {
    await role.remove();
    registry.kill();
    await registry;
    // The local cluster's node is this engine: its kubelet pulled the images under the registry's
    // names (gategrid's own tags for the push are removed after it: providers.test.ts). Those pulls
    // are the node's image cache, named after this test's registry that is now gone: removed here.
    const pulled = (await execa('docker', ['images', '--format', '{{.Repository}}:{{.Tag}}', '--filter', `reference=127.0.0.1:${port}/*/*`])).stdout.trim();
    if (pulled) await execa('docker', ['rmi', '--no-prune', ...pulled.split('\n')], { reject: false });
  }
});

test.after.always('the cluster stops and removes exactly what it made: no chain, mount, cgroup or kubelet container of its own left, every sysctl and another tool\'s chains and files as they were', async (t) => {
  // What the host had before the cluster changed it, as `up` recorded it.
  const sysctls = (await readFile(path.join(localClusterState(), 'owned', 'sysctl.before'), 'utf8')).trim().split('\n').map((l) => l.split('='));
  t.true(sysctls.some(([k]) => k === 'kernel.panic'), 'up recorded kubelet\'s kernel sysctls');
  const down = await cluster('down');
  t.is(down.exitCode, 0, down.all.slice(-2000));
  t.is(await foreignState(), foreignBefore, 'another tool\'s chains, rules and files are as they were');
  t.is((await execa('test', ['-e', '/tmp/gg-eval-ran'], { reject: false })).exitCode, 1, 'a rule comment was never run as a command');
  await execa('sh', ['-c', 'iptables -t filter -D INPUT -m comment --comment "another tool" -j KUBE-OTHER-TOOL; iptables -t filter -F KUBE-OTHER-TOOL; iptables -t filter -X KUBE-OTHER-TOOL; iptables -t nat -X CNI-OTHER-TOOL; rm -rf /var/lib/cni/networks/other-tool']);
  const chains = (await execa('sh', ['-c', 'iptables-save | grep -E "^:(KUBE|CNI)-" || true'])).stdout.trim();
  t.is(chains, '', 'iptables chains left');
  for (const [key, value] of sysctls) t.is((await execa('sysctl', ['-n', key!])).stdout.trim(), value ?? '', `${key} is back to what it was`);
  const mounts = (await readFile('/proc/mounts', 'utf8')).split('\n').filter((l) => l.includes('/var/lib/kubelet'));
  t.deepEqual(mounts, []);
  const containers = (await execa('docker', ['ps', '-aq', '--filter', 'label=io.kubernetes.docker.type'])).stdout.trim();
  t.is(containers, '', 'kubelet-created containers left');
  t.is((await execa('ip', ['link', 'show', 'gg-cni0'], { reject: false })).exitCode, 1, 'the pod bridge is gone');
  const cgroups = (await execa('sh', ['-c', 'ls -d /sys/fs/cgroup/*/kubepods 2>/dev/null || true'])).stdout.trim();
  t.is(cgroups, '', 'kubelet\'s pod cgroups are gone');
});


test.serial('integration: a run\'s namespace beats while the run lives; prune spares a fresh heartbeat from any host, and removes it once told not to', async (t) => {
  const backend = new KubernetesBackend(new LocalProvider());
  const runId = `hb-${Date.now()}`;
  const env = await backend.provision({ runId, cellId: 'identity/zed/kubernetes', logDir: await tempOut('kube-heartbeat'), labels: { ...runLabels(runId, 'identity/zed/kubernetes', 'another-ci-runner'), [LABEL_PID]: '1' } }) as KubernetesEnvironment;
  try {
    const api = new KubeApi(loadKubeConfig(path.join(localClusterState(), 'kubeconfig')));
    const read = async () => (await api.core.readNamespace({ name: env.namespace })).metadata?.annotations?.[ANNOTATION_HEARTBEAT];
    const first = await read();
    t.truthy(first, 'made with a heartbeat');
    await new Promise((r) => setTimeout(r, 1_100));
    await env.heartbeat();
    const second = await read();
    t.true(Date.parse(second!) > Date.parse(first!), `${first} → ${second}`);
    // Another host's run, its pid meaningless here: alive by its heartbeat alone.
    const spared = await backend.removeByLabel({ [LABEL_RUN]: runId }, (owner) => heartbeatFresh(owner));
    t.deepEqual(spared, { removed: { namespace: 0 }, spared: [runId] });
  } finally {
    await env.release();
    const removed = await backend.removeByLabel({ [LABEL_RUN]: runId });
    t.deepEqual(removed.removed, { namespace: 1 });
  }
});

test.serial('integration: a pod refused by a quota makes the service an infrastructure error naming the quota, not "did not become ready"', async (t) => {
  const backend = new KubernetesBackend(new LocalProvider());
  const runId = `quota-${Date.now()}`;
  const env = await backend.provision({ runId, cellId: 'identity/zed/kubernetes', logDir: await tempOut('kube-quota'), labels: runLabels(runId, 'identity/zed/kubernetes', os.hostname()) }) as KubernetesEnvironment;
  try {
    const api = new KubeApi(loadKubeConfig(path.join(localClusterState(), 'kubeconfig')));
    await api.core.createNamespacedResourceQuota({ namespace: env.namespace, body: { metadata: { name: 'no-pods' }, spec: { hard: { pods: '0' } } } });
    const started = Date.now();
    const error = await t.throwsAsync(env.startService({
      name: 'memcached', image: 'gategrid/memcached:not-needed', env: {}, files: [], volumes: [], ports: [], timeoutMs: 120_000,
      ready: { kind: 'exec', command: ['true'] },
    }));
    t.regex(error!.message, /^memcached: the cluster refuses to create its pod \(a resource quota\): ReplicaSet\/memcached-[a-z0-9]+: .*exceeded quota: no-pods/);
    t.is(error!.name, 'InfraError');
    t.true(Date.now() - started < 60_000, 'said well before the readiness timeout');
  } finally {
    await env.teardown();
  }
});

test.serial('integration: gategrid forward re-opens a kept Kubernetes cell\'s published ports, and its kept openrc logs in through them', async (t) => {
  const out = await tempOut('kube-forward');
  const run = await gategrid(['run', '--cell', 'identity/zed/kubernetes', '--tempest', 'none', '--keep', 'always', '--out', out]);
  t.is(run.exitCode, 0, run.all.slice(-3000));
  const runId = (await readResults(out)).run.id;
  const forward = execa(process.execPath, [path.join(repoRoot, 'harness/cli/main.ts'), 'forward', runId, '--out', out, '--for', '300'], { reject: false, all: true, cwd: repoRoot });
  try {
    // Bounded: the forward says it listens within a minute.
    const said = await new Promise<string>((resolve, reject) => {
      let text = '';
      const timer = setTimeout(() => reject(new Error(`gategrid forward said nothing useful within 60 s: ${text}`)), 60_000);
      forward.all!.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        if (/forwarding \d+ port\(s\)/.test(text)) {
          clearTimeout(timer);
          resolve(text);
        }
      });
    });
    t.regex(said, /keystone:5000 on 127\.0\.0\.1:\d+/);
    const session = await loginWithOpenrc(path.join(out, 'kept', 'identity-zed-kubernetes', 'openrc'));
    t.truthy(session.token, 'the kept keystone answers through the re-opened port');
  } finally {
    forward.kill('SIGINT');
    const ended = await forward;
    t.is(ended.exitCode, 0, ended.all);
    const down = await gategrid(['down', runId]);
    t.is(down.exitCode, 0, down.all);
  }
  // down deletes the namespace in the background: gone within three minutes.
  await pollUntil(`run ${runId}'s namespaces`, () => namespacesOf(runId), (ns) => ns.length === 0, { timeoutMs: 180_000, intervalMs: 2_000 });
  t.pass();
});
