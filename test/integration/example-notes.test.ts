import test from 'ava';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { gategrid, leftovers, readResults, tempOut } from './helpers.ts';

// Issue 24, item 7: a project outside OpenStack, gated by gategrid. examples/notes: a web application
// on PostgreSQL from Debian's packages; its upgrade from bookworm (PostgreSQL 15) to trixie (17)
// runs PostgreSQL's own major-version upgrade (pg_upgrade, in the new image, on the volume) and the
// rows written before it are read back after it, through the application and in the database.

const config = 'examples/notes/gategrid.config.yaml';

test('integration: the notes example on Docker: its scenario green on bookworm, its upgrade to trixie keeps the rows through pg_upgrade', async (t) => {
  const out = await tempOut('notes');
  const run = await gategrid(['--config', config, 'run', '--release', 'bookworm', '--out', out]);
  t.log((run.all ?? '').split('\n').filter((l) => /PASSED|FAILED|ERROR|image (db|app) built|gategrid run/.test(l)).join('\n'));
  t.is(run.exitCode, 0, run.all?.slice(-3000));
  const results = await readResults(out);
  t.deepEqual(results.cells.map((c) => `${c.id} ${c.status}`), ['notes/bookworm/docker passed', 'notes-upgrade/bookworm/docker passed']);

  const notes = new Map(results.cells[0]!.checks.map((c) => [c.id, c]));
  for (const id of ['probe.add-notes', 'probe.read-them-back', 'probe.rows-in-the-database', 'probe.db.serves-its-major-version']) {
    t.is(notes.get(id)?.status, 'passed', `${id}: ${notes.get(id)?.message ?? 'absent'}`);
  }
  const upgrade = new Map(results.cells[1]!.checks.map((c) => [c.id, c]));
  for (const id of ['upgrade.service.db', 'upgrade.service.app', 'upgrade.data.create.write-rows', 'upgrade.data.verify.rows-through-the-app', 'upgrade.data.verify.rows-in-the-database', 'upgrade.data.verify.served-by-postgresql-17', 'upgrade.data.cleanup.delete-them', 'upgrade.downtime.notes']) {
    t.is(upgrade.get(id)?.status, 'passed', `${id}: ${upgrade.get(id)?.message ?? 'absent'}`);
  }
  // PostgreSQL's own upgrade ran, as the db's log says, and no password reached a file gategrid wrote.
  const logs = path.join(out, results.cells[1]!.artifacts.logs);
  const dbLog = await readFile(path.join(logs, 'db.log'), 'utf8');
  t.regex(dbLog, /pg-start: upgrading the PostgreSQL 15 cluster to 17 with pg_upgrade/);
  t.regex(dbLog, /pg-start: upgraded to PostgreSQL 17/);
  t.true((await readdir(logs)).includes('db.log'));
  t.deepEqual(await leftovers(results.run.id), []);
});
