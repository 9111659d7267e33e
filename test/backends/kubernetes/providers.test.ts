import test from 'ava';
import { chmod, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { KindProvider, kindClusterConfig } from '../../../harness/backends/kubernetes/providers/kind-provider.ts';
import { KubeconfigProvider, registryRef } from '../../../harness/backends/kubernetes/providers/kubeconfig-provider.ts';
import { cpuCores, memoryMiB } from '../../../harness/backends/kubernetes/kubernetes-backend.ts';
import { tempDir } from '../../temp-dir.ts';

// Every stand-in's folder goes when the file's tests are done.
const folders: string[] = [];
test.after.always(async () => {
  await Promise.all(folders.map((dir) => rm(dir, { recursive: true, force: true })));
});

// A stand-in for a CLI: a script in a folder of its own that records every call's argv (a JSON
// line each), then runs `body` (sh) with the same arguments.
async function recordingBinary(name: string, body: (dir: string) => string): Promise<{ dir: string; bin: string; calls: () => Promise<string[][]> }> {
  const dir = await tempDir(`gategrid-fake-${name}-`);
  folders.push(dir);
  const log = path.join(dir, 'calls.jsonl');
  const bin = path.join(dir, name);
  await writeFile(bin, `#!/bin/sh
node -e 'process.stdout.write(JSON.stringify(process.argv.slice(1))+"\\n")' -- "$@" >> ${log}
${body(dir)}
`);
  await chmod(bin, 0o755);
  return { dir, bin, calls: async () => (await readFile(log, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as string[]) };
}

// kind cannot be installed where gategrid is developed: its provider is tested by contract, against
// a recorder standing in for the kind binary (every call's argv, and the config file it was given).
async function fakeKind(existing: string[]): Promise<{ bin: string; calls: () => Promise<string[][]>; configs: () => Promise<string> }> {
  const kubeconfig = ['apiVersion: v1', 'kind: Config', 'clusters:', '- name: kind-gg', '  cluster: { server: "https://127.0.0.1:40001" }',
    'users:', '- name: kind-gg', '  user: { token: t }', 'contexts:', '- name: kind-gg', '  context: { cluster: kind-gg, user: kind-gg }', 'current-context: kind-gg'].join('\n');
  const kind = await recordingBinary('kind', (dir) => `case "$1 $2" in
  "get clusters") printf '${existing.join('\\n')}\\n' ;;
  "get kubeconfig") cat <<'KC'
${kubeconfig}
KC
  ;;
  "create cluster") while [ $# -gt 0 ]; do if [ "$1" = --config ]; then cat "$2" >> ${path.join(dir, 'configs.txt')}; fi; shift; done ;;
esac`);
  return { bin: kind.bin, calls: kind.calls, configs: () => readFile(path.join(kind.dir, 'configs.txt'), 'utf8') };
}

// Each test's record of who holds which cluster, in a folder of its own.
async function kindState(): Promise<string> {
  const dir = await tempDir('gategrid-kind-state-');
  folders.push(dir);
  return dir;
}

test('kind: a missing cluster is created from a config file, images are loaded once each, logs exported, the cluster deleted at the end', async (t) => {
  const kind = await fakeKind(['other']);
  const provider = new KindProvider({ clusterName: 'gg', workers: 2, binary: kind.bin, stateRoot: await kindState() });
  const kc = await provider.connect();
  t.is(kc.getCurrentCluster()!.server, 'https://127.0.0.1:40001');
  t.deepEqual(await provider.image('gategrid/keystone:abc'), { ref: 'gategrid/keystone:abc', pullPolicy: 'Never' });
  await provider.image('gategrid/keystone:abc');
  await provider.collect('/tmp/logs-dir');
  t.is(await provider.close(false), undefined, 'nothing stays');
  const calls = await kind.calls();
  t.deepEqual(calls[0], ['get', 'clusters']);
  t.deepEqual(calls[1]!.slice(0, 5), ['create', 'cluster', '--name', 'gg', '--config']);
  t.deepEqual(calls[1]!.slice(6), ['--wait', '180s']);
  t.deepEqual(calls[2], ['get', 'kubeconfig', '--name', 'gg']);
  t.deepEqual(calls[3], ['load', 'docker-image', 'gategrid/keystone:abc', '--name', 'gg']);
  t.deepEqual(calls[4], ['export', 'logs', '/tmp/logs-dir', '--name', 'gg']);
  t.deepEqual(calls[5], ['delete', 'cluster', '--name', 'gg']);
  t.is(calls.length, 6, 'the image was loaded once');
  t.is(await kind.configs(), kindClusterConfig({ clusterName: 'gg', workers: 2 }));
  t.regex(await kind.configs(), /apiVersion: kind\.x-k8s\.io\/v1alpha4\nnodes:\n- role: control-plane\n- role: worker\n- role: worker\n/);
});

test('kind: a cluster gategrid did not make is used as it is and never deleted', async (t) => {
  const kind = await fakeKind(['gg']);
  const provider = new KindProvider({ clusterName: 'gg', workers: 0, nodeImage: 'kindest/node:v1.30.0', binary: kind.bin, stateRoot: await kindState() });
  await provider.connect();
  t.is(await provider.close(false), 'kind cluster gg stays: gategrid did not make it');
  t.deepEqual((await kind.calls()).map((c) => c.slice(0, 2).join(' ')), ['get clusters', 'get kubeconfig']);
});

// Two runs on one machine sharing the default cluster name: the one that made it ends first, while
// the other still runs in it (its holder here: a live process of its own, a `sleep`).
test('kind: a cluster gategrid made is deleted only by the last run to let go of it, and never after a run kept its cells there', async (t) => {
  const state = await kindState();
  const made = await fakeKind(['other']);
  const first = new KindProvider({ clusterName: 'gg', workers: 0, binary: made.bin, stateRoot: state });
  await first.connect();
  const record = path.join(state, 'gg.json');
  const other = spawn('sleep', ['60'], { stdio: 'ignore' });
  try {
    const held = JSON.parse(await readFile(record, 'utf8')) as { madeByGategrid: boolean; holders: { pid: number; started: string }[] };
    t.true(held.madeByGategrid);
    await writeFile(record, JSON.stringify({ ...held, holders: [...held.holders, { pid: other.pid, started: '-' }] }));
    t.is(await first.close(false), `kind cluster gg stays: held by 1 other run(s) on this machine (pid ${other.pid})`);
    t.false((await made.calls()).some((c) => c[0] === 'delete'), 'not deleted under the other run');
  } finally {
    other.kill();
    await new Promise((resolve) => other.once('exit', resolve));
  }
  // A later run finds it (made by gategrid, its other holder gone) and, the last one, deletes it.
  const found = await fakeKind(['gg']);
  const last = new KindProvider({ clusterName: 'gg', workers: 0, binary: found.bin, stateRoot: state });
  await last.connect();
  t.is(await last.close(false), undefined);
  t.deepEqual((await found.calls()).map((c) => c.slice(0, 2).join(' ')), ['get clusters', 'get kubeconfig', 'delete cluster']);
  // A run that keeps its cells marks the cluster kept: no later run deletes it.
  const kept = await fakeKind(['other']);
  const keeper = new KindProvider({ clusterName: 'gg', workers: 0, binary: kept.bin, stateRoot: state });
  await keeper.connect();
  t.is(await keeper.close(true), 'kind cluster gg stays: a run kept its cells in it (kind delete cluster --name gg removes it)');
  const after = await fakeKind(['gg']);
  const later = new KindProvider({ clusterName: 'gg', workers: 0, binary: after.bin, stateRoot: state });
  await later.connect();
  t.regex((await later.close(false)) ?? '', /a run kept its cells in it/);
  t.false([...await kept.calls(), ...await after.calls()].some((c) => c[0] === 'delete'));
});

test('kind: no kind binary is an infrastructure error that says what to do', async (t) => {
  const provider = new KindProvider({ clusterName: 'gg', workers: 0, binary: '/nonexistent/kind' });
  await t.throwsAsync(provider.connect(), { message: /kind CLI could not run.*install kind, or choose another provider/ });
});

// The docker CLI, as the kubeconfig provider calls it, stands in for by a recorder first on PATH
// that fails the push when asked to.
async function withFakeDocker<T>(failPush: boolean, task: (calls: () => Promise<string[][]>) => Promise<T>): Promise<T> {
  const docker = await recordingBinary('docker', () => `if [ "$1" = push ] && [ ${failPush ? 1 : 0} = 1 ]; then echo "connection refused" >&2; exit 1; fi`);
  const saved = process.env.PATH;
  process.env.PATH = `${docker.dir}:${saved}`;
  try {
    return await task(docker.calls);
  } finally {
    process.env.PATH = saved;
  }
}

test.serial('kubeconfig: an image is tagged with the registry\'s name, pushed once, and the tag removed after the push, failed or not', async (t) => {
  const locks = await tempDir('gategrid-locks-');
  await withFakeDocker(false, async (calls) => {
    const provider = new KubeconfigProvider({ file: '/nonexistent', registry: '127.0.0.1:5000', lockRoot: locks });
    t.deepEqual(await provider.image('gategrid/keystone:abc'), { ref: '127.0.0.1:5000/gategrid/keystone:abc', pullPolicy: 'IfNotPresent' });
    await provider.image('gategrid/keystone:abc');
    t.deepEqual(await calls(), [
      ['tag', 'gategrid/keystone:abc', '127.0.0.1:5000/gategrid/keystone:abc'],
      ['push', '127.0.0.1:5000/gategrid/keystone:abc'],
      ['rmi', '--no-prune', '127.0.0.1:5000/gategrid/keystone:abc'],
    ]);
  });
  await withFakeDocker(true, async (calls) => {
    const provider = new KubeconfigProvider({ file: '/nonexistent', registry: '127.0.0.1:5000', lockRoot: locks });
    await t.throwsAsync(provider.image('gategrid/keystone:abc'), { message: /docker push .*connection refused/ });
    t.deepEqual((await calls()).map((c) => c[0]), ['tag', 'push', 'rmi']);
  });
});

test('images pushed for a kubeconfig cluster are named in the registry', (t) => {
  t.is(registryRef('127.0.0.1:5000', 'gategrid/keystone:abc'), '127.0.0.1:5000/gategrid/keystone:abc');
  t.is(registryRef('registry.example.org/ci/', 'gategrid/tempest:1'), 'registry.example.org/ci/gategrid/tempest:1');
});

test('allocatable memory quantities are read in MiB', (t) => {
  t.is(memoryMiB('8046392Ki'), 7857);
  t.is(memoryMiB('16Gi'), 16384);
  t.is(memoryMiB('1e9'), 953);
  t.is(memoryMiB('bogus'), 0);
});

test('allocatable CPU quantities are read in cores (they bound concurrency auto: the local node is this machine)', (t) => {
  t.is(cpuCores('2'), 2);
  t.is(cpuCores('1500m'), 1.5);
  t.is(cpuCores('0.5'), 0.5);
  t.is(cpuCores('bogus'), 0);
});
