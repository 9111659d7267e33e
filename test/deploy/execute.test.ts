import test from 'ava';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { lastErrorIn } from '../../harness/deploy/execute.ts';
import { repoRoot } from '../../harness/config/paths.ts';

test('a failed job is summed up by its last Python exception line', async (t) => {
  const log = await readFile(path.join(repoRoot, 'fixtures', 'logs', 'glance-db-sync-denied.log'), 'utf8');
  t.is(lastErrorIn(log), `sqlalchemy.exc.OperationalError: (pymysql.err.OperationalError) (1045, "Access denied for user 'glance'@'172.21.0.7' (using password: YES)")`);
});

test('without an exception line, the last line naming an error, else the last line', (t) => {
  t.is(lastErrorIn('starting\nERROR 1045 (28000): Access denied for user root\nbye\n'), 'ERROR 1045 (28000): Access denied for user root');
  t.is(lastErrorIn('one\ntwo\n'), 'two');
  t.is(lastErrorIn(''), '(no output)');
});
