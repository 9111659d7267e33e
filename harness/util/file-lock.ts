import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { InfraError } from '../errors.ts';

/**
 * A cross-process lock (mkdir is atomic), so that two gategrid processes on one machine never build
 * the same image at once. A lock whose owner process is gone is taken over. Waiting is bounded.
 */
export async function withFileLock<T>(name: string, timeoutMs: number, task: () => Promise<T>): Promise<T> {
  const dir = path.join(os.tmpdir(), 'gategrid-locks', name.replace(/[^A-Za-z0-9_.-]/g, '_'));
  await mkdir(path.dirname(dir), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await mkdir(dir);
      await writeFile(path.join(dir, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(await readFile(path.join(dir, 'pid'), 'utf8').catch(() => '0'));
      if (owner > 0 && owner !== process.pid && !isAlive(owner)) {
        await rm(dir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new InfraError(`timed out after ${timeoutMs} ms waiting for lock ${dir} (held by pid ${owner})`);
      await sleep(500);
    }
  }
  try {
    return await task();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
