import test from 'ava';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Environment } from '../../../harness/backends/backend.ts';
import { runCheck } from '../../../harness/checks/check.ts';
import { probeChecks } from '../../../harness/checks/probes/probe-checks.ts';
import { jsonField } from '../../../harness/checks/probes/http-probe.ts';
import type { RenderedProbe } from '../../../harness/deploy/plan.ts';

// Issue 24, checks as data: each kind passes on what it asks for and fails for the right reason,
// named in its message. HTTP and TCP against real listeners on 127.0.0.1; exec through an
// environment that answers as a container would.

async function listening<T extends net.Server>(server: T): Promise<{ server: T; port: number }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

const run = async (probe: RenderedProbe, env: Partial<Environment> = {}) => {
  const [check] = probeChecks([probe]);
  return runCheck(check!, { env: env as Environment });
};
const base = { owner: undefined, timeoutMs: 5_000 };

test('http: status, a body regex and JSON fields by dotted path; each mismatch fails naming it', async (t) => {
  const { server, port } = await listening(http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += String(c); });
    req.on('end', () => {
      if (req.url === '/items' && req.method === 'POST' && req.headers['x-token'] === 'abc') {
        res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ items: [{ name: JSON.parse(body).name, ok: true }] }));
      } else res.writeHead(404).end('no such thing here');
    });
  }));
  t.teardown(() => server.close());
  const url = `http://127.0.0.1:${port}/items`;
  const post = { url, method: 'POST', headers: { 'x-token': 'abc' }, body: '{"name":"rows"}', status: [201], json: { 'items.0.name': 'rows', 'items.0.ok': true } };
  const passed = await run({ ...base, id: 'probe.items', http: post });
  t.is(passed.status, 'passed', passed.message);
  t.is(passed.kind, 'probe');
  t.regex(passed.message ?? '', /POST .*: 201, 2 JSON field\(s\) as expected/);
  const field = await run({ ...base, id: 'probe.items', http: { ...post, json: { 'items.0.name': 'other' } } });
  t.is(field.status, 'failed');
  t.regex(field.message ?? '', /field items\.0\.name is "rows", expected "other"/);
  const status = await run({ ...base, id: 'probe.items', http: { ...post, headers: {} } });
  t.is(status.status, 'failed');
  t.regex(status.message ?? '', /answered 404, expected 201: no such thing here/);
  const body = await run({ ...base, id: 'probe.items', http: { ...post, matches: '"ok":false' } });
  t.regex(body.message ?? '', /the body does not match \/"ok":false\//);
  const elsewhere = await run({ ...base, id: 'probe.items', http: { ...post, url: 'http://192.0.2.1/' } });
  t.is(elsewhere.status, 'error', 'another host is refused before a byte leaves');
  t.regex(elsewhere.message ?? '', /refused to send a request to 192\.0\.2\.1/);
  t.is(jsonField({ a: [{ b: null }] }, 'a.0.b'), null);
  t.is(jsonField({ a: 1 }, 'a.b'), undefined);
});

test('tcp: a listening loopback port passes; a closed one fails naming the refusal; another address is refused', async (t) => {
  const { server, port } = await listening(net.createServer((s) => s.end()));
  const open = await run({ ...base, id: 'probe.port', tcp: { host: '127.0.0.1', port } });
  t.is(open.status, 'passed', open.message);
  server.close();
  await new Promise((resolve) => server.once('close', resolve));
  const closed = await run({ ...base, id: 'probe.port', tcp: { host: '127.0.0.1', port } });
  t.is(closed.status, 'failed');
  t.regex(closed.message ?? '', new RegExp(`127\\.0\\.0\\.1:${port}: no connection \\(ECONNREFUSED\\)`));
  const elsewhere = await run({ ...base, id: 'probe.port', tcp: { host: '192.0.2.1', port: 80 } });
  t.is(elsewhere.status, 'error');
  t.regex(elsewhere.message ?? '', /refused to connect to 192\.0\.2\.1:80/);
});

test('exec: the command runs in the named service; a wrong exit code or output fails naming it', async (t) => {
  const calls: string[] = [];
  const env: Partial<Environment> = {
    exec: async (name, command) => {
      calls.push(`${name}: ${command.join(' ')}`);
      return command[1] === 'ping' ? { exitCode: 0, output: 'PONG\n' } : { exitCode: 1, output: 'ERR unknown command\n' };
    },
  };
  const ok = await run({ ...base, id: 'probe.cache.ping', exec: { service: 'cache', command: ['redis-cli', 'ping'], exitCode: 0, output: '^PONG$' } }, env);
  t.is(ok.status, 'passed', ok.message);
  t.deepEqual(calls, ['cache: redis-cli ping']);
  const exit = await run({ ...base, id: 'probe.cache.bad', exec: { service: 'cache', command: ['redis-cli', 'nope'], exitCode: 0 } }, env);
  t.is(exit.status, 'failed');
  t.regex(exit.message ?? '', /cache: redis-cli nope exited 1, expected 0: ERR unknown command/);
  const output = await run({ ...base, id: 'probe.cache.ping', exec: { service: 'cache', command: ['redis-cli', 'ping'], exitCode: 0, output: '^PANG$' } }, env);
  t.is(output.status, 'failed');
  t.regex(output.message ?? '', /its output does not match \/\^PANG\$\/: PONG/);
});
