import test from 'ava';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { leftovers, readResults, runFixtureCatalogue } from './helpers.ts';

// Issue 22, scope 7: a recipe whose service logs its own database password (a fixture catalogue,
// searched before the shipped one) turns its cell red at that service's log check, which names the
// line; the password itself is in no file gategrid wrote but the service's own log.
test('integration: a service that logs its database password is red at its log check, the line named and the secret redacted everywhere else', async (t) => {
  const { run, out } = await runFixtureCatalogue('leaky', 'leaky');
  t.is(run.exitCode, 1, run.all?.slice(-3000));
  const results = await readResults(out);
  const cell = results.cells[0]!;
  t.is(cell.id, 'leaky/zed/docker');
  t.is(cell.status, 'failed');
  const check = cell.checks.find((c) => c.id === 'logs.leaky')!;
  t.is(check.status, 'failed');
  t.regex(check.message ?? '', /leaky logged a secret of the cell: 1 line\(s\) of \S+ hold one; first at line 1 \(leaky_db_password\): connecting to mysql:\/\/leaky:<secret:leaky_db_password>@db\/leaky/);
  t.regex(run.all ?? '', /reproduce: npx gategrid run --scenario leaky --release zed --backend docker/, 'a catalogue\'s scenario is named by its name');
  // The password, read from the service's own log, is in no other file of the run.
  const own = await readFile(path.join(out, 'logs', 'leaky-zed-docker', 'leaky.log'), 'utf8');
  const secret = /mysql:\/\/leaky:(\S+)@db/.exec(own)?.[1];
  t.truthy(secret && secret.length >= 16, 'the service\'s own log holds the password (the defect)');
  for (const file of await filesUnder(out)) {
    if (file.endsWith(path.join('logs', 'leaky-zed-docker', 'leaky.log'))) continue;
    t.false((await readFile(file, 'latin1')).includes(secret!), `${file} holds the secret`);
  }
  t.deepEqual(await leftovers(results.run.id), []);
});

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}
