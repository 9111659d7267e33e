import test from 'ava';
import { http, isLoopbackUrl } from '../../harness/util/http-client.ts';

test('only loopback URLs are the client\'s to ask', (t) => {
  t.true(isLoopbackUrl('http://127.0.0.1:5000/v3'));
  t.true(isLoopbackUrl('http://localhost:8774/v2.1'));
  t.true(isLoopbackUrl('http://[::1]:9292/'));
  t.false(isLoopbackUrl('http://keystone:5000/v3'), 'a cell-internal name is not reachable from the host either');
  t.false(isLoopbackUrl('http://deb.debian.org/debian'));
  t.false(isLoopbackUrl('http://127.0.0.1.example.com/'));
  t.false(isLoopbackUrl('not a url'));
});

test('a request to another host is refused before it is sent, the token never leaving', async (t) => {
  const error = await t.throwsAsync(http.get('http://192.0.2.10:5000/v3', { headers: { 'X-Auth-Token': 'tok' }, timeout: 1000 }));
  t.regex(error!.message, /refused to send a request to 192\.0\.2\.10:5000: gategrid reaches a cell only through ports published on 127\.0\.0\.1/);
});
