/**
 * The network extensions Tempest is told about: what neutron loaded, less the agent schedulers
 * with no agent of their kind. Neutron's ML2 loads `dhcp_agent_scheduler` (and the router plugin
 * `l3_agent_scheduler`) whether or not such an agent exists; a cloud without one (a fake-driver
 * compute, or OVN's native DHCP and routing) would have Tempest run scheduler tests against agents
 * that never come, failing for the test's assumption, not the cloud's fault. Devstack configures
 * Tempest the same way when it runs no such agent.
 */

/** Each scheduler extension and the agent type (neutron's `agent_type`) it schedules to. */
const SCHEDULERS: ReadonlyMap<string, string> = new Map([
  ['dhcp_agent_scheduler', 'DHCP agent'],
  ['l3_agent_scheduler', 'L3 agent'],
]);

export interface NetworkExtensions {
  /** The aliases for tempest.conf, sorted. */
  readonly aliases: readonly string[];
  /** What was left out and why, for the run's log. */
  readonly left: readonly string[];
}

/**
 * `agentTypes`: the types of the agents neutron lists (GET /v2.0/agents), or undefined when it
 * could not say (no `agent` extension): then nothing is left out.
 */
export function tempestNetworkExtensions(loaded: readonly string[], agentTypes: readonly string[] | undefined): NetworkExtensions {
  const left: string[] = [];
  const aliases = [...loaded].sort().filter((alias) => {
    const needs = SCHEDULERS.get(alias);
    if (needs === undefined || agentTypes === undefined || agentTypes.includes(needs)) return true;
    left.push(`${alias} (no ${needs} to schedule to)`);
    return false;
  });
  return { aliases, left };
}
