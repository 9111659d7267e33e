import test from 'ava';
import type { Environment } from '../../harness/backends/backend.ts';
import type { RenderedProbe, UpgradeData } from '../../harness/deploy/plan.ts';
import { createData, verifiableWhileDown, verifyAndCleanData, verifyDataWhileDown } from '../../harness/upgrade/upgrade-data.ts';

// Issue 24: an upgrade's data as probes, against an environment whose cache keeps keys in memory
// (as a container would answer redis-cli): written before, read while another service is down and
// after, deleted only once verified; a lost key is red naming the probe.

function cache(): { env: Environment; keys: Map<string, string> } {
  const keys = new Map<string, string>();
  const env = {
    exec: async (_name: string, command: readonly string[]) => {
      const [, verb, key, value] = command;
      if (verb === 'set') { keys.set(key!, value!); return { exitCode: 0, output: 'OK\n' }; }
      if (verb === 'get') return { exitCode: 0, output: `${keys.get(key!) ?? ''}\n` };
      if (verb === 'del') return { exitCode: 0, output: `${keys.delete(key!) ? 1 : 0}\n` };
      return { exitCode: 1, output: 'ERR\n' };
    },
  } as unknown as Environment;
  return { env, keys };
}

const exec = (id: string, command: string[], output: string): RenderedProbe => ({ id, owner: undefined, timeoutMs: 5_000, exec: { service: 'cache', command, exitCode: 0, output } });
const data: UpgradeData = {
  create: [exec('upgrade.data.create.write', ['redis-cli', 'set', 'k', 'written on bookworm'], '^OK$')],
  verify: [exec('upgrade.data.verify.read', ['redis-cli', 'get', 'k'], '^written on bookworm$')],
  cleanup: [exec('upgrade.data.cleanup.delete', ['redis-cli', 'del', 'k'], '^1$')],
  needs: ['cache'],
};

test('made before, verified while a service it does not need is down and after, then cleaned up', async (t) => {
  const { env, keys } = cache();
  const created = await createData(data, env);
  t.deepEqual(created.map((c) => `${c.id} ${c.kind} ${c.status}`), ['upgrade.data.create.write upgrade passed']);
  t.false(verifiableWhileDown(data, 'cache'), 'not while the service holding it is down');
  t.true(verifiableWhileDown(data, 'web'));
  const down = await verifyDataWhileDown(data, env, 'web', 'stopped');
  t.like(down, { id: 'upgrade.while-down.web.data', kind: 'upgrade', status: 'passed', message: 'while web was stopped: the data verified (read)' });
  const after = await verifyAndCleanData(data, env);
  t.deepEqual(after.map((c) => `${c.id} ${c.status}`), ['upgrade.data.verify.read passed', 'upgrade.data.cleanup.delete passed']);
  t.false(keys.has('k'), 'cleaned up');
});

test('data lost over the upgrade is red at its verify probe, and is not cleaned up (a kept cell keeps what is left)', async (t) => {
  const { env, keys } = cache();
  await createData(data, env);
  keys.set('k', 'something else');
  const down = await verifyDataWhileDown(data, env, 'web', 'drained');
  t.is(down.status, 'failed');
  t.regex(down.message ?? '', /^while web was drained, upgrade\.data\.verify\.read: cache: redis-cli get k: its output does not match \/\^written on bookworm\$\/: something else/);
  const after = await verifyAndCleanData(data, env);
  t.deepEqual(after.map((c) => `${c.id} ${c.status}`), ['upgrade.data.verify.read failed']);
  t.true(keys.has('k'), 'nothing cleaned');
});
