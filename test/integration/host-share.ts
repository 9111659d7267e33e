import type { TestFn } from 'ava';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isAlive, withFileLock } from '../../harness/util/file-lock.ts';

/**
 * How the integration test files share this machine when AVA runs two of them at once
 * (ava.config.js): Docker files hold it `shared` (two at a time is measured fine on 2 cores),
 * the Kubernetes file `exclusive` (a cluster and its pods beside another file's deployments
 * slowed them 3x on 2 cores, past the timeouts a gate must keep). A holder is a file named by its
 * process id; a dead process's hold is ignored. Waiting is bounded (60 min, polled every second).
 */
export async function holdHost(mode: 'shared' | 'exclusive'): Promise<() => Promise<void>> {
  const dir = path.join(os.tmpdir(), 'gategrid-test-host');
  await mkdir(dir, { recursive: true });
  const mine = path.join(dir, `${mode}-${process.pid}`);
  const deadline = Date.now() + 60 * 60_000;
  for (;;) {
    const taken = await withFileLock('test-host', 60_000, async () => {
      const holders = (await readdir(dir)).filter((f) => isAlive(Number(f.split('-')[1])));
      const free = mode === 'exclusive' ? holders.length === 0 : !holders.some((f) => f.startsWith('exclusive-'));
      if (free) await writeFile(mine, '');
      return free;
    });
    if (taken) return () => rm(mine, { force: true });
    if (Date.now() > deadline) throw new Error(`the test host was not free for a ${mode} hold within 60 min: see ${dir}`);
    await sleep(1000);
  }
}

/** A Docker test file's hold: shared with one other Docker file, for the whole file (its before and after.always hooks). */
export function shareHostWithDockerFiles(test: TestFn): void {
  let release: (() => Promise<void>) | undefined;
  test.before(async () => {
    release = await holdHost('shared');
  });
  test.after.always(async () => {
    await release?.();
  });
}
