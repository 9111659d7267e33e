import test from 'ava';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { docker, listByLabel } from '../../harness/docker-cli.ts';
import { LABEL_RUN } from '../../harness/labels.ts';
import { gategrid, leftovers, readResults, tempOut } from './helpers.ts';

// Issue 22, scope 3's done-when: a core/zed run with Tempest, kept, then searched. The cell's
// secrets are read from where the deployment holds them (its containers' environments and the
// configuration files gategrid rendered into them, through /proc/PID/root) and from the kept
// openrc; then no file gategrid wrote outside logs/ (the deployment's own logs) and kept/ (the
// credentials a person sources, 0600) may hold one, whole or any 10-character piece of one; and no
// process's argument list on the host, sampled every 100 ms for the whole run, held one.

const HEX_SECRET = /\b[0-9a-f]{32}\b/g;
const CONFIG_DIRS = ['/etc/keystone', '/etc/glance', '/etc/placement', '/etc/mysql', '/etc/rabbitmq', '/etc/gategrid'];

test('integration: core/zed with Tempest, kept: no secret, whole or a 10-character piece, in any file gategrid wrote outside logs/ and kept/, nor in any process\'s argv', async (t) => {
  const out = await tempOut('secrets');
  const argvs = new Set<string>();
  let sampling = true;
  const sampler = (async () => {
    for (let i = 0; sampling && i < 20 * 60 * 10; i++) {
      for (const pid of await readdir('/proc').catch(() => [] as string[])) {
        if (!/^\d+$/.test(pid)) continue;
        const cmdline = await readFile(`/proc/${pid}/cmdline`, 'latin1').catch(() => '');
        if (cmdline) argvs.add(cmdline.replaceAll('\0', ' '));
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  const run = await gategrid(['run', '--scenario', 'core', '--release', 'zed', '--tempest', 'smoke', '--keep', 'always', '--out', out]);
  sampling = false;
  await sampler;
  t.is(run.exitCode, 0, run.all.slice(-3000));
  const results = await readResults(out);
  const runId = results.run.id;
  try {
    // The cell's secrets, from the deployment itself.
    const secrets = new Set<string>();
    const containers = await listByLabel('container', [`${LABEL_RUN}=${runId}`]);
    t.true(containers.length >= 6, `kept containers: ${containers.length}`);
    for (const id of containers) {
      const inspected = JSON.parse((await docker(['inspect', id])).stdout) as Array<{ State: { Pid: number }; Config: { Env: string[] | null } }>;
      for (const env of inspected[0]!.Config.Env ?? []) for (const m of env.matchAll(HEX_SECRET)) secrets.add(m[0]);
      const pid = inspected[0]!.State.Pid;
      if (!pid) continue;
      for (const dir of CONFIG_DIRS) {
        const root = `/proc/${pid}/root${dir}`;
        const files = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
        for (const f of files.filter((e) => e.isFile())) {
          const text = await readFile(path.join(f.parentPath, f.name), 'latin1').catch(() => '');
          for (const m of text.matchAll(HEX_SECRET)) secrets.add(m[0]);
        }
      }
    }
    const keptDir = path.join(out, results.cells[0]!.artifacts.kept!);
    const openrc = await readFile(path.join(keptDir, 'openrc'), 'utf8');
    const admin = /OS_PASSWORD=(\S+)/.exec(openrc)?.[1];
    t.truthy(admin, 'the kept openrc names the admin password');
    secrets.add(admin!);
    // Hex tokens that are not secrets (keystone's fernet keys are base64, a token id is no config)
    // would only make the search stricter; at least the database and service passwords are found.
    t.true(secrets.size >= 8, `secrets found in the deployment: ${secrets.size}`);
    const pieces = new Set<string>();
    for (const s of secrets) for (let i = 0; i + 10 <= s.length; i++) pieces.add(s.slice(i, i + 10));

    const written = (await readdir(out, { recursive: true, withFileTypes: true }))
      .filter((e) => e.isFile())
      .map((e) => path.join(e.parentPath, e.name))
      .filter((f) => !path.relative(out, f).startsWith('logs/') && !path.relative(out, f).startsWith('kept/'));
    t.true(written.some((f) => f.endsWith('results.json')) && written.some((f) => f.endsWith('report.html')), 'the search reads the reports');
    for (const file of written) {
      const text = await readFile(file, 'latin1');
      const found = [...pieces].find((p) => text.includes(p));
      t.is(found, undefined, `${path.relative(out, file)} holds a piece of a secret`);
    }
    t.true(argvs.size > 50, `argument lists sampled: ${argvs.size}`);
    const inArgv = [...argvs].find((a) => [...pieces].some((p) => a.includes(p)));
    t.is(inArgv, undefined, `a process's argv held a piece of a secret: ${inArgv?.replace(/[0-9a-f]{10,}/g, '<hex>')}`);
  } finally {
    const down = await gategrid(['down', runId]);
    t.is(down.exitCode, 0, down.all);
  }
  t.deepEqual(await leftovers(runId), []);
});
