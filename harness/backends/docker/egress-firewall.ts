import { execa } from 'execa';
import { InfraError, errorMessage } from '../../errors.ts';

/**
 * A cell network's way out, closed on the host's firewall (the network rule, enforced): a new
 * connection from the network's bridge to any address outside it is refused, whether forwarded
 * (Docker's DOCKER-USER chain, which it keeps for its users' rules) or addressed to the host itself
 * (INPUT: the bridge's gateway reaches every service of the host). Replies to what the harness
 * opens (the ports published on 127.0.0.1) and traffic inside the bridge still flow. REJECT, not
 * DROP: a service that asks an outside name or address fails at once instead of waiting out its
 * timeouts. Each rule carries a comment naming its network, so removing a network removes exactly
 * its rules, and a sweep finds those of networks that are gone (a crash between the two).
 */
export interface FirewallRule {
  readonly chain: 'DOCKER-USER' | 'INPUT';
  readonly spec: readonly string[];
  /** The rule as `iptables -S` prints it (measured: its own option order, the comment quoted). */
  readonly printed: string;
}

const COMMENT = 'gategrid-egress';
/** gategrid's Docker network names (`gg-<run>-<cell>-net`) and Linux bridge names: no spaces or quotes. */
const SAFE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
const IPV4 = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/**
 * The rules of a closed network. With `gateway` (where the cell's name stub answers: name-stub.ts),
 * DNS queries to it are let in first: Docker's embedded DNS forwards a name it does not know there.
 */
export function egressRules(network: string, bridge: string, gateway?: string): FirewallRule[] {
  if (!SAFE.test(network) || !SAFE.test(bridge) || bridge.length > 15 || (gateway !== undefined && !IPV4.test(gateway))) {
    throw new InfraError(`cannot close the egress of network "${network}" (bridge "${bridge}", gateway "${gateway ?? ''}"): unexpected name`);
  }
  const comment = `--comment "${COMMENT} ${network}"`;
  const tail = ['-m', 'conntrack', '--ctstate', 'NEW,INVALID', '-m', 'comment', '--comment', `${COMMENT} ${network}`, '-j', 'REJECT'];
  const printedTail = `-m conntrack --ctstate INVALID,NEW -m comment ${comment} -j REJECT --reject-with icmp-port-unreachable`;
  // Inserted in this order, each first in its chain: the DNS exception ends up before the REJECT.
  return [
    { chain: 'DOCKER-USER', spec: ['-i', bridge, '!', '-o', bridge, ...tail], printed: `-A DOCKER-USER -i ${bridge} ! -o ${bridge} ${printedTail}` },
    { chain: 'INPUT', spec: ['-i', bridge, ...tail], printed: `-A INPUT -i ${bridge} ${printedTail}` },
    ...(gateway ? [{
      chain: 'INPUT' as const,
      spec: ['-d', `${gateway}/32`, '-i', bridge, '-p', 'udp', '--dport', '53', '-m', 'comment', '--comment', `${COMMENT} ${network}`, '-j', 'ACCEPT'],
      printed: `-A INPUT -d ${gateway}/32 -i ${bridge} -p udp -m udp --dport 53 -m comment ${comment} -j ACCEPT`,
    }] : []),
  ];
}

export interface Iptables {
  (args: readonly string[]): Promise<{ exitCode: number; stdout: string; stderr: string }>;
}

/** The host's iptables (the variant Docker itself uses, through the same alternatives), waiting for its lock at most 10 s. */
export const hostIptables: Iptables = async (args) => {
  try {
    const r = await execa('iptables', ['-w', '10', ...args], { reject: false, timeout: 30_000 });
    return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') };
  } catch (cause) {
    return { exitCode: -1, stdout: '', stderr: errorMessage(cause) };
  }
};

/** Closes a network's way out: its rules go first in their chains. A failure names the fix. */
export async function closeEgress(network: string, bridge: string, gateway?: string, iptables: Iptables = hostIptables): Promise<void> {
  for (const rule of egressRules(network, bridge, gateway)) {
    const r = await iptables(['-I', rule.chain, '1', ...rule.spec]);
    if (r.exitCode !== 0) {
      await openEgress(network, bridge, gateway, iptables);
      throw new InfraError(
        `could not close the way out of cell network ${network} (iptables -I ${rule.chain}: ${r.stderr.trim() || `exit ${r.exitCode}`}): ` +
        'run gategrid as root on a host whose Docker engine manages iptables, or set network.egress: open in gategrid.config.yaml (the cells may then reach any address)',
      );
    }
  }
}

/** Removes a network's rules (each as often as it is there, at most 5 times); absent rules are fine. */
export async function openEgress(network: string, bridge: string, gateway?: string, iptables: Iptables = hostIptables): Promise<void> {
  for (const rule of egressRules(network, bridge, gateway)) {
    for (let i = 0; i < 5; i++) {
      const r = await iptables(['-D', rule.chain, ...rule.spec]);
      if (r.exitCode !== 0) break;
    }
  }
}

/** The networks (with their bridges and gateways) that hold gategrid egress rules on the host, read from both chains. */
export async function egressRuleNetworks(iptables: Iptables = hostIptables): Promise<EgressRuleOwner[]> {
  const found = new Map<string, EgressRuleOwner>();
  for (const chain of ['DOCKER-USER', 'INPUT'] as const) {
    const r = await iptables(['-S', chain]);
    if (r.exitCode !== 0) continue;
    for (const line of r.stdout.split('\n')) {
      const parsed = parseEgressRule(line);
      if (!parsed) continue;
      // The DNS exception names the gateway; the REJECT rules of the same network do not.
      const key = `${parsed.network} ${parsed.bridge}`;
      const gateway = parsed.gateway ?? found.get(key)?.gateway;
      found.set(key, { ...parsed, ...(gateway ? { gateway } : {}) });
    }
  }
  return [...found.values()];
}

export interface EgressRuleOwner {
  readonly network: string;
  readonly bridge: string;
  readonly gateway?: string;
}

/**
 * A line of `iptables -S` that is exactly one of gategrid's egress rules (regenerated from its
 * network, bridge and gateway and compared as printed), or undefined: a rule of anyone else is
 * never taken for one, whatever its comment says.
 */
export function parseEgressRule(line: string): EgressRuleOwner | undefined {
  const text = line.trim();
  const m = new RegExp(`^-A (?:DOCKER-USER|INPUT) (?:-d (\\S+)/32 )?-i (\\S+) .*--comment "?${COMMENT} (\\S+?)"? `).exec(`${text} `);
  if (!m) return undefined;
  const [, gateway, bridge, network] = m;
  let rules: FirewallRule[];
  try {
    rules = egressRules(network!, bridge!, gateway);
  } catch {
    return undefined;
  }
  if (!rules.some((r) => r.printed === text)) return undefined;
  return { network: network!, bridge: bridge!, ...(gateway ? { gateway } : {}) };
}

/**
 * Removes the egress rules of every network that no longer exists (a run's teardown, `down` and
 * `prune` call it after removing networks; a crash between a network's removal and its rules'
 * is swept by the next). Rules of live networks, and every rule not exactly gategrid's, stay.
 * Without iptables (not root, egress left open) there is nothing to sweep.
 */
export async function sweepEgressRules(networkExists: (name: string) => Promise<boolean>, iptables: Iptables = hostIptables): Promise<number> {
  let removed = 0;
  for (const { network, bridge, gateway } of await egressRuleNetworks(iptables)) {
    if (await networkExists(network)) continue;
    await openEgress(network, bridge, gateway, iptables);
    removed++;
  }
  return removed;
}
