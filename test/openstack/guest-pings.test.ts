import test from 'ava';
import { readFile } from 'node:fs/promises';
import { parsePingLog } from '../../harness/openstack/guest-pings.ts';

// Recorded: iputils ping -D -O -i 0.2 (bookworm's, as the probe's) at an address behind a veth
// whose far end was set down for 1.3 s: ten requests went unanswered, then the queue was flushed
// (replies up to 2044 ms late), then prompt answers again.
test('a recorded ping log: the requests answered more than a second late are the outage, from the first one sent to the next answered in time', async (t) => {
  const text = await readFile(new URL('../../fixtures/pings/iputils-link-down-1.3s.log', import.meta.url), 'utf8');
  const r = parsePingLog(text, '198.18.78.2');
  t.is(r.url, 'ping 198.18.78.2');
  t.is(r.requests, 21);
  t.is(r.failed, 6, 'icmp_seq 9 to 14 came back 2044 to 1024 ms late');
  t.is(r.outages.length, 1);
  t.is(r.outages[0]!.first, 'answered 2044 ms late');
  // Sent at 197.946 (seq 9), the next in time sent at 199.171 (seq 15).
  t.true(Math.abs(r.downtimeMs - 1225) < 5, String(r.downtimeMs));
  t.is(r.startedAt, new Date(1796600196.310749 * 1000).toISOString());
});

test('a guest that never stopped answering has no outage; one still silent at the end is down until then; an empty log is no sample', (t) => {
  const ok = ['[100.000100] 64 bytes from 10.0.0.5: icmp_seq=1 ttl=63 time=0.1 ms', '[100.200100] 64 bytes from 10.0.0.5: icmp_seq=2 ttl=63 time=0.1 ms'].join('\n');
  t.deepEqual({ ...parsePingLog(ok, '10.0.0.5'), startedAt: undefined }, { url: 'ping 10.0.0.5', requests: 2, failed: 0, downtimeMs: 0, outages: [], observedMs: 200, startedAt: undefined });
  const silent = `${ok}\n[100.600000] no answer yet for icmp_seq=3\n[100.800000] From 172.24.4.1 icmp_seq=4 Destination Host Unreachable`;
  const r = parsePingLog(silent, '10.0.0.5');
  t.is(r.failed, 2);
  t.deepEqual(r.outages.map((o) => [o.fromMs, o.toMs, o.first]), [[400, 800, 'no answer']]);
  t.is(parsePingLog('PING 10.0.0.5 (10.0.0.5) 56(84) bytes of data.\n', '10.0.0.5').requests, 0);
});

test('a ping that ended before the watch did leaves the rest unobserved: counted as down until the stop, with ping\'s last words, never as answered', (t) => {
  const ok = ['[100.000100] 64 bytes from 10.0.0.5: icmp_seq=1 ttl=63 time=0.1 ms', '[100.200100] 64 bytes from 10.0.0.5: icmp_seq=2 ttl=63 time=0.1 ms'];
  // Silent, then ping itself gone 60 s before the watch stopped (measured with Open vSwitch replaced under it).
  const died = [...ok, '[100.600000] no answer yet for icmp_seq=3', 'ping: sendmsg: Network is unreachable'].join('\n');
  const r = parsePingLog(died, '10.0.0.5', 160.6);
  t.deepEqual(r.outages.map((o) => [o.fromMs, o.toMs]), [[400, 60_600]]);
  t.regex(r.outages[0]!.first, /no answer; then the ping ended 60\.0 s before the watch did \(its last words: ping: sendmsg: Network is unreachable\)/);
  t.is(r.observedMs, 60_600);
  // Answering to its last line, then gone: the unobserved rest is an outage too.
  const quiet = parsePingLog(ok.join('\n'), '10.0.0.5', 130.2);
  t.deepEqual(quiet.outages.map((o) => [o.fromMs, o.toMs]), [[400, 30_200]]);
  t.regex(quiet.outages[0]!.first, /^the ping ended 30\.0 s before the watch did: not observed, counted as down$/);
  // Stopped right after its last line: nothing added.
  t.deepEqual(parsePingLog(ok.join('\n'), '10.0.0.5', 100.9).outages, []);
});

test('requests ping numbered but never printed (its sends failing) are unanswered: the gap between two answers is an outage, with what ping said', (t) => {
  // As iputils prints it when the probe's route is gone for a while: no line with icmp_seq 3 to 12.
  const text = [
    '[100.000100] 64 bytes from 10.0.0.5: icmp_seq=1 ttl=63 time=0.1 ms',
    '[100.200100] 64 bytes from 10.0.0.5: icmp_seq=2 ttl=63 time=0.1 ms',
    'ping: sendmsg: Network is unreachable',
    'ping: sendmsg: Network is unreachable',
    '[102.400100] 64 bytes from 10.0.0.5: icmp_seq=13 ttl=63 time=0.1 ms',
  ].join('\n');
  const r = parsePingLog(text, '10.0.0.5');
  t.is(r.requests, 13);
  t.is(r.failed, 10);
  t.deepEqual(r.outages.map((o) => [o.fromMs, o.toMs]), [[400, 2400]]);
  t.is(r.outages[0]!.first, 'not sent or not printed (ping: sendmsg: Network is unreachable)');
});
