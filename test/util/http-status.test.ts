// One GET through the one HTTP client: its status, no redirect followed, a timeout and a refusal said in a word, no other host asked.
import test from 'ava';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpStatus, requestFailure } from '../../harness/util/http-status.ts';
import { freeLoopbackPort } from '../../harness/util/free-port.ts';

async function server(handler: http.RequestListener): Promise<{ url: string; close: () => Promise<void> }> {
  const s = http.createServer(handler);
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => { s.closeAllConnections(); s.close(() => resolve()); }) };
}

test('the status, a redirect not followed', async (t) => {
  const s = await server((req, res) => {
    if (req.url === '/moved') res.writeHead(302, { Location: '/elsewhere' }).end();
    else res.writeHead(req.url === '/elsewhere' ? 200 : 204).end();
  });
  try {
    t.is(await httpStatus(`${s.url}/healthcheck`, 2_000), 204);
    t.is(await httpStatus(`${s.url}/moved`, 2_000), 302);
  } finally {
    await s.close();
  }
});

test('nothing answering in time is a TimeoutError; a closed port is ECONNREFUSED', async (t) => {
  const s = await server(() => undefined);
  try {
    const slow = await t.throwsAsync(httpStatus(`${s.url}/`, 300));
    t.is(requestFailure(slow), 'TimeoutError');
  } finally {
    await s.close();
  }
  const refused = await t.throwsAsync(httpStatus(`http://127.0.0.1:${await freeLoopbackPort()}/`, 2_000));
  t.is(requestFailure(refused), 'ECONNREFUSED');
});

test('a host other than this machine\'s loopback is refused before a byte leaves', async (t) => {
  const error = await t.throwsAsync(httpStatus('http://192.0.2.1:5000/', 2_000));
  t.regex(error!.message, /refused to send a request to 192\.0\.2\.1:5000/);
});
