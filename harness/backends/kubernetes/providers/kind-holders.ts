/** Which runs on this machine hold a kind cluster, and whether gategrid made it: who may delete it. */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { withFileLock, isAlive, startTime } from '../../../util/file-lock.ts';

/** A run holding the cluster: its process, told apart from a later one reusing the pid. */
interface Holder {
  readonly pid: number;
  readonly started: string;
}

/**
 * The record beside the cluster's name: made by gategrid (so gategrid may delete it), kept by a run
 * (`--keep`: its cells live on in it, so no later run deletes it), and who holds it now.
 */
interface Holding {
  readonly madeByGategrid: boolean;
  readonly kept?: boolean;
  readonly holders: readonly Holder[];
}

const LOCK_MS = 15 * 60_000;

export function defaultKindState(): string {
  return path.join(os.tmpdir(), 'gategrid-kind');
}

const me = (): Holder => ({ pid: process.pid, started: startTime(process.pid) ?? '-' });
const alive = (h: Holder) => isAlive(h.pid) && (h.started === '-' || startTime(h.pid) === undefined || startTime(h.pid) === h.started);
const same = (a: Holder, b: Holder) => a.pid === b.pid && a.started === b.started;

async function read(file: string): Promise<Holding | undefined> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    const parsed = JSON.parse(text) as Holding;
    return { madeByGategrid: parsed.madeByGategrid === true, kept: parsed.kept === true, holders: Array.isArray(parsed.holders) ? parsed.holders : [] };
  } catch {
    return undefined;
  }
}

async function write(file: string, holding: Holding): Promise<void> {
  const staging = `${file}.${process.pid}`;
  await writeFile(staging, `${JSON.stringify(holding)}\n`, { mode: 0o600 });
  await rename(staging, file);
}

/**
 * Holds cluster `name` for this process, under a lock per name: `exists` says whether kind has it;
 * when it does not, `create` makes it and the record says gategrid made it. A cluster that was
 * there with no record of ours (made by hand, or by another tool) is recorded as not ours.
 */
export async function holdKindCluster(name: string, exists: () => Promise<boolean>, create: () => Promise<void>, root = defaultKindState()): Promise<{ created: boolean }> {
  await mkdir(root, { recursive: true, mode: 0o700 });
  const file = path.join(root, `${name.replace(/[^A-Za-z0-9_.-]/g, '_')}.json`);
  return withFileLock(`kind-${name}`, LOCK_MS, async () => {
    const before = await read(file);
    let created = false;
    let holding: Holding;
    if (await exists()) {
      holding = { madeByGategrid: before?.madeByGategrid === true, kept: before?.kept === true, holders: (before?.holders ?? []).filter(alive) };
    } else {
      await create();
      created = true;
      holding = { madeByGategrid: true, holders: [] };
    }
    await write(file, { ...holding, holders: [...holding.holders, me()] });
    return { created };
  }, root);
}

/**
 * Lets go of cluster `name`; `remove` deletes it, called only when gategrid made it, no run kept it
 * and no other live run on this machine holds it (runs whose process is gone no longer count).
 * `keep`: this run's cells stay in it, so it is marked kept. Returns why the cluster stays, or
 * undefined when it was deleted.
 */
export async function releaseKindCluster(name: string, keep: boolean, remove: () => Promise<void>, root = defaultKindState()): Promise<string | undefined> {
  const file = path.join(root, `${name.replace(/[^A-Za-z0-9_.-]/g, '_')}.json`);
  return withFileLock(`kind-${name}`, LOCK_MS, async () => {
    const before = await read(file);
    const others = (before?.holders ?? []).filter((h) => !same(h, me()) && alive(h));
    const kept = keep || before?.kept === true;
    if (before) await write(file, { madeByGategrid: before.madeByGategrid, kept, holders: others });
    if (!before?.madeByGategrid) return 'gategrid did not make it';
    if (kept) return `a run kept its cells in it (kind delete cluster --name ${name} removes it)`;
    if (others.length > 0) return `held by ${others.length} other run(s) on this machine (pid ${others.map((h) => h.pid).join(', ')})`;
    await remove();
    await rm(file, { force: true });
    return undefined;
  }, root);
}
