/** A subunit v2 stream (stestr's, Tempest's, any Python unittest runner's) folded into one outcome per test. */
import type { SubunitEvent, SubunitParse } from './subunit-v2.ts';
import type { RunnerTest } from './runner-test.ts';

/** One test's outcome, as read from its subunit stream. */
export interface SubunitTest {
  readonly id: string;
  readonly status: 'passed' | 'failed' | 'skipped' | 'error';
  readonly durationMs: number;
  readonly reason?: string;
  readonly traceback?: string;
  readonly tags?: readonly string[];
}

export interface SubunitSummary {
  readonly tests: SubunitTest[];
  readonly counts: { total: number; passed: number; failed: number; skipped: number; error: number };
  /** Wall time from the first to the last timestamp of the stream. */
  readonly wallMs: number;
  readonly interrupted?: string;
}

// unittest's class fixtures and stestr's own noise, which are not tests.
const NOT_A_TEST = /^(setUpClass|tearDownClass) \(|^subunit\.parser$/;

export const isClassFixture = (id: string): boolean => /^(setUpClass|tearDownClass) \(/.test(id);

/**
 * Folds subunit events into one result per test. A test that started and never finished (the
 * stream was cut) is an `error` saying so; a class fixture that failed (setUpClass) is `failed`
 * under its own id, since every test of its class then never ran.
 */
export function foldSubunit(parsed: SubunitParse): SubunitSummary {
  const byId = new Map<string, { start?: number; end?: number; status?: string; files: Map<string, string>; tags?: readonly string[] }>();
  let first = Number.POSITIVE_INFINITY;
  let last = 0;
  for (const e of parsed.events) {
    if (e.timestamp) {
      first = Math.min(first, e.timestamp.getTime());
      last = Math.max(last, e.timestamp.getTime());
    }
    if (e.testId === undefined) continue;
    const entry = byId.get(e.testId) ?? { files: new Map<string, string>() };
    byId.set(e.testId, entry);
    record(entry, e);
  }

  const tests: SubunitTest[] = [];
  for (const [id, entry] of byId) {
    if (entry.status === 'exists' && entry.start === undefined) continue; // listed, not run
    const fixture = NOT_A_TEST.test(id);
    const traceback = entry.files.get('traceback');
    const reason = entry.files.get('reason');
    const durationMs = entry.start !== undefined && entry.end !== undefined ? entry.end - entry.start : 0;
    const base = { id, durationMs, ...(entry.tags ? { tags: entry.tags } : {}) };
    switch (entry.status) {
      case 'success':
      case 'xfail':
        if (!fixture) tests.push({ ...base, status: 'passed' });
        break;
      case 'skip':
        tests.push({ ...base, status: 'skipped', ...(reason ? { reason } : {}) });
        break;
      case 'fail':
      case 'uxsuccess':
        // A class fixture that failed kept its tests from running: as red as they would be.
        tests.push({ ...base, status: 'failed', reason: entry.status === 'uxsuccess' ? 'unexpected success' : firstLine(traceback) ?? 'failed', ...(traceback ? { traceback } : {}) });
        break;
      default:
        tests.push({ ...base, status: 'error', reason: `no result: the run was interrupted${parsed.error ? ` (${parsed.error})` : ''}` });
    }
  }
  tests.sort((a, b) => a.id.localeCompare(b.id));
  const count = (s: SubunitTest['status']) => tests.filter((t) => t.status === s).length;
  return {
    tests,
    counts: { total: tests.length, passed: count('passed'), failed: count('failed'), skipped: count('skipped'), error: count('error') },
    wallMs: last > 0 ? last - first : 0,
    ...(parsed.error ? { interrupted: parsed.error } : {}),
  };
}

function record(entry: { start?: number; end?: number; status?: string; files: Map<string, string>; tags?: readonly string[] }, e: SubunitEvent): void {
  if (e.status === 'inprogress') entry.start = e.timestamp?.getTime() ?? entry.start;
  else if (e.status !== undefined) {
    entry.status = e.status;
    if (e.status !== 'exists') entry.end = e.timestamp?.getTime() ?? entry.end;
  }
  if (e.tags?.length) entry.tags = e.tags.filter((t) => !t.startsWith('worker-'));
  if (e.fileName !== undefined && e.fileBytes) {
    entry.files.set(e.fileName, (entry.files.get(e.fileName) ?? '') + e.fileBytes.toString('utf8'));
  }
}

/** The exception line of a traceback: its last non-empty line. */
function firstLine(traceback: string | undefined): string | undefined {
  return traceback?.trim().split('\n').filter(Boolean).at(-1)?.slice(0, 300);
}

/** A project's runner's subunit results as checks read them (issue 24): a failure's traceback its message. */
export function subunitRunnerTests(parsed: SubunitParse): RunnerTest[] {
  return foldSubunit(parsed).tests.map((t) => ({
    name: t.id, status: t.status, durationMs: t.durationMs,
    ...(t.traceback ? { message: t.traceback } : t.reason ? { message: t.reason } : {}),
  }));
}
