import test from 'ava';
import { mkdir, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { withFileLock } from '../../harness/util/file-lock.ts';
import { tempDir } from '../temp-dir.ts';

const root = () => tempDir('gg-locks-');
const old = new Date(Date.now() - 60_000);

async function staleLock(dir: string, owner: string | undefined, mtime = old): Promise<void> {
  await mkdir(dir, { recursive: true });
  if (owner !== undefined) await writeFile(path.join(dir, 'owner'), owner);
  await utimes(dir, mtime, mtime);
}

test('stale locks are taken over: no owner file, an empty one, a dead pid, a reused pid', async (t) => {
  const r = await root();
  const cases: Array<[string, string | undefined]> = [['missing', undefined], ['empty', ''], ['dead', '999999 1'], ['reused', '1 123456789']];
  for (const [name, owner] of cases) {
    await staleLock(path.join(r, name), owner, new Date(Date.now() - 5000));
    const t0 = Date.now();
    t.is(await withFileLock(name, 30_000, async () => 'ran', r), 'ran', name);
    t.true(Date.now() - t0 < 3000, `${name}: taken over at once, not after the timeout`);
  }
});

test('a live lock is waited for, and the timeout names the lock\'s path', async (t) => {
  const r = await root();
  const order: string[] = [];
  const first = withFileLock('x', 5000, async () => { order.push('a'); await new Promise((res) => setTimeout(res, 300)); order.push('a-end'); }, r);
  await new Promise((res) => setTimeout(res, 50));
  await withFileLock('x', 5000, async () => { order.push('b'); }, r);
  await first;
  t.deepEqual(order, ['a', 'a-end', 'b']);
  const held = withFileLock('y', 5000, () => new Promise((res) => setTimeout(res, 1500)), r);
  await new Promise((res) => setTimeout(res, 50));
  await t.throwsAsync(withFileLock('y', 400, async () => undefined, r), { message: new RegExp(`waiting for lock ${path.join(r, 'y').replace(/[/.]/g, '\\$&')} \\(held by pid ${process.pid}\\)`) });
  await held;
});

test('a stale lock taken over by two waiters at once is taken by one: they never hold it together', async (t) => {
  const r = await root();
  await staleLock(path.join(r, 'z'), '999999 1 gone-host-is-this-one');
  // The owner names this host (so its dead pid counts): rewrite it with the real host name.
  await writeFile(path.join(r, 'z', 'owner'), `999999 1 ${os.hostname()}`);
  let inside = 0;
  let overlap = false;
  const task = async () => { inside++; if (inside > 1) overlap = true; await new Promise((res) => setTimeout(res, 100)); inside--; };
  await Promise.all([withFileLock('z', 5000, task, r), withFileLock('z', 5000, task, r), withFileLock('z', 5000, task, r)]);
  t.false(overlap);
});

test("another host's lock is waited for while young, and taken over once old", async (t) => {
  const r = await root();
  await staleLock(path.join(r, 'shared'), '4242 777 another-machine', new Date());
  await t.throwsAsync(withFileLock('shared', 500, async () => undefined, r), { message: /held by pid 4242/ });
  await staleLock(path.join(r, 'shared'), '4242 777 another-machine', new Date(Date.now() - 11 * 60_000));
  t.is(await withFileLock('shared', 2000, async () => 'ran', r), 'ran');
});
