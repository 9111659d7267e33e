import test from 'ava';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Dockerode from 'dockerode';
import { BoundPorts } from 'testcontainers';
import { HttpNotReadyError, LoopbackHttpWaitStrategy } from '../../harness/backends/docker/wait-strategies/loopback-http-wait-strategy.ts';

const noContainer = {} as Dockerode.Container;

async function serve(statusFor: (request: number) => number): Promise<{ server: Server; port: number; seen: string[] }> {
  const seen: string[] = [];
  let n = 0;
  const server = createServer((req, res) => {
    seen.push(`${req.socket.localAddress} ${req.url}`);
    res.writeHead(statusFor(n++)).end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, seen };
}

function ports(containerPort: number, hostPort: number): BoundPorts {
  const bound = new BoundPorts();
  bound.setBinding(containerPort, hostPort);
  return bound;
}

test('ready once the published port answers the expected status, asking 127.0.0.1 only', async (t) => {
  const { server, port, seen } = await serve((n) => (n < 2 ? 503 : 200));
  t.teardown(() => server.close());
  const strategy = new LoopbackHttpWaitStrategy({ path: '/v3', port: 5000, status: 200, intervalMs: 20 }).withStartupTimeout(5_000);
  await strategy.waitUntilReady(noContainer, ports(5000, port));
  t.is(seen.length, 3);
  t.true(seen.every((s) => s === '127.0.0.1 /v3'));
});

test('a wrong status until the deadline fails with the last answer', async (t) => {
  const { server, port } = await serve(() => 500);
  t.teardown(() => server.close());
  const strategy = new LoopbackHttpWaitStrategy({ path: '/', port: 80, status: 200, intervalMs: 20 }).withStartupTimeout(1_000);
  const error = await t.throwsAsync(strategy.waitUntilReady(noContainer, ports(80, port)), { instanceOf: HttpNotReadyError });
  // Even when the deadline cuts the last request short, the last real answer is what is said.
  t.regex(error.message, /within 1\.0 s \(last: HTTP 500\)$/);
});

test('a closed port fails with the connection error, within the deadline', async (t) => {
  const { server, port } = await serve(() => 200);
  await new Promise((resolve) => server.close(resolve));
  const started = Date.now();
  const strategy = new LoopbackHttpWaitStrategy({ path: '/', port: 80, status: 200, intervalMs: 20 }).withStartupTimeout(300);
  const error = await t.throwsAsync(strategy.waitUntilReady(noContainer, ports(80, port)), { instanceOf: HttpNotReadyError });
  t.regex(error.message, /ECONNREFUSED/);
  t.true(Date.now() - started < 3_000);
});

test('a request the deadline cuts short does not hide the last real answer', async (t) => {
  // Answers 500 once, then never answers: the last request is cut by the deadline.
  const { server, port } = await serve(() => 500);
  let n = 0;
  server.removeAllListeners('request');
  server.on('request', (_req, res) => void (n++ === 0 && res.writeHead(500).end()));
  t.teardown(() => server.closeAllConnections());
  t.teardown(() => server.close());
  const strategy = new LoopbackHttpWaitStrategy({ path: '/', port: 80, status: 200, intervalMs: 20, requestTimeoutMs: 5_000 }).withStartupTimeout(500);
  const error = await t.throwsAsync(strategy.waitUntilReady(noContainer, ports(80, port)), { instanceOf: HttpNotReadyError });
  t.regex(error.message, /\(last: HTTP 500\)$/);
  t.true(n >= 2, 'a second request was made and hung');
});
