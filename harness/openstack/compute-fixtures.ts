import { randomBytes } from 'node:crypto';
import { verify } from '../checks/check.ts';
import { pollUntil } from '../checks/poll.ts';
import { brief, unique, type Session } from './rest-client.ts';
import { deleteNetwork, makeNetwork, networkApi, type MadeNetwork } from './network-checks.ts';

/**
 * What a server needs and how to watch it: a bootable glance image, a flavor, a booted server and
 * its states. Shared by the compute API checks, the upgrade resources and Tempest's preparation.
 * The fake driver never reads the image, so 1 KiB of random bytes is a valid one.
 */
/** A glance image of `data`, public, polled until active: a boot image, or a guest's kernel, ramdisk and disk. */
export async function uploadImage(s: Session, name: string, diskFormat: string, data: Buffer, properties: Record<string, string> = {},
  { uploadMs = 30_000, activeMs = 30_000 }: { uploadMs?: number; activeMs?: number } = {}): Promise<string> {
  const base = `${s.endpoint('image')}/v2`;
  const container = diskFormat === 'aki' || diskFormat === 'ari' || diskFormat === 'ami' ? diskFormat : 'bare';
  const created = await s.request('POST', `${base}/images`, { data: { name, disk_format: diskFormat, container_format: container, visibility: 'public', ...properties } });
  verify(created.status === 201, `create image ${name} answered ${created.status}: ${brief(created.data)}`);
  const id = created.data.id as string;
  const put = await s.request('PUT', `${base}/images/${id}/file`, { data, headers: { 'Content-Type': 'application/octet-stream' }, timeoutMs: uploadMs });
  verify(put.status === 204, `upload of image ${name} (${data.length} bytes) answered ${put.status}: ${brief(put.data)}`);
  await pollUntil(`image ${name} to become active`, async () => (await s.request('GET', `${base}/images/${id}`)).data?.status as string,
    (status) => status === 'active', { timeoutMs: activeMs, failed: (st) => (st === 'killed' || st === 'deleted' ? `status ${st}` : undefined) });
  return id;
}

export function makeBootImage(s: Session, name = unique('boot-image')): Promise<string> {
  return uploadImage(s, name, 'raw', randomBytes(1024));
}

/** A server action (stop, start, reboot...), which nova accepts with 202 (a resize's confirm with 204). */
export async function serverAction(s: Session, serverId: string, body: unknown, what: string, expected = 202): Promise<void> {
  const res = await s.request('POST', `${s.endpoint('compute')}/servers/${serverId}/action`, { data: body });
  verify(res.status === expected, `${what} answered ${res.status}: ${brief(res.data)}`);
}

export async function makeFlavor(s: Session, name = unique('flavor'), ramMiB = 128): Promise<string> {
  const res = await s.request('POST', `${s.endpoint('compute')}/flavors`, { data: { flavor: { name, ram: ramMiB, vcpus: 1, disk: 1 } } });
  verify(res.status === 200, `create flavor ${name} answered ${res.status}: ${brief(res.data)}`);
  return res.data.flavor.id as string;
}

export interface ServerView {
  readonly id: string;
  readonly status: string;
  readonly taskState: string | null;
  readonly host: string | undefined;
  readonly fault: string | undefined;
  readonly addresses: readonly string[];
}

export async function getServer(s: Session, id: string): Promise<ServerView | undefined> {
  const res = await s.request('GET', `${s.endpoint('compute')}/servers/${id}`);
  if (res.status === 404) return undefined;
  verify(res.status === 200, `GET server ${id} answered ${res.status}: ${brief(res.data)}`);
  const sv = res.data.server;
  const addresses = Object.values((sv.addresses ?? {}) as Record<string, Array<{ addr: string }>>).flat().map((a) => a.addr);
  return { id, status: sv.status, taskState: sv['OS-EXT-STS:task_state'] ?? null, host: sv['OS-EXT-SRV-ATTR:host'], fault: sv.fault?.message, addresses };
}

/** Waits for a server to settle in `status` (no task running); ERROR ends the wait with nova's fault. */
export function waitForServer(s: Session, id: string, status: string, timeoutMs = 60_000): Promise<ServerView> {
  return pollUntil(`server ${id} to reach ${status}`, () => getServer(s, id),
    (v): v is ServerView => v !== undefined && v.status === status && v.taskState === null,
    {
      timeoutMs,
      failed: (v) => (v === undefined ? 'the server is gone (404)' : v.status === 'ERROR' ? `the server went to ERROR: ${v.fault ?? 'nova gave no fault message'}` : undefined),
      describe: (v) => (v === undefined ? 'gone' : `status ${v.status}, task ${v.taskState ?? 'none'}`),
    }) as Promise<ServerView>;
}

export async function bootServer(s: Session, input: { imageId: string; flavorId: string; portId: string; name?: string }): Promise<string> {
  const name = input.name ?? unique('server');
  const res = await s.request('POST', `${s.endpoint('compute')}/servers`, {
    data: { server: { name, imageRef: input.imageId, flavorRef: input.flavorId, networks: [{ port: input.portId }] } },
  });
  verify(res.status === 202, `boot server ${name} answered ${res.status}: ${brief(res.data)}`);
  return res.data.server.id as string;
}

/** A port as nova and neutron must leave it once a server uses it: bound to the server's host and ACTIVE. */
export async function verifyPortBound(s: Session, portId: string, server: ServerView): Promise<{ ip: string; vifType: string }> {
  const res = await s.request('GET', `${s.endpoint('network')}/v2.0/ports/${portId}`);
  verify(res.status === 200, `GET port ${portId} answered ${res.status}: ${brief(res.data)}`);
  const p = res.data.port;
  verify(p.device_id === server.id, `port ${portId} belongs to device "${p.device_id}", not the server ${server.id}`);
  verify(p['binding:vif_type'] !== 'binding_failed' && p['binding:vif_type'] !== 'unbound', `neutron could not bind port ${portId} (binding:vif_type ${p['binding:vif_type']})`);
  verify(server.host === undefined || p['binding:host_id'] === server.host, `port ${portId} is bound to host "${p['binding:host_id']}", the server runs on "${server.host}"`);
  verify(p.status === 'ACTIVE', `port ${portId} is ${p.status}, expected ACTIVE once bound`);
  const ip = p.fixed_ips?.[0]?.ip_address as string;
  verify(server.addresses.includes(ip), `the server's addresses (${server.addresses.join(', ') || 'none'}) lack its port's ${ip}`);
  return { ip, vifType: p['binding:vif_type'] };
}

/** What a server booted on a port of its own needs: made one by one, so a failure leaves what to clean up. */
export interface BootedServer {
  flavorId?: string;
  imageId?: string;
  network?: MadeNetwork;
  portId?: string;
  serverId?: string;
}

/**
 * A flavor, a glance image, a network with a subnet and a port, and a server booted on that port
 * to ACTIVE with the port bound. Each id lands in `made` as soon as it exists.
 */
export async function bootOnOwnPort(s: Session, made: BootedServer, what: string): Promise<{ server: ServerView; ip: string; vifType: string; activeMs: number }> {
  made.flavorId = await makeFlavor(s);
  made.imageId = await makeBootImage(s);
  made.network = await makeNetwork(s, what);
  const port = await s.request('POST', `${networkApi(s)}/ports`, { data: { port: { network_id: made.network.networkId, name: unique('port') } } });
  verify(port.status === 201, `create port answered ${port.status}: ${brief(port.data)}`);
  made.portId = port.data.port.id as string;
  const started = Date.now();
  made.serverId = await bootServer(s, { imageId: made.imageId, flavorId: made.flavorId, portId: made.portId });
  const server = await waitForServer(s, made.serverId, 'ACTIVE', 90_000);
  const activeMs = Date.now() - started;
  return { server, activeMs, ...(await verifyPortBound(s, made.portId, server)) };
}

/** Waits until a deleted server is gone (404); ERROR ends the wait with nova's fault. */
export function waitForServerGone(s: Session, serverId: string, timeoutMs = 60_000): Promise<ServerView | undefined> {
  return pollUntil(`server ${serverId} to be deleted`, () => getServer(s, serverId), (v) => v === undefined,
    { timeoutMs, failed: (v) => (v?.status === 'ERROR' ? `the server went to ERROR: ${v.fault ?? 'no fault'}` : undefined), describe: (v) => `status ${v?.status}` });
}

/** Deletes what `bootOnOwnPort` made, best effort: the server first (waiting until it is gone), then the rest. */
export async function deleteBooted(s: Session, made: BootedServer): Promise<void> {
  if (made.serverId) {
    await s.request('DELETE', `${s.endpoint('compute')}/servers/${made.serverId}`).catch(() => undefined);
    await waitForServerGone(s, made.serverId, 30_000).catch(() => undefined);
  }
  if (made.network) await deleteNetwork(s, made.network).catch(() => undefined);
  if (made.imageId) await s.request('DELETE', `${s.endpoint('image')}/v2/images/${made.imageId}`).catch(() => undefined);
  if (made.flavorId) await s.request('DELETE', `${s.endpoint('compute')}/flavors/${made.flavorId}`).catch(() => undefined);
}
