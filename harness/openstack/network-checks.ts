import { randomBytes } from 'node:crypto';
import { verify, type Check } from '../checks/check.ts';
import type { ApiContext } from './api-context.ts';
import { brief, unique, type Session } from './rest-client.ts';

/** Neutron's API: a network, a subnet and a port through their create / read / update / delete cycle. */

export function networkApi(s: Session): string {
  return `${s.endpoint('network')}/v2.0`;
}

/** A private /24 of its own per call (10.<64-127>.<0-255>.0/24), so concurrent cells never collide in one check. */
export function randomCidr(): string {
  const b = randomBytes(2);
  return `10.${64 + (b[0]! % 64)}.${b[1]}.0/24`;
}

export interface MadeNetwork {
  readonly networkId: string;
  readonly subnetId: string;
  readonly cidr: string;
}

export async function makeNetwork(s: Session, what: string): Promise<MadeNetwork> {
  const base = networkApi(s);
  const net = await s.request('POST', `${base}/networks`, { data: { network: { name: unique(what) } } });
  verify(net.status === 201, `create network answered ${net.status}: ${brief(net.data)}`);
  const networkId = net.data.network.id as string;
  const cidr = randomCidr();
  const sub = await s.request('POST', `${base}/subnets`, { data: { subnet: { network_id: networkId, cidr, ip_version: 4, name: unique(what) } } });
  verify(sub.status === 201, `create subnet ${cidr} answered ${sub.status}: ${brief(sub.data)}`);
  return { networkId, subnetId: sub.data.subnet.id as string, cidr };
}

/** Deletes what `makeNetwork` made (ports first); best effort, for cleanup after a failure. */
export async function deleteNetwork(s: Session, made: MadeNetwork): Promise<void> {
  const base = networkApi(s);
  const ports = await s.request('GET', `${base}/ports?network_id=${made.networkId}`);
  for (const p of (ports.data?.ports ?? []) as Array<{ id: string }>) await s.request('DELETE', `${base}/ports/${p.id}`);
  await s.request('DELETE', `${base}/networks/${made.networkId}`);
}

export const networkChecks: Check<ApiContext>[] = [
  {
    id: 'api.network.lifecycle', kind: 'api',
    async run(ctx) {
      const s = await ctx.session();
      const base = networkApi(s);
      const made = await makeNetwork(s, 'net');
      try {
        const port = await s.request('POST', `${base}/ports`, { data: { port: { network_id: made.networkId, name: unique('port') } } });
        verify(port.status === 201, `create port answered ${port.status}: ${brief(port.data)}`);
        const portId = port.data.port.id as string;
        const ip = port.data.port.fixed_ips?.[0];
        verify(ip?.subnet_id === made.subnetId, `the port got no address from subnet ${made.cidr}: ${brief(port.data.port.fixed_ips)}`);
        const renamed = unique('port');
        const upd = await s.request('PUT', `${base}/ports/${portId}`, { data: { port: { name: renamed } } });
        verify(upd.status === 200 && upd.data.port.name === renamed, `update port answered ${upd.status}: ${brief(upd.data)}`);
        const listed = await s.request('GET', `${base}/networks?id=${made.networkId}`);
        verify(listed.status === 200 && listed.data.networks?.[0]?.subnets?.includes(made.subnetId), `the network does not list its subnet (answered ${listed.status})`);
        const del = await s.request('DELETE', `${base}/ports/${portId}`);
        verify(del.status === 204, `delete port answered ${del.status}`);
        const dsub = await s.request('DELETE', `${base}/subnets/${made.subnetId}`);
        verify(dsub.status === 204, `delete subnet answered ${dsub.status}: ${brief(dsub.data)}`);
        const dnet = await s.request('DELETE', `${base}/networks/${made.networkId}`);
        verify(dnet.status === 204, `delete network answered ${dnet.status}: ${brief(dnet.data)}`);
        const gone = await s.request('GET', `${base}/networks/${made.networkId}`);
        verify(gone.status === 404, `a deleted network is still found (answered ${gone.status})`);
        return { message: `network, subnet ${made.cidr} and a port (${ip.ip_address}) created, updated and deleted` };
      } catch (error) {
        await deleteNetwork(s, made).catch(() => undefined);
        throw error;
      }
    },
  },
  {
    id: 'api.network.unauthenticated', kind: 'api',
    async run(ctx) {
      const s = await ctx.session();
      const res = await s.request('GET', `${networkApi(s)}/networks`, { token: null });
      verify(res.status === 401, `GET /v2.0/networks without a token answered ${res.status}, expected 401`);
    },
  },
];
