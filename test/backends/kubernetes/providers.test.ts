import test from 'ava';
import { chmod, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { KindProvider, kindClusterConfig } from '../../../harness/backends/kubernetes/providers/kind-provider.ts';
import { KubeconfigProvider, registryRef } from '../../../harness/backends/kubernetes/providers/kubeconfig-provider.ts';
import { memoryMiB } from '../../../harness/backends/kubernetes/kubernetes-backend.ts';
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

test('kind: a missing cluster is created from a config file, images are loaded once each, logs exported, the cluster deleted at the end', async (t) => {
  const kind = await fakeKind(['other']);
  const provider = new KindProvider({ clusterName: 'gg', workers: 2, binary: kind.bin });
  const kc = await provider.connect();
  t.is(kc.getCurrentCluster()!.server, 'https://127.0.0.1:40001');
  t.deepEqual(await provider.image('gategrid/keystone:abc'), { ref: 'gategrid/keystone:abc', pullPolicy: 'Never' });
  await provider.image('gategrid/keystone:abc');
  await provider.collect('/tmp/logs-dir');
  await provider.close(false);
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

test('kind: an existing cluster is used as it is and never deleted; a kept run keeps what it created', async (t) => {
  const kind = await fakeKind(['gg']);
  const provider = new KindProvider({ clusterName: 'gg', workers: 0, nodeImage: 'kindest/node:v1.30.0', binary: kind.bin });
  await provider.connect();
  await provider.close(false);
  t.deepEqual((await kind.calls()).map((c) => c.slice(0, 2).join(' ')), ['get clusters', 'get kubeconfig']);
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
