import { poll } from '../util/poll.ts';
import { CheckFailed, verify } from '../checks/check.ts';
import { pollUntil } from '../checks/poll.ts';
import type { ExecResult } from '../backends/backend.ts';
import { waitForServer, waitForServerGone } from './compute-fixtures.ts';
import { diagnose, parseGuestConsole, type GuestConsole } from './guest-console.ts';
import { networkApi } from './network-checks.ts';
import { brief, unique, type Session } from './rest-client.ts';
import type { SshKey } from './ssh-key.ts';
import type { WorkloadResources } from './workload-resources.ts';
import type { WorkloadHooks } from './workload-hooks.ts';

/**
 * A guest as a user drives it (issue 21): booted on the tenant network, its first boot read on its
 * console, pinged and logged into over SSH from the probe (where a user outside the cloud stands),
 * deleted with its port. Shared by the workload checks and the upgrade's kept guest.
 */

export interface Guest {
  readonly id: string;
  readonly name: string;
  readonly fixedIp: string;
  readonly portId: string;
  floatingIp?: { readonly id: string; readonly address: string };
}

/** SSH from the probe with the run's key, handed over in the environment and written to a 0600 file there. */
const SSH_SCRIPT = [
  'umask 077; k=$(mktemp); trap \'rm -f "$k"\' EXIT',
  'printf "%s\\n" "$GATEGRID_SSH_KEY" > "$k"',
  'ssh -i "$k" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o ConnectTimeout=5 -o LogLevel=ERROR "root@$1" "$2"',
].join('; ');

export async function ssh(h: WorkloadHooks, key: SshKey, address: string, command: string, timeoutMs = 20_000): Promise<ExecResult> {
  return h.probe(['sh', '-c', SSH_SCRIPT, 'ssh', address, command], timeoutMs, { GATEGRID_SSH_KEY: key.privateKeyPem });
}

export async function pings(h: WorkloadHooks, address: string): Promise<boolean> {
  return (await h.probe(['ping', '-c', '1', '-W', '1', address], 5_000)).exitCode === 0;
}

export async function consoleOf(s: Session, serverId: string): Promise<string> {
  const res = await s.request('POST', `${s.endpoint('compute')}/servers/${serverId}/action`, { data: { 'os-getConsoleOutput': {} } });
  verify(res.status === 200, `the server's console log answered ${res.status}: ${brief(res.data)}`);
  return String(res.data?.output ?? '');
}

/** Deletes a server nova made the port of, and waits until both are gone: the address is free again. */
export async function deleteServerAndPort(s: Session, guest: Guest, timeoutMs = 60_000): Promise<void> {
  const del = await s.request('DELETE', `${s.endpoint('compute')}/servers/${guest.id}`);
  verify(del.status === 204, `delete server answered ${del.status}: ${brief(del.data)}`);
  await waitForServerGone(s, guest.id, timeoutMs);
  await pollUntil(`port ${guest.portId} of the deleted server to be deleted`, async () => (await s.request('GET', `${networkApi(s)}/ports/${guest.portId}`)).status,
    (status) => status === 404, { timeoutMs: 30_000 });
}

/** Gives a guest a floating IP on the external network (it reaches the guest's port once OVN has it). */
export async function attachFloatingIp(s: Session, made: WorkloadResources, guest: Guest): Promise<{ readonly id: string; readonly address: string }> {
  const fip = await s.request('POST', `${networkApi(s)}/floatingips`, { data: { floatingip: { floating_network_id: made.externalNetworkId, port_id: guest.portId } } });
  verify(fip.status === 201, `create floating IP answered ${fip.status}: ${brief(fip.data)}`);
  guest.floatingIp = { id: fip.data.floatingip.id, address: fip.data.floatingip.floating_ip_address };
  return guest.floatingIp;
}

/** Boots a guest on the tenant network with the key and the security group; resolves once nova says ACTIVE. */
export async function boot(s: Session, made: WorkloadResources, what: string): Promise<{ guest: Guest; activeMs: number }> {
  const name = unique(what);
  const started = Date.now();
  const res = await s.request('POST', `${s.endpoint('compute')}/servers`, {
    data: { server: { name, imageRef: made.imageId, flavorRef: made.flavorId, key_name: made.keyName, networks: [{ uuid: made.networkId }], security_groups: [{ name: made.securityGroupName }] } },
  });
  verify(res.status === 202, `boot server ${name} answered ${res.status}: ${brief(res.data)}`);
  const id = res.data.server.id as string;
  await waitForServer(s, id, 'ACTIVE', 240_000);
  const activeMs = Date.now() - started;
  const ports = await s.request('GET', `${networkApi(s)}/ports?device_id=${id}`);
  const port = ports.data?.ports?.[0];
  verify(port, `server ${name} is ACTIVE with no port on its network`);
  verify(port.status === 'ACTIVE', `server ${name}'s port ${port.id} is ${port.status}: OVN never saw its tap come up`);
  return { guest: { id, name, fixedIp: port.fixed_ips[0].ip_address, portId: port.id }, activeMs };
}

/** Waits for the guest's first boot to finish on its console (or to stop at a step that cannot go on). */
export async function firstBoot(s: Session, guest: Guest, timeoutMs = 180_000): Promise<GuestConsole> {
  return pollUntil(`guest ${guest.name}'s first boot on its console`, async () => parseGuestConsole(await consoleOf(s, guest.id)), (c) => c.ready,
    { timeoutMs, intervalMs: 2_000, describe: (c) => diagnose(c, guest.fixedIp, true) });
}

/** Pings then logs into a guest from the probe, both bounded; a guest that never answers fails naming why. */
export async function reach(h: WorkloadHooks, s: Session, guest: Guest, key: SshKey, timeoutMs: number): Promise<{ pingMs: number; sshMs: number; hostname: string }> {
  if (!guest.floatingIp) throw new CheckFailed(`guest ${guest.name} has no floating IP to reach it on`);
  const address = guest.floatingIp.address;
  const started = Date.now();
  let pingMs: number | undefined;
  let last: ExecResult | undefined;
  const reached = await poll<{ pingMs: number; sshMs: number; hostname: string }>(async () => {
    if (pingMs === undefined && (await pings(h, address))) pingMs = Date.now() - started;
    if (pingMs === undefined) return { again: 'no ping' };
    last = await ssh(h, key, address, 'hostname');
    if (last.exitCode === 0) return { done: { pingMs, sshMs: Date.now() - started, hostname: last.output.trim() } };
    return { again: 'no SSH' };
  }, { timeoutMs, intervalMs: 1_000, tries: 200 });
  if (reached.ok) return reached.value;
  const c = parseGuestConsole(await consoleOf(s, guest.id).catch(() => ''));
  const why = diagnose(c, guest.fixedIp, pingMs !== undefined);
  throw new CheckFailed(`guest ${guest.name} (${guest.fixedIp}, floating ${address}) did not answer ${pingMs === undefined ? 'ping' : 'SSH'} within ${timeoutMs / 1000} s: ${why}${last ? ` (ssh: ${last.output.trim().split('\n').slice(-1)[0]})` : ''}`);
}
