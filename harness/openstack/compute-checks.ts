import { verify, CheckFailed, type Check } from '../checks/check.ts';
import type { ApiContext } from './api-context.ts';
import { bootOnOwnPort, deleteBooted, makeFlavor, serverAction, verifyPortBound, waitForServer, waitForServerGone, type BootedServer } from './compute-fixtures.ts';
import { networkApi } from './network-checks.ts';
import { pollUntil } from '../checks/poll.ts';
import { brief, unique } from './rest-client.ts';

/**
 * Nova's API: its services, a flavor, and a server booted from a glance image on a neutron port,
 * through ACTIVE, stop/start, reboot and delete. The server is shared by the three server checks
 * (they run in order); the later ones fail, naming the boot, when it never came up.
 */
const SERVER = 'compute.server';
const booted = (ctx: ApiContext): Required<BootedServer> => {
  const b = ctx.shared.get(SERVER) as Required<BootedServer> | undefined;
  if (!b) throw new CheckFailed('no server to act on: api.compute.server-boot failed (see its message)');
  return b;
};

export const computeChecks: Check<ApiContext>[] = [
  {
    id: 'api.compute.services', kind: 'api',
    async run(ctx) {
      const s = await ctx.session();
      const res = await s.request('GET', `${s.endpoint('compute')}/os-services`);
      verify(res.status === 200, `GET /os-services answered ${res.status}: ${brief(res.data)}`);
      const services = res.data.services as Array<{ binary: string; host: string; state: string; status: string }>;
      const down = services.filter((x) => x.state !== 'up' || x.status !== 'enabled').map((x) => `${x.binary} on ${x.host} is ${x.state}/${x.status}`);
      const missing = ['nova-conductor', 'nova-scheduler', 'nova-compute'].filter((b) => !services.some((x) => x.binary === b));
      verify(missing.length === 0, `nova lists no ${missing.join(', ')} service (has ${services.map((x) => x.binary).join(', ') || 'none'})`);
      verify(down.length === 0, down.join('; '));
      return { message: services.map((x) => `${x.binary}@${x.host} up`).join(', ') };
    },
  },
  {
    id: 'api.compute.hypervisors', kind: 'api',
    async run(ctx) {
      const s = await ctx.session();
      const res = await s.request('GET', `${s.endpoint('compute')}/os-hypervisors`);
      verify(res.status === 200, `GET /os-hypervisors answered ${res.status}: ${brief(res.data)}`);
      const hv = res.data.hypervisors as Array<{ hypervisor_hostname: string; state: string }>;
      verify(hv.length > 0, 'nova lists no hypervisor: the compute never reported its resources');
      verify(hv.every((h) => h.state === 'up'), `a hypervisor is down: ${brief(hv)}`);
      return { message: `${hv.length} hypervisor(s) up: ${hv.map((h) => h.hypervisor_hostname).join(', ')}` };
    },
  },
  {
    id: 'api.compute.flavor-crud', kind: 'api',
    async run(ctx) {
      const s = await ctx.session();
      const id = await makeFlavor(s, unique('flavor'), 256);
      const got = await s.request('GET', `${s.endpoint('compute')}/flavors/${id}`);
      verify(got.status === 200 && got.data.flavor.ram === 256, `GET flavor answered ${got.status}: ${brief(got.data)}`);
      const del = await s.request('DELETE', `${s.endpoint('compute')}/flavors/${id}`);
      verify(del.status === 202, `delete flavor answered ${del.status}`);
      const gone = await s.request('GET', `${s.endpoint('compute')}/flavors/${id}`);
      verify(gone.status === 404, `a deleted flavor is still found (answered ${gone.status})`);
    },
  },
  {
    id: 'api.compute.server-boot', kind: 'api',
    async run(ctx) {
      const s = await ctx.session();
      const made: BootedServer = {};
      try {
        const { server, ip, vifType, activeMs } = await bootOnOwnPort(s, made, 'boot');
        ctx.shared.set(SERVER, made);
        return {
          message: `server ACTIVE in ${(activeMs / 1000).toFixed(1)} s on ${server.host}, port bound (${vifType}) with ${ip}`,
          details: { serverId: made.serverId, host: server.host, ip, activeMs },
        };
      } catch (error) {
        await deleteBooted(s, made);
        throw error;
      }
    },
  },
  {
    id: 'api.compute.server-actions', kind: 'api',
    async run(ctx) {
      const s = await ctx.session();
      const b = booted(ctx);
      await serverAction(s, b.serverId, { 'os-stop': null }, 'stop');
      await waitForServer(s, b.serverId, 'SHUTOFF');
      await serverAction(s, b.serverId, { 'os-start': null }, 'start');
      await waitForServer(s, b.serverId, 'ACTIVE');
      await serverAction(s, b.serverId, { reboot: { type: 'SOFT' } }, 'reboot');
      const after = await waitForServer(s, b.serverId, 'ACTIVE');
      await verifyPortBound(s, b.portId, after);
      return { message: 'stop → SHUTOFF, start → ACTIVE, soft reboot → ACTIVE, port still bound' };
    },
  },
  {
    id: 'api.compute.server-delete', kind: 'api',
    async run(ctx) {
      const s = await ctx.session();
      const b = booted(ctx);
      ctx.shared.delete(SERVER);
      try {
        const del = await s.request('DELETE', `${s.endpoint('compute')}/servers/${b.serverId}`);
        verify(del.status === 204, `delete server answered ${del.status}: ${brief(del.data)}`);
        await waitForServerGone(s, b.serverId);
        // A port the user made survives its server, unbound (nova only deletes the ports it made itself).
        const port = await pollUntil(`port ${b.portId} to be released`, async () => (await s.request('GET', `${networkApi(s)}/ports/${b.portId}`)).data?.port,
          (p) => p?.device_id === '', { timeoutMs: 30_000, describe: (p) => `device_id "${p?.device_id}"` });
        verify(port, `port ${b.portId} the user made was deleted with the server`);
        return { message: 'server deleted (404), its port released and kept' };
      } finally {
        await deleteBooted(s, { network: b.network, imageId: b.imageId, flavorId: b.flavorId });
      }
    },
  },
  {
    id: 'api.compute.unauthenticated', kind: 'api',
    async run(ctx) {
      const s = await ctx.session();
      const res = await s.request('GET', `${s.endpoint('compute')}/servers`, { token: null });
      verify(res.status === 401, `GET /servers without a token answered ${res.status}, expected 401`);
    },
  },
];
