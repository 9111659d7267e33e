import test from 'ava';
import net from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeApi } from '../../../harness/backends/kubernetes/kube-api.ts';

// Issue 22 (bounded): an API server that accepts connections and never answers fails each call
// after the request deadline, instead of hanging run, down and prune forever.
test('a hung API server fails a call after the request deadline', async (t) => {
  const sockets: net.Socket[] = [];
  const server = net.createServer((s) => { sockets.push(s); s.on('error', () => undefined); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  try {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'hung', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
      users: [{ name: 'u', token: 'not-a-secret' }],
      contexts: [{ name: 'hung', cluster: 'hung', user: 'u' }],
      currentContext: 'hung',
    });
    const api = new KubeApi(kc, 500);
    const started = Date.now();
    const error = await t.throwsAsync(api.core.listNamespace());
    t.true(Date.now() - started < 5_000, `${Date.now() - started} ms`);
    t.regex(String(error?.message), /abort|timeout/i);
    t.true(sockets.length >= 1, 'the request reached the server');
    await t.throwsAsync(api.version(500), { message: /does not answer/ });
  } finally {
    for (const s of sockets) s.destroy();
    server.close();
  }
});
