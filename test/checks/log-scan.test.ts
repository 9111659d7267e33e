import test from 'ava';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { scanLog } from '../../harness/checks/log-scan.ts';
import { repoRoot } from '../../harness/config/paths.ts';
import { loadCatalogues, loadScenario } from '../../harness/config/load-scenario.ts';

const recorded = (name: string) => readFile(path.join(repoRoot, 'fixtures', 'logs', name), 'utf8');

test('a clean keystone log has no findings (warnings are not failures)', async (t) => {
  t.deepEqual(scanLog(await recorded('keystone-clean.log'), []), []);
});

test('an oslo.log traceback and a CRITICAL line are both found, with their lines', async (t) => {
  const findings = scanLog(await recorded('keystone-traceback.log'), []);
  t.is(findings.length, 2);
  t.is(findings[0]!.kind, 'traceback');
  t.is(findings[0]!.line, 2);
  t.regex(findings[0]!.text, /DBConnectionError/);
  t.is(findings[1]!.kind, 'critical');
  t.is(findings[1]!.line, 7);
});

test("keystone's allow-list explains its known noise, and only that", async (t) => {
  const keystone = (await loadScenario('identity', await loadCatalogues())).services.find((s) => s.spec.name === 'keystone')!;
  const allowed = await recorded('keystone-allowed.log');
  t.deepEqual(scanLog(allowed, keystone.spec.logs.allow), []);
  t.is(scanLog(allowed, []).length, 2, 'without the allow-list both tracebacks count');
  t.is(scanLog(await recorded('keystone-traceback.log'), keystone.spec.logs.allow).length, 2, 'the allow-list does not hide real errors');
});

test('every allow-list entry of every recipe is a valid pattern with a reason', async (t) => {
  const scenario = await loadScenario('core', await loadCatalogues());
  for (const s of scenario.services) {
    for (const entry of s.spec.logs.allow) {
      t.notThrows(() => new RegExp(entry.pattern), `${s.spec.name}: ${entry.pattern}`);
      t.true(entry.reason.length >= 8);
    }
  }
});
