// A red cell's recipe diagnostics: each command's output beside the logs, redacted; one that cannot run says why.
import test from 'ava';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Environment } from '../../harness/backends/backend.ts';
import type { LoadedService } from '../../harness/config/load-scenario.ts';
import { collectDiagnostics } from '../../harness/runner/phases/recipe-diagnostics.ts';
import { loadScenario } from '../../harness/config/load-scenario.ts';
import { loadCatalogues } from '../../harness/config/load-catalogues.ts';
import { tempDir } from '../temp-dir.ts';

test('the shipped hypervisor and switch recipes declare theirs, and each output lands redacted, a failure said', async (t) => {
  const cloud = await loadScenario('cloud', await loadCatalogues());
  const services = cloud.services.filter((s) => s.spec.diagnostics.length > 0);
  t.deepEqual(services.map((s) => `${s.spec.name}: ${s.spec.diagnostics.map((d) => d.name).join(', ')}`), ['openvswitch-vswitchd: ports, flows', 'libvirt: domains, qemu-logs, instance-files']);
  const asked: string[] = [];
  const env = {
    exec: async (name: string, command: readonly string[]) => {
      asked.push(`${name}: ${command.at(-1)!.slice(0, 20)}`);
      if (command.at(-1)!.includes('qemu/*.log')) throw new Error('container libvirt is not running');
      return { exitCode: command.at(-1)!.includes('dumpxml') ? 0 : 1, output: 'instance-00000001 kernel /var/lib/nova/instances/x/kernel password=s3cret-value-here' };
    },
  } as unknown as Environment;
  const dir = await tempDir('gg-diagnostics-');
  const files = await collectDiagnostics(env, services as LoadedService[], dir, (text) => text.replaceAll('s3cret-value-here', '<secret:x>'));
  t.deepEqual(files.map((f) => path.basename(f)), ['openvswitch-vswitchd.ports.txt', 'openvswitch-vswitchd.flows.txt', 'libvirt.domains.txt', 'libvirt.qemu-logs.txt', 'libvirt.instance-files.txt']);
  t.is(asked.length, 5);
  const domains = await readFile(path.join(dir, 'libvirt.domains.txt'), 'utf8');
  t.regex(domains, /^\$ sh -c for d in/);
  t.regex(domains, /password=<secret:x>/);
  t.notRegex(domains, /s3cret/);
  t.regex(await readFile(path.join(dir, 'openvswitch-vswitchd.ports.txt'), 'utf8'), /\(exit code 1\)\n$/);
  t.regex(await readFile(path.join(dir, 'libvirt.qemu-logs.txt'), 'utf8'), /could not run: container libvirt is not running/);
});

test('taken by a failing check at that moment: each file carries the check\'s label, made safe for a file name', async (t) => {
  const cloud = await loadScenario('cloud', await loadCatalogues());
  const libvirt = cloud.services.filter((s) => s.spec.name === 'libvirt');
  const env = { exec: async () => ({ exitCode: 0, output: '<domain/>' }) } as unknown as Environment;
  const files = await collectDiagnostics(env, libvirt as LoadedService[], await tempDir('gg-diagnostics-'), (x) => x, 'server-actions-stop/start');
  t.deepEqual(files.map((f) => path.basename(f)), ['libvirt.domains.server-actions-stop-start.txt', 'libvirt.qemu-logs.server-actions-stop-start.txt', 'libvirt.instance-files.server-actions-stop-start.txt']);
});
