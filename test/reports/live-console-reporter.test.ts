import test from 'ava';
import type { CellResult, RunResult } from '../../harness/results/model.ts';
import { LiveConsoleReporter } from '../../reports/live-console-reporter.ts';

/** A terminal 60 columns wide that records what was written. */
function terminal(): { out: NodeJS.WriteStream; text: () => string } {
  const chunks: string[] = [];
  const out = { columns: 60, write: (s: string) => (chunks.push(s), true) } as unknown as NodeJS.WriteStream;
  return { out, text: () => chunks.join('') };
}

function cell(id: string, status: CellResult['status'], extra: Partial<CellResult> = {}): CellResult {
  return { id, scenario: 'identity', release: id.split('/')[1]!, backend: 'docker', status, phases: [], checks: [], repro: `repro ${id}`, artifacts: { logs: 'logs/x/' }, ...extra };
}

/** Waits (bounded: 3 s) until the reporter has drawn what `done` looks for; the redraw is throttled. */
async function until(done: () => boolean): Promise<void> {
  for (let waited = 0; !done() && waited < 3_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
}

test('a line per cell redrawn in place: queued until started, the latest step, cut to the terminal width, the verdict table at the end', async (t) => {
  const { out, text } = terminal();
  const reporter = new LiveConsoleReporter(out);
  const run: RunResult = { schemaVersion: 1, run: { id: 'r1', startedAt: new Date().toISOString(), gategridVersion: '0' }, cells: [cell('identity/zed/docker', 'running'), cell('identity/2025.1/docker', 'running')] };
  reporter.onRunStart(run);
  await until(() => /queued[\s\S]*queued/.test(text()));
  t.regex(text(), /identity\/zed\/docker\s+queued/);
  t.regex(text(), /identity\/2025\.1\/docker\s+queued/);

  const started = cell('identity/zed/docker', 'running', { startedAt: new Date().toISOString() });
  reporter.onCellUpdate(run, started);
  reporter.onLog('identity/zed/docker', `  service keystone passed in 7.0 s ${'x'.repeat(100)}`);
  await until(() => text().includes('service keystone passed'));
  const frames = text().split('\u001b[3A');
  t.true(frames.length >= 2, 'the second frame moves the cursor up over the first (3 lines: header + 2 cells)');
  const last = frames.at(-1)!;
  t.regex(last, /identity\/zed\/docker\s+running \d+s\s+service keystone passed/);
  t.regex(last, /identity\/2025\.1\/docker\s+queued/);
  for (const line of last.split('\n')) t.true(line.replace(/\u001b\[2K/g, '').length <= 59, `cut to the width: ${line}`);

  const failed = cell('identity/zed/docker', 'failed', { reason: 'smoke.service.keystone: did not become ready' });
  run.cells[0] = failed;
  run.cells[1] = cell('identity/2025.1/docker', 'passed');
  reporter.onCellEnd(run, failed);
  reporter.onCellEnd(run, run.cells[1]!);
  reporter.onRunEnd(run);
  const end = text().split('\u001b[3A').at(-1)!;
  t.regex(end, /identity\/zed\/docker\s+failed\s+smoke\.service\.keystone: did not become ready/);
  t.regex(end, /reproduce: repro identity\/zed\/docker/);
});
