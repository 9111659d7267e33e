import { poll } from './poll.ts';
import { mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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
  // The host too: a lock beside a shared file (a workbook on a shared folder) may be another machine's.
  const me = `${process.pid} ${startTime(process.pid) ?? '-'} ${os.hostname()}`;
  const taken = await poll(async () => {
    const staging = await mkdtemp(path.join(root, '.staging-'));
    await writeFile(path.join(staging, 'owner'), me);
    try {
      await rename(staging, dir);
      return { done: true };
    } catch (error) {
      await rm(staging, { recursive: true, force: true });
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST' && code !== 'ENOTEMPTY' && code !== 'EISDIR') throw new InfraError(`cannot take lock ${dir}: ${(error as Error).message}`, { cause: error });
      const judged = await readFile(path.join(dir, 'owner'), 'utf8').catch(() => '');
      const stale = await staleReason(dir);
      if (stale) await takeOver(dir, judged);
      return { again: stale ? 'taken over a stale lock' : `held by pid ${judged.split(' ')[0] || '?'}` };
    }
  }, { timeoutMs, intervalMs: 200 });
  if (!taken.ok) throw new InfraError(`timed out after ${timeoutMs} ms waiting for lock ${dir} (${taken.last}); if no gategrid runs, remove it`);
  try {
    return await task();
  } finally {
    await removeLock(dir);
  }
}

/**
 * Removes a lock folder in one step: renamed aside first, then deleted. Deleting it in place would
 * empty it before removing it, and rename(2) replaces an empty folder: a waiter's lock could land
 * in it meanwhile and be deleted with it (or make the removal fail).
 */
async function removeLock(dir: string): Promise<void> {
  const aside = `${dir}.gone-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  try {
    await rename(dir, aside);
  } catch {
    return;
  }
  await rm(aside, { recursive: true, force: true });
}

/**
 * Removes a stale lock so that no live one is ever removed: only the holder of a breaker (a folder
 * made with mkdir, which one process wins) removes, and only after reading again that the lock is
 * still the one judged stale. Waiters that lose the breaker just try again. A breaker left by a
 * crash (older than 10 s: breaking takes milliseconds) is removed.
 */
async function takeOver(dir: string, judged: string): Promise<void> {
  const breaker = `${dir}.break`;
  try {
    await mkdir(breaker);
  } catch {
    const info = await stat(breaker).catch(() => undefined);
    if (info && Date.now() - info.mtimeMs > 10_000) await rm(breaker, { recursive: true, force: true });
    return;
  }
  try {
    const owner = await readFile(path.join(dir, 'owner'), 'utf8').catch(() => '');
    if (owner === judged && (await staleReason(dir))) await removeLock(dir);
  } finally {
    await rm(breaker, { recursive: true, force: true });
  }
}

/** A lock held this long by another host's process is stale (a workbook's merge takes seconds). */
const FOREIGN_STALE_MS = 10 * 60_000;

/** Why a held lock is stale, or undefined while its owner may still hold it. */
export async function staleReason(dir: string): Promise<string | undefined> {
  const info = await stat(dir).catch(() => undefined);
  if (!info) return undefined; // released meanwhile: try again
  const ageMs = Date.now() - info.mtimeMs;
  const text = await readFile(path.join(dir, 'owner'), 'utf8').catch(() => '');
  // Older layouts wrote `pid` after mkdir; a lock without a valid owner is stale once it is not brand new.
  const legacy = text === '' ? await readFile(path.join(dir, 'pid'), 'utf8').catch(() => '') : text;
  const [pidText, started, host] = legacy.trim().split(' ');
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) return ageMs > 2000 ? 'no valid owner' : undefined;
  // Another machine's process cannot be asked about: its lock is stale only once it is old.
  if (host && host !== os.hostname()) return ageMs > FOREIGN_STALE_MS ? `held by pid ${pid} on ${host} for ${Math.round(ageMs / 60_000)} min` : undefined;
  if (pid === process.pid) return undefined;
  if (!isAlive(pid)) return `owner ${pid} is gone`;
  if (started && started !== '-' && startTime(pid) !== undefined && startTime(pid) !== started) return `pid ${pid} now belongs to another process`;
  return undefined;
}

/** A process's start time (clock ticks since boot, /proc/PID/stat field 22): tells a reused pid apart. */
export function startTime(pid: number): string | undefined {
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
