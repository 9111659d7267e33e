/** A TAP (Test Anything Protocol) stream read into test outcomes, its plan checked. */
import type { RunnerTest } from './runner-test.ts';

/**
 * `ok N - description` passed, `not ok` failed, a `# SKIP` directive skipped, a `# TODO` that
 * fails is skipped (an expected failure, as TAP says). The plan (`1..N`) must match the tests
 * seen: fewer is an error test named `plan` (the runner stopped early).
 */
export function parseTap(text: string): RunnerTest[] {
  const tests: RunnerTest[] = [];
  let planned: number | undefined;
  let last: RunnerTest | undefined;
  for (const line of text.split('\n')) {
    const plan = /^1\.\.(\d+)/.exec(line);
    if (plan) {
      planned = Number(plan[1]);
      continue;
    }
    const m = /^(not )?ok\b\s*(\d+)?\s*(?:-\s*)?([^#]*?)\s*(?:#\s*(SKIP|TODO)\S*\s*(.*))?$/i.exec(line);
    if (m) {
      const failed = m[1] !== undefined;
      const directive = m[4]?.toUpperCase();
      const number = m[2] ?? String(tests.length + 1);
      const name = m[3]?.trim() ? `${number} ${m[3].trim()}` : number;
      const status = directive === 'SKIP' || (directive === 'TODO' && failed) ? 'skipped' : failed ? 'failed' : 'passed';
      last = { name, status, durationMs: 0, ...(directive ? { message: `${directive}${m[5] ? `: ${m[5]}` : ''}` } : {}) };
      tests.push(last);
      continue;
    }
    // A failure's diagnostics follow it as comment lines.
    const note = /^\s*#\s?(.*)$/.exec(line);
    if (note && last && last.status === 'failed') last.message = last.message ? `${last.message}\n${note[1]}` : note[1];
  }
  if (planned !== undefined && tests.length < planned) tests.push({ name: 'plan', status: 'error', durationMs: 0, message: `the plan said ${planned} test(s), the stream has ${tests.length}: the runner stopped early` });
  if (planned === undefined && tests.length > 0) tests.push({ name: 'plan', status: 'error', durationMs: 0, message: 'the stream has no plan (1..N): it may have stopped early' });
  return tests;
}
