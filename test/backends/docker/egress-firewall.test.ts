import test from 'ava';
import { closeEgress, egressRules, parseEgressRule, sweepEgressRules, type Iptables } from '../../../harness/backends/docker/egress-firewall.ts';

/**
 * An in-memory iptables holding two chains as `iptables -S` prints them (a rule is kept in the
 * printed form, which is what -S returns and what -D must match). Only the forms gategrid writes
 * are translated; anything else is refused as real iptables refuses a rule it cannot find.
 */
function memoryIptables(initial: Record<string, string[]> = {}): Iptables & { chains: Record<string, string[]>; calls: string[][] } {
  const chains: Record<string, string[]> = { 'DOCKER-USER': ['-A DOCKER-USER -j RETURN'], INPUT: [], ...initial };
  const calls: string[][] = [];
  const printed = (chain: string, spec: readonly string[]): string => {
    const s = spec.map((a) => (a.includes(' ') ? `"${a}"` : a)).join(' ').replace('--ctstate NEW,INVALID', '--ctstate INVALID,NEW').replace('-p udp --dport', '-p udp -m udp --dport');
    return `-A ${chain} ${s}${spec.at(-1) === 'REJECT' ? ' --reject-with icmp-port-unreachable' : ''}`;
  };
  const fn = (async (args: readonly string[]) => {
    calls.push([...args]);
    const [op, chain, ...rest] = args;
    const rules = chains[chain!];
    if (!rules) return { exitCode: 1, stdout: '', stderr: `iptables: No chain/target/match by that name.` };
    if (op === '-S') return { exitCode: 0, stdout: [`-N ${chain}`, ...rules].join('\n') + '\n', stderr: '' };
    if (op === '-I') { rules.unshift(printed(chain!, rest.slice(1))); return { exitCode: 0, stdout: '', stderr: '' }; }
    if (op === '-D') {
      const i = rules.indexOf(printed(chain!, rest));
      if (i === -1) return { exitCode: 1, stdout: '', stderr: 'iptables: Bad rule (does a matching rule exist in that chain?).' };
      rules.splice(i, 1);
      return { exitCode: 0, stdout: '', stderr: '' };
    }
    return { exitCode: 2, stdout: '', stderr: 'unsupported' };
  }) as Iptables & { chains: Record<string, string[]>; calls: string[][] };
  fn.chains = chains;
  fn.calls = calls;
  return fn;
}

test('a closed network refuses new connections leaving its bridge (forwarded and to the host), first in each chain', async (t) => {
  const ipt = memoryIptables({ INPUT: ['-A INPUT -i eth0 -j ACCEPT'] });
  await closeEgress('gg-12345678-core-zed-docker-net', 'br-0123456789ab', '172.30.0.1', ipt);
  t.regex(ipt.chains['DOCKER-USER']![0]!, /^-A DOCKER-USER -i br-0123456789ab ! -o br-0123456789ab -m conntrack --ctstate INVALID,NEW .*-j REJECT/);
  t.is(ipt.chains.INPUT![0], '-A INPUT -d 172.30.0.1/32 -i br-0123456789ab -p udp -m udp --dport 53 -m comment --comment "gategrid-egress gg-12345678-core-zed-docker-net" -j ACCEPT', 'DNS to the name stub first');
  t.regex(ipt.chains.INPUT![1]!, /^-A INPUT -i br-0123456789ab -m conntrack --ctstate INVALID,NEW .*-j REJECT/);
  t.is(ipt.chains.INPUT![2], '-A INPUT -i eth0 -j ACCEPT', "the host's own rule stays, after ours");
  t.deepEqual(parseEgressRule(ipt.chains.INPUT![1]!), { network: 'gg-12345678-core-zed-docker-net', bridge: 'br-0123456789ab' });
  t.deepEqual(parseEgressRule(ipt.chains.INPUT![0]!), { network: 'gg-12345678-core-zed-docker-net', bridge: 'br-0123456789ab', gateway: '172.30.0.1' });
});

test('a failure to close names the fix, and leaves no half of the rules behind', async (t) => {
  const ipt = memoryIptables();
  const refusing: Iptables = async (args) => (args[0] === '-I' && args[1] === 'INPUT' ? { exitCode: 4, stdout: '', stderr: 'iptables v1.8.9 (nf_tables): Could not fetch rule set generation id: Permission denied (you must be root)' } : ipt(args));
  const error = await t.throwsAsync(closeEgress('gg-1-net', 'br-0123456789ab', undefined, refusing));
  t.regex(error!.message, /could not close the way out of cell network gg-1-net .*you must be root.*network\.egress: open/);
  t.deepEqual(ipt.chains['DOCKER-USER'], ['-A DOCKER-USER -j RETURN'], 'the forwarded rule made first was taken back');
});

test('the sweep removes exactly the rules of networks that are gone, never a rule of anyone else', async (t) => {
  const ipt = memoryIptables();
  await closeEgress('gg-aaaaaaaa-live-net', 'br-aaaaaaaaaaaa', '172.30.0.1', ipt);
  await closeEgress('gg-bbbbbbbb-gone-net', 'br-bbbbbbbbbbbb', '172.31.0.1', ipt);
  // Someone else's rules, one of them carrying a look-alike comment with another action.
  const foreign = [
    '-A DOCKER-USER -i br-bbbbbbbbbbbb ! -o br-bbbbbbbbbbbb -m comment --comment "gategrid-egress gg-bbbbbbbb-gone-net" -j ACCEPT',
    '-A DOCKER-USER -i docker0 -j DROP',
  ];
  ipt.chains['DOCKER-USER']!.splice(0, 0, ...foreign);
  const removed = await sweepEgressRules(async (name) => name === 'gg-aaaaaaaa-live-net', ipt);
  t.is(removed, 1);
  t.deepEqual(ipt.chains['DOCKER-USER']!.filter((l) => l.includes('gg-bbbbbbbb') || l.includes('docker0')), foreign, 'only the look-alike and the foreign rule stay of the gone network\'s');
  t.false(ipt.chains.INPUT!.some((l) => l.includes('gg-bbbbbbbb')));
  t.true(ipt.chains.INPUT!.some((l) => l.includes('gg-aaaaaaaa-live-net')), 'a live network keeps its rules');
  t.is(ipt.chains['DOCKER-USER']!.filter((l) => l.includes('gg-aaaaaaaa')).length, 1);
  t.is(ipt.chains.INPUT!.filter((l) => l.includes('gg-aaaaaaaa')).length, 2, 'its REJECT and its DNS exception');
});

test('names that could smuggle arguments into iptables are refused', (t) => {
  t.throws(() => egressRules('gg-x-net" -j ACCEPT', 'br-0123456789ab'), { message: /unexpected name/ });
  t.throws(() => egressRules('gg-x-net', 'a-bridge-name-too-long'), { message: /unexpected name/ });
  t.is(parseEgressRule('-A INPUT -i br-0123456789ab -m conntrack --ctstate INVALID,NEW -m comment --comment "gategrid-egress gg-x-net" -j ACCEPT'), undefined);
});
