import type { CloudSpec } from '../config/schemas.ts';
import { CheckFailed, verify } from '../checks/check.ts';
import { getServer } from './compute-fixtures.ts';
import { diagnose } from './guest-console.ts';
import { attachFloatingIp, boot, deleteServerAndPort, firstBoot, reach, ssh, type Guest } from './guest-ops.ts';
import type { WorkloadHooks } from './workload-hooks.ts';
import { watchPings } from './guest-pings.ts';
import { networkApi } from './network-checks.ts';
import { unique, Session } from './rest-client.ts';
import { makeSshKey, privateKeyBody } from './ssh-key.ts';
import type { MadeResources } from './made-resources.ts';
import { deleteTopology, makeTopology, uploadGuest, type WorkloadResources } from './workload-resources.ts';

/**
 * The upgrade's kept guest (issue 21), as Kolla's upgrade job keeps one: before the upgrade a
 * guest boots from glance, gets its lease and key, and answers SSH on its floating IP; the probe
 * then pings it every 200 ms for the whole upgrade. While a service is down it must still answer
 * SSH (its API state read when the APIs serve); after the upgrade it is ACTIVE on the same host,
 * answers SSH with the same key and host name, and the pings say how long it did not answer.
 */
export async function makeWorkload(cloud: CloudSpec, h: WorkloadHooks | undefined): Promise<MadeResources> {
  if (!h) throw new CheckFailed('the workload resources need the scenario\'s workload section (guestImage, probe)');
  const s = await Session.login(cloud);
  const made: WorkloadResources = {};
  const key = makeSshKey(unique('upgrade-key'));
  h.secret('upgrade_ssh_key', privateKeyBody(key));
  await uploadGuest(s, made, await h.guestFiles());
  await makeTopology(s, made, h.external, key);
  const { guest } = await boot(s, made, 'upgrade-guest');
  const c = await firstBoot(s, guest);
  verify(c.lease?.address === guest.fixedIp, `guest ${guest.name} before the upgrade: ${diagnose(c, guest.fixedIp, true)}`);
  const { address } = await attachFloatingIp(s, made, guest);
  const reached = await reach(h, s, guest, key, 120_000);
  verify(reached.hostname === guest.name, `SSH into ${address} reached "${reached.hostname}", not ${guest.name}`);
  const host = (await getServer(s, guest.id))?.host ?? '';
  const pings = await watchPings(h, address, guest.id.slice(0, 8));

  /** Answers SSH on its floating IP with the run's key and its own host name. */
  const answers = async (): Promise<void> => {
    const out = await ssh(h, key, address, 'hostname', 30_000);
    verify(out.exitCode === 0, `guest ${guest.name} made before the upgrade does not answer SSH on ${address}: ${out.output.trim().split('\n').slice(-1)[0]}`);
    verify(out.output.trim() === guest.name, `SSH into ${address} reached "${out.output.trim()}", not ${guest.name}`);
  };

  return {
    group: 'workload',
    made: { serverId: guest.id, name: guest.name, floatingIp: address, fixedIp: guest.fixedIp, host },
    // Nova's GET /servers/{id} asks neutron for the server's security groups (measured: a 500 while
    // neutron-server was stopped), so its API state needs network too; its pings need nothing.
    needs: ['identity', 'compute', 'network'],
    watch: { name: 'guest', stop: () => pings.stop() },
    async verify(now) {
      await answers();
      const after = await getServer(now, guest.id);
      verify(after, `server ${guest.name} made before the upgrade is gone (404)`);
      verify(after.status === 'ACTIVE', `server ${guest.name} made before the upgrade is ${after.status}${after.fault ? `: ${after.fault}` : ''}, expected ACTIVE`);
      verify(after.host === host, `server ${guest.name} moved from host ${host} to ${after.host}`);
      return { message: `a guest booted before the upgrade is ACTIVE on ${host} and answers SSH on ${address} with the same key and host name`, details: { serverId: guest.id, floatingIp: address } };
    },
    async cleanup(now) {
      await cleanupWorkload(now, guest, made);
    },
  };
}

async function cleanupWorkload(s: Session, guest: Guest, made: WorkloadResources): Promise<void> {
  await deleteServerAndPort(s, guest, 120_000);
  if (guest.floatingIp) await s.request('DELETE', `${networkApi(s)}/floatingips/${guest.floatingIp.id}`);
  const problems = await deleteTopology(s, made);
  verify(problems.length === 0, problems.join('; '));
}
