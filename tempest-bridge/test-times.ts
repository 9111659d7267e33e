/** Tempest's timing history, fed to stestr so its workers get equal shares of a cell's classes (issue 23). */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { cacheDir } from '../harness/util/cache-dir.ts';
import { encodeSubunitV2, type SubunitParse } from '../harness/checks/runners/subunit-v2.ts';

/**
 * What each test cost its worker: its own duration plus the time its worker spent since the item
 * before it ended (its class's setUpClass, the previous class's tearDownClass: Tempest's dynamic
 * credentials make a network and a router for each class, which no test's own duration shows).
 * stestr groups a class's tests on one worker and sums their known times to balance the workers; a
 * class's fixtures counted in its first test is what lets it see that a network class is expensive.
 * Without history stestr assigns classes blindly, differently from run to run: measured on
 * compute/zed, one run had one worker run every network class (428 s) while the other was done after
 * 95 s; another the same day ended its workers at 409 and 392 s.
 */
export function testCosts(parsed: SubunitParse): Map<string, number> {
  const items = new Map<string, { start?: number; end?: number; worker?: string }>();
  for (const e of parsed.events) {
    if (e.testId === undefined || !e.timestamp) continue;
    const item = items.get(e.testId) ?? {};
    items.set(e.testId, item);
    const t = e.timestamp.getTime();
    if (e.status === 'inprogress') item.start = t;
    else if (e.status !== 'exists' && e.status !== undefined) item.end = t;
    const worker = e.tags?.find((tag) => tag.startsWith('worker-'));
    if (worker) item.worker = worker;
  }
  const all = [...items].filter(([, x]) => x.end !== undefined).map(([id, x]) => ({ id, start: x.start ?? x.end!, end: x.end!, worker: x.worker ?? 'worker-0' }));
  if (all.length === 0) return new Map();
  const runStart = Math.min(...all.map((x) => x.start));
  const costs = new Map<string, number>();
  for (const worker of new Set(all.map((x) => x.worker))) {
    let previousEnd = runStart;
    let carried = 0; // a fixture's time, counted in the next real test of its worker
    for (const item of all.filter((x) => x.worker === worker).sort((a, b) => a.start - b.start)) {
      // From the end of its worker's previous item to its own end: its fixtures' time and its own.
      const cost = Math.max(0, item.end - previousEnd) + carried;
      previousEnd = Math.max(previousEnd, item.end);
      if (isFixture(item.id)) {
        carried = cost;
        continue;
      }
      carried = 0;
      costs.set(item.id, cost);
    }
  }
  return costs;
}

const isFixture = (id: string): boolean => /^(setUpClass|tearDownClass) \(/.test(id);

/** A subunit v2 stream of one passed run whose tests took these times: what `stestr load` reads into its timing database. */
export function timesStream(costs: ReadonlyMap<string, number>, at = new Date(Date.UTC(2026, 0, 1))): Buffer {
  const packets: Buffer[] = [];
  for (const [id, ms] of [...costs].sort(([a], [b]) => a.localeCompare(b))) {
    packets.push(encodeSubunitV2({ testId: id, status: 'inprogress', timestamp: at }));
    packets.push(encodeSubunitV2({ testId: id, status: 'success', timestamp: new Date(at.getTime() + Math.round(ms)) }));
  }
  return Buffer.concat(packets);
}

/** Where a scenario's Tempest history on one release is kept between runs (outside any run's folder: it holds test names and times only). */
export function timesFile(scenario: string, release: string, dir = cacheDir('tempest-times')): string {
  return path.join(dir, `${scenario}-${release}.json`.replace(/[^\w.-]/g, '_'));
}

/** The history, or none (first run, or a file that is not ours: ignored, never fatal). */
export async function readTimes(file: string): Promise<Map<string, number>> {
  try {
    const data = JSON.parse(await readFile(file, 'utf8')) as unknown;
    if (typeof data !== 'object' || data === null) return new Map();
    return new Map(Object.entries(data).filter((e): e is [string, number] => typeof e[1] === 'number' && Number.isFinite(e[1]) && e[1] >= 0));
  } catch {
    return new Map();
  }
}

/** This run's costs over the history (a test this run did not select keeps its last figure); written whole or not at all. */
export async function recordTimes(file: string, costs: ReadonlyMap<string, number>): Promise<void> {
  if (costs.size === 0) return;
  const merged = new Map([...(await readTimes(file)), ...costs]);
  await mkdir(path.dirname(file), { recursive: true });
  const partial = `${file}.${process.pid}.tmp`;
  await writeFile(partial, `${JSON.stringify(Object.fromEntries([...merged].sort(([a], [b]) => a.localeCompare(b))), null, 1)}\n`);
  await rename(partial, file);
}
