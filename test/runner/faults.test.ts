import test from 'ava';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Environment } from '../../harness/backends/backend.ts';
import type { CellSpec } from '../../harness/matrix/cell.ts';
import { faultHook, parseFault } from '../../harness/runner/faults.ts';

// An environment that only records kills; each kill takes a while, as `docker kill` does.
function killRecorder(): { env: Environment; killed: string[] } {
  const killed: string[] = [];
  const env = { kill: async (name: string) => { await sleep(30); killed.push(name); } } as unknown as Environment;
  return { env, killed };
}
const cell = { id: 'identity/zed/docker' } as CellSpec;

test('kill with after=0 is done before the hook returns: the first check already sees the service dead', async (t) => {
  const { env, killed } = killRecorder();
  const lines: string[] = [];
  await faultHook([parseFault('identity/zed/docker:kill=memcached')], (_c, line) => lines.push(line))(env, cell, 1);
  t.deepEqual(killed, ['memcached']);
  t.deepEqual(lines, ['fault injected: killing memcached']);
});

test('kill with after=MS happens that long into the checks, not before the hook returns; other cells and attempts are spared', async (t) => {
  const { env, killed } = killRecorder();
  const hook = faultHook([parseFault('identity/zed/docker:kill=keystone,after=50,attempt=2'), parseFault('identity/2025.1/docker:kill=mariadb')], () => {});
  await hook(env, cell, 1);
  await hook(env, cell, 2);
  t.deepEqual(killed, [], 'not yet');
  await sleep(200);
  t.deepEqual(killed, ['keystone']);
});
