import test from 'ava';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../harness/config/paths.ts';
import { diagnose, parseGuestConsole } from '../../harness/openstack/guest-console.ts';

const recorded = (name: string) => readFileSync(path.join(repoRoot, 'fixtures', 'consoles', name), 'utf8');

test('a recorded console without metadata: booted, leased, ready, and the diagnosis names metadata', (t) => {
  const c = parseGuestConsole(recorded('guest-no-metadata.txt'));
  t.is(c.bootedAt, 1.71);
  t.deepEqual(c.lease, { address: '10.113.37.138', router: '10.113.37.1', routes: [], at: 2.49 });
  t.true(c.noMetadata);
  t.is(c.metadata, undefined);
  t.is(c.sshAt, 7.62);
  t.true(c.ready);
  t.regex(diagnose(c, '10.113.37.138', true), /read no metadata/);
  t.regex(diagnose(c, '10.113.37.138', false), /does not answer ping: the router's NAT/);
  t.regex(diagnose(c, '10.113.37.99', true), /lease is 10\.113\.37\.138, but neutron gave its port 10\.113\.37\.99/);
});

test('each step missing from a console is named as the reason', (t) => {
  t.regex(diagnose(parseGuestConsole(''), '10.0.0.5', false), /no boot/);
  const noLease = 'gategrid-guest: booted, kernel 6.1.0-57-cloud-amd64, 1.7 s since power on\ngategrid-guest: no dhcp lease on eth0\n';
  t.regex(diagnose(parseGuestConsole(noLease), '10.0.0.5', false), /no DHCP lease/);
  const waiting = 'gategrid-guest: booted, kernel 6.1.0-57-cloud-amd64, 1.7 s since power on\n';
  t.regex(diagnose(parseGuestConsole(waiting), '10.0.0.5', false), /still waiting for a DHCP lease/);
});

test('a console with metadata gives the host name and the key\'s comment', (t) => {
  const c = parseGuestConsole('gategrid-guest: metadata hostname=gategrid-guest-1a2b3c4d key=gategrid-key-5e6f7a8b\r\n');
  t.deepEqual(c.metadata, { hostname: 'gategrid-guest-1a2b3c4d', key: 'gategrid-key-5e6f7a8b' });
  t.false(c.noMetadata);
  t.false(c.ready);
});

test('a lease with classless static routes (OVN\'s route to the metadata address) is read with them', (t) => {
  const c = parseGuestConsole('gategrid-guest: dhcp lease 10.0.0.5/24 on eth0 via 10.0.0.1 routes 169.254.169.254/32,10.0.0.2,0.0.0.0/0,10.0.0.1, 2.61 s since power on\n');
  t.deepEqual(c.lease, { address: '10.0.0.5', router: '10.0.0.1', routes: ['169.254.169.254/32', '10.0.0.2', '0.0.0.0/0', '10.0.0.1'], at: 2.61 });
});

test('a guest still asking an unanswering metadata service is named so before it gives up', (t) => {
  const c = parseGuestConsole([
    'gategrid-guest: booted, kernel 6.1.0-57-cloud-amd64, 1.9 s since power on',
    'gategrid-guest: dhcp lease 10.0.0.5/24 on eth0 via 10.0.0.1 routes 169.254.169.254/32,10.0.0.2,0.0.0.0/0,10.0.0.1, 2.69 s since power on',
    'gategrid-guest: metadata not answering yet, asking again',
  ].join('\n'));
  t.true(c.metadataRetrying);
  t.regex(diagnose(c, '10.0.0.5', true), /metadata service does not answer/);
});
