// New log lines: a red run's keystone log against a green run's, recorded (fixtures/logs/keystone-green-run.log).
import test from 'ava';
import { readFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { repoRoot } from '../../harness/config/paths.ts';
import { compareWithBaseline, lineHashes, newLines } from '../../harness/results/log-baseline.ts';

const green = await readFile(path.join(repoRoot, 'fixtures/logs/keystone-green-run.log'), 'utf8');

/** The same log as another run writes it: other request ids, pids, times and sizes. */
const anotherRun = (text: string) => text
  .replace(/req-[0-9a-f-]{36}/g, () => `req-${randomUUID()}`)
  .replace(/\b(\d\d):(\d\d):(\d\d)\b/g, (_m, h: string, m: string, s: string) => `${h}:${m}:${String((Number(s) + 17) % 60).padStart(2, '0')}`)
  .replace(/in (\d+) msecs/g, (_m, n: string) => `in ${Number(n) * 3 + 1} msecs`);

const failure = [
  '2026-12-07 04:01:02.345 9 ERROR keystone.server.flask.application [None req-0b5c0f2e-51a5-4f3b-9a0c-4d1f8f5e2a11 - - - - - -] Traceback (most recent call last):',
  '2026-12-07 04:01:02.345 9 ERROR keystone.server.flask.application oslo_db.exception.DBConnectionError: (pymysql.err.OperationalError) (2003, "Can\'t connect to MySQL server on \'mariadb\' ([Errno 111] Connection refused)")',
];

test('a green log is compact: one hash per distinct masked line, far fewer than its lines', (t) => {
  const hashes = lineHashes(green);
  t.true(hashes.length > 10 && hashes.length < green.split('\n').length / 3, `${hashes.length} hashes for ${green.split('\n').length} lines`);
  t.deepEqual(hashes, [...hashes].sort());
  t.true(hashes.every((h) => /^[0-9a-f]{12}$/.test(h)));
});

test('the same log of another run holds nothing new; the red run\'s failure lines are exactly what is new, in order', (t) => {
  const known = new Set(lineHashes(green));
  t.deepEqual(newLines(anotherRun(green), known), { lines: [], more: 0 });
  const lines = anotherRun(green).split('\n');
  lines.splice(300, 0, ...failure, failure[1]!.replace('04:01:02.345', '04:01:03.001'));
  t.deepEqual(newLines(lines.join('\n'), known), { lines: failure, more: 0 });
});

test('a cell\'s services compared: only those with new lines, a service absent from the green run all new, a limit with the rest counted', (t) => {
  const baseline = { cell: 'identity/zed/docker', runId: 'r-green', recordedAt: '2026-12-07T02:31:05Z', services: { keystone: lineHashes(green), mariadb: lineHashes('ready for connections\n') } };
  const found = compareWithBaseline(new Map([
    ['keystone', `${anotherRun(green)}\n${failure.join('\n')}`],
    ['mariadb', 'ready for connections\n'],
    ['keystone-bootstrap', 'a\nb\nc\n'],
  ]), baseline, 2);
  t.deepEqual(found, {
    since: { runId: 'r-green', recordedAt: '2026-12-07T02:31:05Z' },
    services: [{ service: 'keystone', lines: failure, more: 0 }, { service: 'keystone-bootstrap', lines: ['a', 'b'], more: 1 }],
  });
  t.is(compareWithBaseline(new Map([['keystone', anotherRun(green)]]), baseline), undefined);
});
