import test from 'ava';
import type { ContainerSpec, JobSpec } from '../../../harness/backends/backend.ts';
import { jobManifest, kubeLabels, labelValue, namespaceManifest, namespaceName, parsePublished, PUBLISHED_ANNOTATION, secretManifest, serviceManifest, workloadManifest, type ObjectContext } from '../../../harness/backends/kubernetes/manifests.ts';
import { movedPorts } from '../../../harness/backends/kubernetes/kept-forwards.ts';
import { ANNOTATION_HEARTBEAT, HEARTBEAT_FRESH_MS, HEARTBEAT_MS, heartbeatFresh } from '../../../harness/labels.ts';

const ctx: ObjectContext = {
  namespace: 'gg-0102-ab12-core-zed-kubernetes',
  labels: { 'io.gategrid.owner': 'gategrid', 'io.gategrid.run': '20261122-010203-ab12', 'io.gategrid.cell': 'core/zed/kubernetes' },
  image: { ref: 'gategrid/keystone:0123abcd', pullPolicy: 'Never' },
  hosts: new Map([['mariadb', '10.96.0.10'], ['memcached', '10.96.0.11']]),
  volumes: { kind: 'hostPath', root: '/var/lib/gategrid-k8s/volumes' },
};

const keystone: ContainerSpec = {
  name: 'keystone', image: 'gategrid/keystone:0123abcd', env: { OS_PASSWORD: 's3cret' },
  files: [{ target: '/etc/keystone/keystone.conf', content: '[database]\nconnection = mysql://k:s3cret@mariadb/k\n', mode: 0o640 }],
  volumes: [{ name: 'fernet-keys', target: '/etc/keystone/fernet-keys' }],
  ports: [{ container: 5000, host: 41234 }], listens: [5000], timeoutMs: 120_000,
};

test('label values are made valid for Kubernetes; the exact values stay in annotations', (t) => {
  t.is(labelValue('core/zed/kubernetes'), 'core_zed_kubernetes');
  t.is(labelValue('/x/'), 'x');
  t.is(labelValue('a'.repeat(80)).length, 63);
  const { labels, annotations } = kubeLabels(ctx.labels);
  t.is(labels['io.gategrid.cell'], 'core_zed_kubernetes');
  t.is(annotations['io.gategrid.cell'], 'core/zed/kubernetes');
});

test('a namespace name is a DNS label of at most 63 characters, per run and cell', (t) => {
  const name = namespaceName('20261122-010203-ab12', 'identity-upgrade/2025.1/kubernetes');
  t.regex(name, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
  t.true(name.length <= 63);
  t.not(name, namespaceName('20261122-010203-ab12', 'identity/2025.1/kubernetes'));
});

test('configs and environment go into a Secret, never into the pod spec', (t) => {
  const secret = secretManifest(keystone, ctx);
  t.is(secret.kind, 'Secret');
  t.is(secret.stringData!['file-0'], keystone.files[0]!.content);
  t.is(secret.stringData!['env-OS_PASSWORD'], 's3cret');
  const workload = workloadManifest(keystone, ctx);
  t.false(JSON.stringify(workload).includes('s3cret'));
  const main = workload.spec!.template.spec!.containers[0]!;
  t.deepEqual(main.env, [{ name: 'OS_PASSWORD', valueFrom: { secretKeyRef: { name: 'keystone-config', key: 'env-OS_PASSWORD' } } }]);
  t.deepEqual(main.volumeMounts![0], { name: 'config', mountPath: '/etc/keystone/keystone.conf', subPath: 'file-0', readOnly: true });
  t.is(workload.spec!.template.spec!.volumes![0]!.secret!.items![0]!.mode, 0o640);
});

test('a service with a volume is a StatefulSet whose init container fills the volume as Docker does', (t) => {
  const workload = workloadManifest(keystone, ctx);
  t.is(workload.kind, 'StatefulSet');
  const pod = workload.spec!.template.spec!;
  t.is(pod.volumes!.find((v) => v.name === 'vol-fernet-keys')!.hostPath!.path, '/var/lib/gategrid-k8s/volumes/gg-0102-ab12-core-zed-kubernetes/fernet-keys');
  const init = pod.initContainers![0]!;
  t.is(init.securityContext!.runAsUser, 0);
  t.regex(init.command![2]!, /cp -a '\/etc\/keystone\/fernet-keys\/\.' '\/gategrid-volumes\/0\/'/);
  t.regex(init.command![2]!, /chown --reference=/);
});

test('pods find the cell\'s services by name through hostAliases, with no service links and no API token', (t) => {
  const pod = workloadManifest({ ...keystone, volumes: [] }, ctx).spec!.template.spec!;
  t.deepEqual(pod.hostAliases, [{ ip: '10.96.0.10', hostnames: ['mariadb'] }, { ip: '10.96.0.11', hostnames: ['memcached'] }]);
  t.false(pod.enableServiceLinks);
  t.false(pod.automountServiceAccountToken);
  t.is(pod.hostname, 'keystone');
  t.is(pod.containers[0]!.imagePullPolicy, 'Never');
});

test('a Service covers every port the recipe listens on; none for a container that listens on none', (t) => {
  const svc = serviceManifest('keystone', [5000, 35357], ctx)!;
  t.deepEqual(svc.spec!.ports!.map((p) => p.port), [5000, 35357]);
  t.deepEqual(svc.spec!.selector, { 'io.gategrid.name': 'keystone' });
  t.is(serviceManifest('keystone', [], ctx), undefined);
});

test('a Job never retries, has a deadline, keeps the image command as args, and shares its outputs folder with a keeper', (t) => {
  const job: JobSpec = { ...keystone, name: 'tempest', volumes: [], command: ['run-tempest', '--x'], timeoutMs: 90_000, outputs: { dir: '/ws/out', files: ['results.subunit'], to: '/tmp/x' } };
  const m = jobManifest(job, ctx);
  t.is(m.spec!.backoffLimit, 0);
  t.is(m.spec!.activeDeadlineSeconds, 90);
  const pod = m.spec!.template.spec!;
  t.is(pod.restartPolicy, 'Never');
  t.deepEqual(pod.containers[0]!.args, ['run-tempest', '--x']);
  t.is(pod.containers[0]!.command, undefined);
  t.deepEqual(pod.containers[1]!.command, ['sleep', '90']);
  t.true(pod.containers[0]!.volumeMounts!.some((v) => v.mountPath === '/ws/out'));
});

test('a named user, fine for Docker, is refused on Kubernetes with the fix', (t) => {
  t.throws(() => workloadManifest({ ...keystone, user: 'keystone' }, ctx), { message: /must be numeric.*USER in the image/ });
  t.deepEqual(workloadManifest({ ...keystone, user: '42:43' }, ctx).spec!.template.spec!.containers[0]!.securityContext, { runAsUser: 42, runAsGroup: 43 });
});

test('with claims, volumes are PersistentVolumeClaims', (t) => {
  const pod = workloadManifest(keystone, { ...ctx, volumes: { kind: 'pvc', size: '1Gi' } }).spec!.template.spec!;
  t.deepEqual(pod.volumes!.find((v) => v.name === 'vol-fernet-keys')!.persistentVolumeClaim, { claimName: 'vol-fernet-keys' });
});

test('declared capabilities and seccomp reach the pod\'s securityContext; a host device is refused with the reason and the fix', (t) => {
  const withCaps = workloadManifest({ ...keystone, privileges: { capabilities: ['NET_ADMIN'], devices: [], seccomp: 'unconfined', apparmor: 'default' } }, ctx);
  t.deepEqual(withCaps.spec!.template.spec!.containers[0]!.securityContext, { capabilities: { add: ['NET_ADMIN'] }, seccompProfile: { type: 'Unconfined' } });
  t.is(workloadManifest(keystone, ctx).spec!.template.spec!.containers[0]!.securityContext, undefined, 'an ordinary recipe: nothing added');
  t.throws(() => workloadManifest({ ...keystone, privileges: { capabilities: [], devices: ['/dev/net/tun'], seccomp: 'default', apparmor: 'default' } }, ctx),
    { message: /needs host devices \(\/dev\/net\/tun\).*device plugin.*unsupported on kubernetes/ });
});

test('a cell\'s namespace carries its first heartbeat; a heartbeat is fresh for four beats, from any host', (t) => {
  const ns = namespaceManifest('gg-1a2b-identity-zed', { 'io.gategrid.run': 'r1', 'io.gategrid.host': 'ci-runner-7' }, new Date('2026-12-07T03:00:00Z'));
  t.is(ns.metadata?.annotations?.[ANNOTATION_HEARTBEAT], '2026-12-07T03:00:00.000Z');
  t.is(ns.metadata?.labels?.['io.gategrid.run'], 'r1');
  const at = Date.parse('2026-12-07T03:00:00Z');
  t.true(heartbeatFresh(ns.metadata!.annotations!, at + 3 * HEARTBEAT_MS));
  t.false(heartbeatFresh(ns.metadata!.annotations!, at + HEARTBEAT_FRESH_MS + 1));
  t.false(heartbeatFresh({}, at), 'no heartbeat: not known to be live');
  t.false(heartbeatFresh({ [ANNOTATION_HEARTBEAT]: 'yesterday' }, at));
});

test('a workload carries its published ports, container:host, read back by gategrid forward; a kept openrc follows a moved port only', (t) => {
  const spec = { name: 'keystone', image: 'x', env: {}, files: [], volumes: [], ports: [{ container: 5000, host: 41234 }, { container: 35357, host: 41235 }], timeoutMs: 1000, ready: { kind: 'exec', command: ['true'] } } as const;
  const w = workloadManifest(spec as unknown as ContainerSpec, ctx);
  t.is(w.metadata?.annotations?.[PUBLISHED_ANNOTATION], '5000:41234,35357:41235');
  t.deepEqual(parsePublished(w.metadata?.annotations?.[PUBLISHED_ANNOTATION]), [{ container: 5000, host: 41234 }, { container: 35357, host: 41235 }]);
  t.deepEqual(parsePublished('5000:41234,junk,:1'), [{ container: 5000, host: 41234 }]);
  const openrc = 'export OS_AUTH_URL=http://127.0.0.1:41234/v3\nexport OS_X=http://127.0.0.1:412345\nexport OS_Y=http://127.0.0.1:41235/\n';
  const forwards = [{ namespace: 'ns', service: 'keystone', container: 5000, was: 41234, host: 41235 }, { namespace: 'ns', service: 'keystone', container: 35357, was: 41235, host: 41235 }];
  t.is(movedPorts(openrc, forwards), 'export OS_AUTH_URL=http://127.0.0.1:41235/v3\nexport OS_X=http://127.0.0.1:412345\nexport OS_Y=http://127.0.0.1:41235/\n');
});

// Issue 22: pods run as little as their image and recipe need, and resolve only the cell's names.
test('a non-root image with nothing declared runs with non-root enforced and no privilege escalation; a root image or a declared user or capability gets only what it says', (t) => {
  const container = (spec: ContainerSpec, imageUser?: string) => workloadManifest(spec, { ...ctx, imageUser }).spec!.template.spec!.containers[0]!;
  t.deepEqual(container(keystone, '42425:42425').securityContext, { runAsNonRoot: true, allowPrivilegeEscalation: false });
  t.deepEqual(container(keystone, '42425').securityContext, { runAsNonRoot: true, allowPrivilegeEscalation: false });
  for (const root of [undefined, '', '0', '0:0', 'keystone']) t.is(container(keystone, root).securityContext, undefined, `image user ${String(root)}`);
  const privileged = { ...keystone, privileges: { capabilities: ['NET_ADMIN'], devices: [], seccomp: 'default' as const, apparmor: 'default' as const, reason: 'a switch sets its ports up' } };
  t.deepEqual(container(privileged, '42425').securityContext, { capabilities: { add: ['NET_ADMIN'] } }, 'a declared capability, nothing else');
  t.deepEqual(container({ ...keystone, user: '1000:1000' }, '42425').securityContext, { runAsUser: 1000, runAsGroup: 1000 });
});

test('a pod resolves only the cell\'s names: its Services in /etc/hosts, and no resolver of the cluster or the node', (t) => {
  const pod = workloadManifest(keystone, ctx).spec!.template.spec!;
  t.deepEqual(pod.hostAliases, [{ ip: '10.96.0.10', hostnames: ['mariadb'] }, { ip: '10.96.0.11', hostnames: ['memcached'] }]);
  t.is(pod.dnsPolicy, 'None');
  t.deepEqual(pod.dnsConfig?.nameservers, ['127.0.0.1']);
  t.deepEqual(pod.dnsConfig?.searches, []);
});

test('a recipe\'s hard memory limit is the main container\'s limit; none declared, none set', (t) => {
  const limited = workloadManifest({ ...keystone, memoryLimitMiB: 48 }, ctx).spec!.template.spec!.containers[0]!;
  t.deepEqual(limited.resources, { limits: { memory: '48Mi' } });
  t.is(workloadManifest(keystone, ctx).spec!.template.spec!.containers[0]!.resources, undefined);
});
