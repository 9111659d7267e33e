/** The network extensions Tempest is told about: agent schedulers only where their agents exist. */
import test from 'ava';
import { tempestNetworkExtensions } from '../../tempest-bridge/network-extensions.ts';

const loaded = ['router', 'dhcp_agent_scheduler', 'agent', 'l3_agent_scheduler', 'network-ip-availability'];

test('no DHCP or L3 agent: their schedulers are left out, each with why', (t) => {
  const { aliases, left } = tempestNetworkExtensions(loaded, []);
  t.deepEqual(aliases, ['agent', 'network-ip-availability', 'router']);
  t.deepEqual(left, ['dhcp_agent_scheduler (no DHCP agent to schedule to)', 'l3_agent_scheduler (no L3 agent to schedule to)']);
});

test('an agent of the kind keeps its scheduler', (t) => {
  const { aliases, left } = tempestNetworkExtensions(loaded, ['DHCP agent', 'Open vSwitch agent']);
  t.deepEqual(aliases, ['agent', 'dhcp_agent_scheduler', 'network-ip-availability', 'router']);
  t.deepEqual(left, ['l3_agent_scheduler (no L3 agent to schedule to)']);
});

test('agents unknown (no agent API): nothing is left out', (t) => {
  const { aliases, left } = tempestNetworkExtensions(loaded, undefined);
  t.deepEqual(aliases, [...loaded].sort());
  t.deepEqual(left, []);
});
