import test from 'ava';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { loadCatalogues } from '../../harness/config/load-catalogues.ts';
import { ImageBuilder } from '../../harness/images/image-builder.ts';
import { DockerBackend } from '../../harness/backends/docker/docker-backend.ts';
import { runLabels } from '../../harness/labels.ts';
import type { Privileges } from '../../harness/backends/backend.ts';
import { tempDir } from '../temp-dir.ts';

// A recipe's declared privileges on the real engine (issue 21: a hypervisor's container needs
// /dev/net/tun and NET_ADMIN; nothing else may get them). The container reports what it got:
// whether the device is there, and its effective capability set (NET_ADMIN is bit 12).
const NET_ADMIN = 12n;

test.serial('integration: a container gets exactly the capabilities and devices its recipe declares, and an ordinary one none of them', async (t) => {
  const { images } = await loadCatalogues();
  const logDir = await tempDir('gategrid-it-privileges-');
  const base = (await new ImageBuilder(images, { logDir }).ensureAll(['base'], 'bookworm')).get('base')!;
  const runId = `it-priv-${Date.now()}`;
  const env = await new DockerBackend().provision({ runId, cellId: 'privileges/bookworm/docker', logDir, labels: runLabels(runId, 'privileges/bookworm/docker', os.hostname()) });
  const report = async (name: string, privileges?: Privileges) => {
    const r = await env.runJob({
      name, image: base.tag, env: {}, files: [], volumes: [], ports: [], timeoutMs: 60_000, ...(privileges ? { privileges } : {}),
      command: ['sh', '-c', 'if [ -c /dev/net/tun ]; then echo tun=yes; else echo tun=no; fi; grep ^CapEff /proc/self/status; grep ^Seccomp: /proc/self/status'],
    });
    t.is(r.exitCode, 0);
    const out = await readFile(env.logFile(name), 'utf8');
    const caps = BigInt(`0x${/CapEff:\s*([0-9a-f]+)/.exec(out)![1]}`);
    return { tun: /tun=yes/.test(out), netAdmin: ((caps >> NET_ADMIN) & 1n) === 1n, seccomp: /Seccomp:\s*(\d)/.exec(out)![1] };
  };
  try {
    const hypervisor = await report('hypervisor', { capabilities: ['NET_ADMIN'], devices: ['/dev/net/tun'], seccomp: 'unconfined', apparmor: 'default' });
    t.deepEqual(hypervisor, { tun: true, netAdmin: true, seccomp: '0' }, 'declared: the device, the capability, no seccomp filter');
    const ordinary = await report('ordinary');
    t.deepEqual(ordinary, { tun: false, netAdmin: false, seccomp: '2' }, 'undeclared: none of it, the engine\'s seccomp filter on');
  } finally {
    await env.teardown();
    await env.release();
  }
});
