import test from 'ava';
import { execa } from 'execa';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import { loadCatalogues } from '../../harness/config/load-catalogues.ts';
import { ImageBuilder } from '../../harness/images/image-builder.ts';
import { DockerBackend } from '../../harness/backends/docker/docker-backend.ts';
import { docker } from '../../harness/docker-cli.ts';
import { LABEL_RUN, runLabels } from '../../harness/labels.ts';
import type { Environment } from '../../harness/backends/backend.ts';
import { tempDir } from '../temp-dir.ts';

// Issue 22, the network rule enforced: from inside a cell's container, no address outside the cell
// answers. "Outside" is made by the test itself: a network namespace behind a veth pair routed by
// the host (198.18.77.0/30, the benchmarking range), and a listener of the host bound to the cell
// network's gateway. The same container on a network with egress left open reaches both, so the
// test fails if the closing does nothing. A name the cell does not know fails at once either way
// (closed: the name stub on the gateway answers NXDOMAIN). Root only (a namespace, a veth, iptables).
const NS = `gg-egress-${process.pid}`;
const HOST_END = `gge${process.pid % 100000}h`;
const NS_END = `gge${process.pid % 100000}n`;
const OUTSIDE = '198.18.77.2';
const PORT = 18080;

async function sh(...args: string[]): Promise<void> {
  await execa(args[0]!, args.slice(1), { timeout: 20_000 });
}

async function gateway(runId: string): Promise<string> {
  const name = (await docker(['network', 'ls', '--filter', `label=${LABEL_RUN}=${runId}`, '--format', '{{.Name}}'])).stdout.trim();
  return (await docker(['network', 'inspect', '--format', '{{(index .IPAM.Config 0).Gateway}}', name])).stdout.trim();
}

/** Listens on the host at `address` (a cell network's gateway) until closed. */
async function hostListener(address: string): Promise<net.Server> {
  // `nc -z` closes as soon as it connects: the reply may meet a reset, which is the probe's way, not a failure.
  const server = net.createServer((s) => s.on('error', () => undefined).end('host\n'));
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(PORT, address, resolve));
  return server;
}

test.serial('integration: a cell container reaches no address outside its network (egress closed), while one with egress open reaches both targets', async (t) => {
  if (process.getuid?.() !== 0) return t.fail('this test needs root (a network namespace, a veth pair and the host\'s iptables)');
  const { images } = await loadCatalogues();
  const logDir = await tempDir('gategrid-it-egress-');
  const base = (await new ImageBuilder(images, { logDir }).ensureAll(['base'], 'bookworm')).get('base')!;
  const envs: Environment[] = [];
  const servers: net.Server[] = [];
  let outside: ReturnType<typeof execa> | undefined;
  try {
    await sh('ip', 'netns', 'add', NS);
    await sh('ip', 'link', 'add', HOST_END, 'type', 'veth', 'peer', 'name', NS_END, 'netns', NS);
    await sh('ip', 'addr', 'add', '198.18.77.1/30', 'dev', HOST_END);
    await sh('ip', 'link', 'set', HOST_END, 'up');
    await sh('ip', 'netns', 'exec', NS, 'ip', 'addr', 'add', `${OUTSIDE}/30`, 'dev', NS_END);
    await sh('ip', 'netns', 'exec', NS, 'ip', 'link', 'set', NS_END, 'up');
    await sh('ip', 'netns', 'exec', NS, 'ip', 'route', 'add', 'default', 'via', '198.18.77.1');
    outside = execa('ip', ['netns', 'exec', NS, process.execPath, '-e', `require('net').createServer((s) => s.on('error', () => undefined).end('outside\\n')).listen(${PORT}, '${OUTSIDE}')`], { reject: false });
    // Bounded: the listener is up within 5 s (the host reaches the namespace through the veth).
    for (let i = 0; i < 50; i++) {
      const up = await new Promise<boolean>((resolve) => { const s = net.connect(PORT, OUTSIDE, () => { s.destroy(); resolve(true); }).on('error', () => resolve(false)); });
      if (up) break;
      await new Promise((r) => setTimeout(r, 100));
    }

    const probe = async (egress: 'closed' | 'open') => {
      const runId = `it-egress-${egress}-${Date.now()}`;
      const cellId = `egress-${egress}/bookworm/docker`;
      const env = await new DockerBackend({ egress }).provision({ runId, cellId, logDir, labels: runLabels(runId, cellId, os.hostname()) });
      envs.push(env);
      const gw = await gateway(runId);
      servers.push(await hostListener(gw));
      const name = `probe-${egress}`;
      const r = await env.runJob({
        name, image: base.tag, env: { GW: gw }, files: [], volumes: [], ports: [], timeoutMs: 60_000,
        command: ['sh', '-c', `nc -z -w 3 ${OUTSIDE} ${PORT}; echo outside=$?; nc -z -w 3 "$GW" ${PORT}; echo host=$?; s=$(date +%s%N); getent hosts no-such-service; echo dns=$? ms=$(( ($(date +%s%N) - s) / 1000000 ))`],
      });
      t.is(r.exitCode, 0);
      const out = await readFile(env.logFile(name), 'utf8');
      // A name the cell does not know fails at once (NXDOMAIN from the stub when closed), not after libc's 20 s of retries.
      const dns = /dns=(\d+) ms=(\d+)/.exec(out);
      t.truthy(dns, out);
      t.is(dns![1], '2', `an unknown name does not resolve (${egress})`);
      t.true(Number(dns![2]) < 3000, `an unknown name fails within 3 s (${egress}: ${dns![2]} ms)`);
      return { outside: /outside=0/.test(out), host: /host=0/.test(out), runId };
    };

    const open = await probe('open');
    t.deepEqual({ outside: open.outside, host: open.host }, { outside: true, host: true }, 'egress open: the outside namespace and the host answer (the test can fail)');
    const closed = await probe('closed');
    t.deepEqual({ outside: closed.outside, host: closed.host }, { outside: false, host: false }, 'egress closed: neither answers');
    const rules = (await execa('iptables', ['-w', '10', '-S'])).stdout;
    t.regex(rules, /gategrid-egress gg-/, 'the closed network\'s rules are on the host while it lives');
  } finally {
    for (const env of envs) { await env.teardown().catch(() => undefined); await env.release(); }
    for (const s of servers) s.close();
    outside?.kill();
    await execa('ip', ['netns', 'del', NS], { reject: false });
    await execa('ip', ['link', 'del', HOST_END], { reject: false });
  }
  // Removing the network removed its rules, and only its.
  const after = (await execa('iptables', ['-w', '10', '-S'])).stdout;
  t.false(/gategrid-egress gg-[a-z0-9]*-egress-closed/.test(after), 'no rule of the removed network stays');
});
