import path from 'node:path';
import { errorMessage } from '../errors.ts';
import { verify, CheckFailed, type Check } from '../checks/check.ts';
import type { ApiContext } from './api-context.ts';
import { serverAction, waitForServer } from './compute-fixtures.ts';
import { diagnose } from './guest-console.ts';
import { attachFloatingIp, boot, consoleOf, deleteServerAndPort, firstBoot, reach, ssh, type Guest } from './guest-ops.ts';
import type { WorkloadHooks } from './workload-hooks.ts';
import { networkApi } from './network-checks.ts';
import { brief, unique, type Session } from './rest-client.ts';
import { makeSshKey, privateKeyBody, type SshKey } from './ssh-key.ts';
import { deleteTopology, makeTopology, uploadGuest, type WorkloadResources } from './workload-resources.ts';

/**
 * A real workload, judged as a cloud's own gates judge it (issue 21): the project's guest uploaded
 * to glance, an external network behind a router, a server booted from it under the real
 * hypervisor, its console read for each first-boot step, its floating IP pinged and logged into
 * over SSH with the run's key from a probe on the external network, a second server reached on its
 * fixed address, reboot and stop/start survived, and everything deleted again. The checks run in
 * order and share what they made; a later one fails naming the earlier one when it has nothing to act on.
 */
interface WorkloadState {
  readonly made: WorkloadResources;
  key?: SshKey;
  first?: Guest;
  /** The first guest exists (cleanup deletes it) but its boot check failed: the checks that act on it fail at once, naming it. */
  bootFailed?: boolean;
}

const STATE = 'workload';
const state = (ctx: ApiContext): WorkloadState => {
  let s = ctx.shared.get(STATE) as WorkloadState | undefined;
  if (!s) ctx.shared.set(STATE, (s = { made: {} }));
  return s;
};
const hooks = (ctx: ApiContext): WorkloadHooks => {
  if (!ctx.workload) throw new CheckFailed('the scenario has no workload section (guestImage, probe)');
  return ctx.workload;
};
/** The first guest, booted and judged well by api.workload.server-boot. */
const firstGuest = (st: WorkloadState): Guest => {
  if (st.bootFailed) throw new CheckFailed('nothing to act on: api.workload.server-boot failed (see its message)');
  return need(st.first, 'api.workload.server-boot');
};
/** The first guest with its floating IP, reached by api.workload.floating-ip. */
const reachableGuest = (st: WorkloadState): Guest & Required<Pick<Guest, 'floatingIp'>> => {
  const guest = firstGuest(st);
  need(guest.floatingIp, 'api.workload.floating-ip');
  return guest as Guest & Required<Pick<Guest, 'floatingIp'>>;
};
const need = <T>(value: T | undefined, what: string): T => {
  if (value === undefined) throw new CheckFailed(`nothing to act on: ${what} failed (see its message)`);
  return value;
};

/**
 * Resizes a server to a flavor, waits for VERIFY_RESIZE, then confirms or reverts, and checks the
 * flavor it ends on (the new one when confirmed, `previous` when reverted).
 */
async function resize(s: Session, id: string, flavorId: string, finish: 'confirmResize' | 'revertResize', previous?: string): Promise<void> {
  await serverAction(s, id, { resize: { flavorRef: flavorId } }, `resize to flavor ${flavorId}`);
  await waitForServer(s, id, 'VERIFY_RESIZE', 300_000);
  // Nova answers a confirm 204 and a revert 202.
  const confirm = finish === 'confirmResize';
  await serverAction(s, id, { [finish]: null }, confirm ? 'confirm the resize' : 'revert the resize', confirm ? 204 : 202);
  await waitForServer(s, id, 'ACTIVE', 180_000);
  const res = await s.request('GET', `${s.endpoint('compute')}/servers/${id}`);
  const expected = confirm ? flavorId : previous!;
  // Microversion 2.1: the flavor is named by id.
  const flavor = res.data?.server?.flavor?.id as string | undefined;
  verify(flavor === expected, `after ${confirm ? 'confirming' : 'reverting'} the resize the server has flavor ${flavor ?? 'none'}, expected ${expected}`);
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/**
 * The evidence for whoever reads a guest's red check, taken before anything deletes the guest: its
 * console's last lines (the guest prints no secret) and the recipes' diagnostics now (the
 * hypervisor's and the switch's view of it), labelled with the check and action.
 */
async function guestEvidence(ctx: ApiContext, s: Session, guest: Guest, label: string): Promise<{ console: string[]; diagnostics: string[] }> {
  const tail = (await consoleOf(s, guest.id).catch(() => '')).split('\n').slice(-40);
  const files = await hooks(ctx).diagnose?.(label).catch((e: unknown) => [`diagnostics failed: ${errorMessage(e)}`]) ?? [];
  return { console: tail, diagnostics: files.map((f) => path.basename(f)) };
}

export const workloadChecks: Check<ApiContext>[] = [
  {
    id: 'api.workload.guest-image', kind: 'api', timeoutMs: 300_000,
    async run(ctx) {
      const s = await ctx.session();
      const files = await hooks(ctx).guestFiles();
      const started = Date.now();
      await uploadGuest(s, state(ctx).made, files);
      return { message: `kernel (${(files.kernel.length / 2 ** 20).toFixed(1)} MiB) and initramfs (${(files.ramdisk.length / 2 ** 20).toFixed(1)} MiB) uploaded and active in ${seconds(Date.now() - started)}` };
    },
  },
  {
    id: 'api.workload.network', kind: 'api',
    async run(ctx) {
      const s = await ctx.session();
      const st = state(ctx);
      const key = makeSshKey(unique('key'));
      hooks(ctx).secret('workload_ssh_key', privateKeyBody(key));
      st.key = key;
      const external = hooks(ctx).external;
      await makeTopology(s, st.made, external, key);
      return { message: `external ${external.cidr} on ${external.physicalNetwork}, tenant ${st.made.cidr} behind a router, ICMP and SSH allowed, key pair imported` };
    },
  },
  {
    id: 'api.workload.server-boot', kind: 'api', timeoutMs: 480_000,
    async run(ctx) {
      const s = await ctx.session();
      const st = state(ctx);
      need(st.made.imageId, 'api.workload.guest-image');
      need(st.made.keyName, 'api.workload.network');
      const { guest, activeMs } = await boot(s, st.made, 'guest');
      st.first = guest;
      st.bootFailed = true;
      const c = await firstBoot(s, guest);
      if (c.lease?.address !== guest.fixedIp) {
        throw new CheckFailed(`guest ${guest.name}: ${diagnose(c, guest.fixedIp, true)}`, { details: { port: guest.portId, fixedIp: guest.fixedIp, ...(await guestEvidence(ctx, s, guest, 'server-boot')) } });
      }
      verify(c.metadata, `guest ${guest.name} read no metadata: no host name, no key (the metadata agent or nova's metadata API)`);
      verify(c.metadata.hostname === guest.name, `guest ${guest.name} read the host name "${c.metadata.hostname}" from metadata`);
      verify(st.key && st.key.publicKey.endsWith(` ${c.metadata.key}`), `guest ${guest.name} read the key "${c.metadata.key}" from metadata, not the run's`);
      st.bootFailed = false;
      return {
        message: `ACTIVE in ${seconds(activeMs)}; on its console: booted at ${c.bootedAt} s, lease ${c.lease.address} at ${c.lease.at} s, host name and key from metadata, SSH serving at ${c.sshAt} s`,
        details: { activeMs, bootedAt: c.bootedAt, leaseAt: c.lease.at, sshServingAt: c.sshAt },
      };
    },
  },
  {
    id: 'api.workload.floating-ip', kind: 'api', timeoutMs: 180_000,
    async run(ctx) {
      const s = await ctx.session();
      const st = state(ctx);
      const guest = firstGuest(st);
      const floating = await attachFloatingIp(s, st.made, guest);
      const { pingMs, sshMs, hostname } = await reach(hooks(ctx), s, guest, need(st.key, 'api.workload.network'), 120_000);
      verify(hostname === guest.name, `SSH into ${floating.address} reached "${hostname}", not ${guest.name}`);
      return {
        message: `floating IP ${floating.address}: ping after ${seconds(pingMs)}, SSH with the run's key after ${seconds(sshMs)} (host name ${hostname})`,
        details: { pingMs, sshMs },
      };
    },
  },
  {
    id: 'api.workload.east-west', kind: 'api', timeoutMs: 480_000,
    async run(ctx) {
      const s = await ctx.session();
      const st = state(ctx);
      const first = reachableGuest(st);
      const { guest: second } = await boot(s, st.made, 'guest');
      try {
        const c = await firstBoot(s, second);
        verify(c.lease?.address === second.fixedIp, `second guest ${second.name}: ${diagnose(c, second.fixedIp, true)}`);
        const out = await ssh(hooks(ctx), st.key!, first.floatingIp.address, `ping -c 3 -W 2 ${second.fixedIp}`, 30_000);
        verify(out.exitCode === 0, `guest ${first.name} cannot ping ${second.name} on its fixed address ${second.fixedIp} (same network): ${out.output.trim().split('\n').slice(-2).join(' | ')}`);
      } catch (error) {
        await s.request('DELETE', `${s.endpoint('compute')}/servers/${second.id}`).catch(() => undefined);
        throw error;
      }
      await deleteServerAndPort(s, second);
      return { message: `${first.name} pinged ${second.name} on ${second.fixedIp}; the second deleted, its port and address freed` };
    },
  },
  {
    id: 'api.workload.server-actions', kind: 'api', timeoutMs: 1_200_000,
    async run(ctx) {
      const s = await ctx.session();
      const st = state(ctx);
      const guest = reachableGuest(st);
      const key = st.key!;
      const times: string[] = [];
      for (const [what, steps] of [
        ['reboot', async () => { await serverAction(s, guest.id, { reboot: { type: 'SOFT' } }, 'reboot'); await waitForServer(s, guest.id, 'ACTIVE', 180_000); }],
        ['stop/start', async () => {
          await serverAction(s, guest.id, { 'os-stop': null }, 'stop');
          await waitForServer(s, guest.id, 'SHUTOFF', 120_000);
          await serverAction(s, guest.id, { 'os-start': null }, 'start');
          await waitForServer(s, guest.id, 'ACTIVE', 120_000);
        }],
        // Resize to the larger flavor and confirm, then to the first and revert (back on the larger):
        // on one compute node, as nova's allow_resize_to_same_host lets it.
        ['resize/confirm', async () => resize(s, guest.id, st.made.flavorAltId!, 'confirmResize')],
        ['resize/revert', async () => resize(s, guest.id, st.made.flavorId!, 'revertResize', st.made.flavorAltId!)],
      ] as const) {
        const started = Date.now();
        await steps();
        let sshMs: number;
        try {
          ({ sshMs } = await reach(hooks(ctx), s, guest, key, 150_000));
        } catch (error) {
          if (!(error instanceof CheckFailed)) throw error;
          // Which action left the guest silent (seen: a resize whose guest never printed a line; no lease after stop/start).
          throw new CheckFailed(`after ${what} (${times.length} action(s) before it answered again): ${error.message}`, { cause: error, details: { action: what, ...(await guestEvidence(ctx, s, guest, `server-actions-${what}`)) } });
        }
        times.push(`${what}: answering SSH again ${seconds(Date.now() - started)} after the request (${seconds(sshMs)} after ACTIVE)`);
      }
      return { message: times.join('; ') };
    },
  },
  {
    id: 'api.workload.delete', kind: 'api', timeoutMs: 240_000,
    async run(ctx) {
      const s = await ctx.session();
      const st = state(ctx);
      const guest = st.first;
      ctx.shared.delete(STATE);
      const notes: string[] = [];
      if (guest) {
        await deleteServerAndPort(s, guest, 120_000);
        notes.push('server deleted, its port freed');
        if (guest.floatingIp) {
          const fip = await s.request('GET', `${networkApi(s)}/floatingips/${guest.floatingIp.id}`);
          verify(fip.status === 200 && fip.data.floatingip.port_id === null, `floating IP ${guest.floatingIp.address} still names a port after its server was deleted: ${brief(fip.data)}`);
          const d = await s.request('DELETE', `${networkApi(s)}/floatingips/${guest.floatingIp.id}`);
          verify(d.status === 204, `delete floating IP answered ${d.status}`);
          notes.push('floating IP released and deleted');
        }
      }
      const problems = await deleteTopology(s, st.made);
      verify(problems.length === 0, problems.join('; '));
      notes.push('router, networks, security group, key pair, flavor and images deleted');
      return { message: notes.join('; ') };
    },
  },
];
