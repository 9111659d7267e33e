import test from 'ava';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { openLogFile } from '../../harness/util/log-file.ts';
import { tempDir } from '../temp-dir.ts';

// Issue 22: a log stream that cannot be written (here: its folder is gone) is said once, naming the
// file, instead of an unhandled 'error' event that killed the process before any teardown.
test('a log file that cannot be written is said once and does not crash the process', async (t) => {
  const dir = await tempDir('gg-log-file-');
  await rm(dir, { recursive: true });
  const said: string[] = [];
  const out = openLogFile(path.join(dir, 'keystone.log'), 'a', (line) => said.push(line));
  out.write('one\n');
  out.write('two\n');
  await new Promise<void>((resolve) => out.on('close', () => resolve()));
  t.is(said.length, 1);
  t.regex(said[0]!, /^gategrid: cannot write .*keystone\.log: ENOENT/);
});
