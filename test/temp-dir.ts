// Temporary folders for tests, each removed when its test file's tests are done (passed or not).
import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const made: string[] = [];
// Each test file runs in a process of its own, which loads this module once: one hook per file.
test.after.always('temporary folders removed', async () => {
  await Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A new empty folder in the system's temporary folder, named from `prefix`. */
export async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}
