import test from 'ava';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { repoRoot } from '../../../harness/config/paths.ts';
import { parseSubunitV2 } from '../../../harness/checks/runners/subunit-v2.ts';
import { foldSubunit } from '../../../harness/checks/runners/subunit-results.ts';

// Streams recorded from real runs: Debian's tempest 33 (`--smoke`, concurrency 2) against gategrid's
// core scenario on zed, before horizon was marked unavailable (so the dashboard test failed).
const recorded = (name: string) => readFile(path.join(repoRoot, 'fixtures', 'tempest', name));
const DASHBOARD = /^tempest\.scenario\.test_dashboard_basic_ops\.TestDashboardBasicOps\.test_basic_scenario\[/;

test('a recorded smoke run: 58 tests, 18 passed, 39 skipped with reasons, 1 failed with its traceback', async (t) => {
  const summary = foldSubunit(parseSubunitV2(await recorded('smoke-zed-dashboard-failure.subunit')));
  t.is(summary.interrupted, undefined);
  t.deepEqual(summary.counts, { total: 58, passed: 18, failed: 1, skipped: 39, error: 0 });
  const failed = summary.tests.find((x) => x.status === 'failed')!;
  t.regex(failed.id, DASHBOARD);
  t.regex(failed.traceback!, /Traceback \(most recent call last\)/);
  t.regex(failed.reason!, /URLError/);
  t.true(summary.tests.filter((x) => x.status === 'skipped').every((x) => (x.reason ?? '').length > 0));
  t.true(summary.tests.some((x) => x.status === 'passed' && x.id.startsWith('tempest.api.image.v2.test_images.BasicOperationsImagesTest.test_register_upload_get_image_file[')));
  t.true(summary.wallMs > 10_000 && summary.wallMs < 600_000);
  t.true(summary.tests.filter((x) => x.status === 'passed').every((x) => x.durationMs >= 0));
  t.true(summary.tests.every((x) => !x.tags?.some((tag) => tag.startsWith('worker-'))), 'worker tags are dropped');
});

test('a recorded green smoke run: 58 tests, 18 passed, 40 skipped, none failed (as measured by hand here)', async (t) => {
  const summary = foldSubunit(parseSubunitV2(await recorded('smoke-zed-pass.subunit')));
  t.deepEqual(summary.counts, { total: 58, passed: 18, failed: 0, skipped: 40, error: 0 });
  t.regex(summary.tests.find((x) => /TestDashboardBasicOps/.test(x.id))!.reason!, /[Hh]orizon/);
});

test('the recorded re-run of that failure ran only it, and it failed again', async (t) => {
  const summary = foldSubunit(parseSubunitV2(await recorded('rerun-zed-dashboard-failure.subunit')));
  t.is(summary.counts.total, 1);
  t.regex(summary.tests[0]!.id, DASHBOARD);
  t.is(summary.tests[0]!.status, 'failed');
});

test('an interrupted stream keeps the tests that finished and says it was cut', async (t) => {
  const whole = await recorded('smoke-zed-dashboard-failure.subunit');
  const cut = foldSubunit(parseSubunitV2(whole.subarray(0, Math.floor(whole.length * 0.6))));
  t.regex(cut.interrupted!, /the stream ends inside a packet at byte \d+/);
  t.true(cut.counts.total > 0 && cut.counts.total <= 58);
  const complete = foldSubunit(parseSubunitV2(whole));
  for (const x of cut.tests.filter((y) => y.status === 'passed')) {
    t.is(complete.tests.find((y) => y.id === x.id)?.status, 'passed', x.id);
  }
});
