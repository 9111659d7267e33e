import { mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { InfraError } from '../errors.ts';

/**
 * A cross-process lock, so that two gategrid processes on one machine never build the same image
 * or write the same workbook at once. Taken atomically: a folder holding the owner's pid and the
 * owner's start time is renamed into place, so a lock never exists without its owner. A stale lock
 * is taken over: its owner is gone, its pid now belongs to another process (start time differs),
 * or it names no valid owner (a lock left by an older layout or a crash mid-write). A live owner is
 * waited for, bounded; the timeout names the lock's path.
 */
export async function withFileLock<T>(name: string, timeoutMs: number, task: () => Promise<T>, root = path.join(os.tmpdir(), 'gategrid-locks')): Promise<T> {
  const dir = path.join(root, name.replace(/[^A-Za-z0-9_.-]/g, '_'));
  await mkdir(root, { recursive: true });
  const deadline = Date.now() + timeoutMs;
  const me = `${process.pid} ${startTime(process.pid) ?? ''}`.trim();
  for (;;) {
    const staging = await mkdtemp(path.join(root, '.staging-'));
    await writeFile(path.join(staging, 'owner'), me);
    try {
      await rename(staging, dir);
      break;
    } catch (error) {
      await rm(staging, { recursive: true, force: true });
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST' && code !== 'ENOTEMPTY' && code !== 'EISDIR') throw new InfraError(`cannot take lock ${dir}: ${(error as Error).message}`, { cause: error });
      const stale = await staleReason(dir);
      if (stale) {
        await rm(dir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) {
        const owner = await readFile(path.join(dir, 'owner'), 'utf8').catch(() => '?');
        throw new InfraError(`timed out after ${timeoutMs} ms waiting for lock ${dir} (held by pid ${owner.split(' ')[0]}); if no gategrid runs, remove it`);
      }
      await sleep(200);
    }
  }
  try {
    return await task();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Why a held lock is stale, or undefined while its owner may still hold it. */
export async function staleReason(dir: string): Promise<string | undefined> {
  const info = await stat(dir).catch(() => undefined);
  if (!info) return undefined; // released meanwhile: try again
  const ageMs = Date.now() - info.mtimeMs;
  const text = await readFile(path.join(dir, 'owner'), 'utf8').catch(() => '');
  // Older layouts wrote `pid` after mkdir; a lock without a valid owner is stale once it is not brand new.
  const legacy = text === '' ? await readFile(path.join(dir, 'pid'), 'utf8').catch(() => '') : text;
  const [pidText, started] = legacy.trim().split(' ');
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) return ageMs > 2000 ? 'no valid owner' : undefined;
  if (pid === process.pid) return undefined;
  if (!isAlive(pid)) return `owner ${pid} is gone`;
  if (started && startTime(pid) !== undefined && startTime(pid) !== started) return `pid ${pid} now belongs to another process`;
  return undefined;
}

/** A process's start time (clock ticks since boot, /proc/PID/stat field 22): tells a reused pid apart. */
function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
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
