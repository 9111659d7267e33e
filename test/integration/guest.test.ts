import test from 'ava';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { loadCatalogues } from '../../harness/config/load-catalogues.ts';
import { ImageBuilder } from '../../harness/images/image-builder.ts';
import { DockerBackend } from '../../harness/backends/docker/docker-backend.ts';
import { runLabels } from '../../harness/labels.ts';
import { tempDir } from '../temp-dir.ts';

// Issue 21's first brick, on the real engine: the guest image (Debian's cloud kernel and an
// initramfs made from Debian packages) boots under qemu's TCG, in the hypervisor's image, to the
// marker its init prints once SSH serves; boot time measured. No network device: nothing leaves
// the container (the cells give the guest a neutron port instead).
test.serial('integration: the project\'s own guest boots under qemu TCG from the hypervisor image and serves SSH, its boot timed', async (t) => {
  const { images } = await loadCatalogues();
  const logDir = await tempDir('gategrid-it-guest-');
  const built = await new ImageBuilder(images, { logDir }).ensureAll(['guest', 'libvirt'], 'bookworm');
  const runId = `it-guest-${Date.now()}`;
  const env = await new DockerBackend().provision({ runId, cellId: 'guest/zed/docker', logDir, labels: runLabels(runId, 'guest/zed/docker', os.hostname()) });
  try {
    // The guest's two files, handed to the hypervisor's container through a volume of the cell.
    const copied = await env.runJob({
      name: 'guest-files', image: built.get('guest')!.tag, env: {}, files: [], ports: [], timeoutMs: 60_000,
      volumes: [{ name: 'guest', target: '/mnt/guest' }], command: ['sh', '-c', 'cp /guest/vmlinuz /guest/initrd.img /mnt/guest/'],
    });
    t.is(copied.exitCode, 0);
    const script = [
      'started=$(date +%s%N)',
      'qemu-system-x86_64 -accel tcg -m 256 -nographic -no-reboot -nic none -kernel /guest/vmlinuz -initrd /guest/initrd.img -append "console=ttyS0 panic=-1 quiet" > /tmp/console.log 2>&1 &',
      'qemu=$!',
      'for i in $(seq 1 240); do grep -q "gategrid-guest: ready" /tmp/console.log && break; sleep 0.5; done',
      'echo "boot-ms=$(( ($(date +%s%N) - started) / 1000000 ))"',
      'grep "gategrid-guest" /tmp/console.log || tail -n 30 /tmp/console.log',
      'kill "$qemu" 2>/dev/null; wait "$qemu" 2>/dev/null; exit 0',
    ].join('\n');
    const boot = await env.runJob({
      name: 'boot', image: built.get('libvirt')!.tag, env: {}, files: [], ports: [], timeoutMs: 180_000,
      volumes: [{ name: 'guest', target: '/guest' }], command: ['sh', '-c', script],
    });
    t.is(boot.exitCode, 0);
    const console = await readFile(env.logFile('boot'), 'utf8');
    t.log(console.trim());
    const ms = Number(/boot-ms=(\d+)/.exec(console)?.[1]);
    t.regex(console, /gategrid-guest: booted, kernel \S+-cloud-amd64/, 'Debian\'s cloud kernel ran the project\'s init');
    t.regex(console, /gategrid-guest: no network interface/, 'with no NIC it says so, rather than hanging on DHCP');
    t.regex(console, /gategrid-guest: ssh serving/, 'dropbear started');
    t.regex(console, /gategrid-guest: ready/);
    t.true(ms > 0 && ms < 120_000, `boot to ready in ${ms} ms under TCG`);
  } finally {
    await env.teardown();
    await env.release();
  }
});
