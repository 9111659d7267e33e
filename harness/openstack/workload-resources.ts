import { verify } from '../checks/check.ts';
import { makeFlavor, uploadImage } from './compute-fixtures.ts';
import { networkApi, randomCidr } from './network-checks.ts';
import { brief, unique, type Session } from './rest-client.ts';
import type { SshKey } from './ssh-key.ts';
import type { ExternalNetwork } from './workload-hooks.ts';

/**
 * What a workload needs in the cloud, made through its APIs as a user would: the guest's images in
 * glance (kernel, ramdisk, and the disk that names them), an external network on the provider
 * network, a tenant network behind a router with SNAT, a security group for ICMP and SSH, a key pair
 * and a flavor. Each id lands in `made` as soon as it exists, so cleanup finds everything.
 */
export interface WorkloadResources {
  kernelId?: string;
  ramdiskId?: string;
  imageId?: string;
  externalNetworkId?: string;
  networkId?: string;
  subnetId?: string;
  cidr?: string;
  routerId?: string;
  securityGroupId?: string;
  securityGroupName?: string;
  keyName?: string;
  flavorId?: string;
  /** A larger flavor the guest is resized to and back. */
  flavorAltId?: string;
}

/** The guest's kernel command line: its console on the first serial port, where nova's console log reads it. */
export const GUEST_COMMAND_LINE = 'console=ttyS0 quiet';

/** Megabytes each: two minutes to upload, one to become active. */
const GUEST_UPLOAD = { uploadMs: 120_000, activeMs: 60_000 };

/** The kernel (aki), the ramdisk (ari), and a small raw disk whose properties make nova boot them directly. */
export async function uploadGuest(s: Session, made: WorkloadResources, files: { kernel: Buffer; ramdisk: Buffer }): Promise<void> {
  made.kernelId = await uploadImage(s, unique('guest-kernel'), 'aki', files.kernel, {}, GUEST_UPLOAD);
  made.ramdiskId = await uploadImage(s, unique('guest-ramdisk'), 'ari', files.ramdisk, {}, GUEST_UPLOAD);
  made.imageId = await uploadImage(s, unique('guest'), 'raw', Buffer.alloc(1024 * 1024), {
    kernel_id: made.kernelId, ramdisk_id: made.ramdiskId, os_command_line: GUEST_COMMAND_LINE,
  }, GUEST_UPLOAD);
}

/** Addresses .10 to .(last-5) of an IPv4 CIDR: the external network's floating IPs. */
export function allocationPool(cidr: string): { start: string; end: string } {
  const [addr, bitsText] = cidr.split('/');
  const bits = Number(bitsText);
  verify(bits >= 8 && bits <= 28, `external network ${cidr}: a prefix between /8 and /28 leaves room for floating IPs`);
  const n = addr!.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  const size = 2 ** (32 - bits);
  const network = n - (n % size);
  const ip = (v: number): string => [24, 16, 8, 0].map((sh) => Math.floor(v / 2 ** sh) % 256).join('.');
  return { start: ip(network + 10), end: ip(network + size - 6) };
}

async function post(s: Session, url: string, body: unknown, what: string, status = 201): Promise<Record<string, any>> {
  const res = await s.request('POST', url, { data: body });
  verify(res.status === status, `${what} answered ${res.status}: ${brief(res.data)}`);
  return res.data;
}

/** The external network (flat, on the provider network, no DHCP) and its subnet of floating IPs; returns its name. */
export async function makeExternalNetwork(s: Session, made: WorkloadResources, external: ExternalNetwork): Promise<string> {
  const net = networkApi(s);
  const name = unique('external');
  const ext = await post(s, `${net}/networks`, { network: { name, 'router:external': true, 'provider:network_type': 'flat', 'provider:physical_network': external.physicalNetwork } }, 'create external network');
  made.externalNetworkId = ext.network.id;
  await post(s, `${net}/subnets`, { subnet: { network_id: made.externalNetworkId, cidr: external.cidr, gateway_ip: external.gateway, enable_dhcp: false, ip_version: 4, allocation_pools: [allocationPool(external.cidr)] } }, `create external subnet ${external.cidr}`);
  return name;
}

/** The external network, the tenant network and its router, the security group, the key pair and the flavor. */
export async function makeTopology(s: Session, made: WorkloadResources, external: ExternalNetwork, key: SshKey): Promise<void> {
  const net = networkApi(s);
  await makeExternalNetwork(s, made, external);
  const tenant = await post(s, `${net}/networks`, { network: { name: unique('tenant') } }, 'create tenant network');
  made.networkId = tenant.network.id;
  made.cidr = randomCidr();
  const subnet = await post(s, `${net}/subnets`, { subnet: { network_id: made.networkId, cidr: made.cidr, ip_version: 4, name: unique('tenant') } }, `create tenant subnet ${made.cidr}`);
  made.subnetId = subnet.subnet.id;
  const router = await post(s, `${net}/routers`, { router: { name: unique('router'), external_gateway_info: { network_id: made.externalNetworkId } } }, 'create router with an external gateway');
  made.routerId = router.router.id;
  const iface = await s.request('PUT', `${net}/routers/${made.routerId}/add_router_interface`, { data: { subnet_id: made.subnetId } });
  verify(iface.status === 200, `add the tenant subnet to the router answered ${iface.status}: ${brief(iface.data)}`);
  made.securityGroupName = unique('sg');
  const sg = await post(s, `${net}/security-groups`, { security_group: { name: made.securityGroupName } }, 'create security group');
  made.securityGroupId = sg.security_group.id;
  for (const rule of [{ protocol: 'icmp' }, { protocol: 'tcp', port_range_min: 22, port_range_max: 22 }]) {
    await post(s, `${net}/security-group-rules`, { security_group_rule: { security_group_id: made.securityGroupId, direction: 'ingress', ethertype: 'IPv4', remote_ip_prefix: '0.0.0.0/0', ...rule } }, `add the ${rule.protocol} rule`);
  }
  made.keyName = unique('key');
  await post(s, `${s.endpoint('compute')}/os-keypairs`, { keypair: { name: made.keyName, public_key: key.publicKey } }, 'import the key pair', 200);
  made.flavorId = await makeFlavor(s, unique('guest-flavor'), 256);
  made.flavorAltId = await makeFlavor(s, unique('guest-flavor-alt'), 320);
}

/** Deletes everything `made` holds, best effort (servers are gone first): router, networks, group, key, flavor, images. */
export async function deleteTopology(s: Session, made: WorkloadResources): Promise<string[]> {
  const net = networkApi(s);
  const problems: string[] = [];
  const del = async (url: string, what: string, init?: () => Promise<unknown>): Promise<void> => {
    try {
      await init?.();
      const res = await s.request('DELETE', url);
      if (![202, 204, 404].includes(res.status)) problems.push(`delete ${what} answered ${res.status}: ${brief(res.data)}`);
    } catch (error) {
      problems.push(`delete ${what}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  if (made.routerId) {
    const routerId = made.routerId;
    await del(`${net}/routers/${routerId}`, 'router', async () => {
      if (!made.subnetId) return;
      const res = await s.request('PUT', `${net}/routers/${routerId}/remove_router_interface`, { data: { subnet_id: made.subnetId } });
      if (![200, 404].includes(res.status)) problems.push(`remove the tenant subnet from the router answered ${res.status}: ${brief(res.data)}`);
    });
  }
  if (made.networkId) await del(`${net}/networks/${made.networkId}`, 'tenant network');
  if (made.externalNetworkId) await del(`${net}/networks/${made.externalNetworkId}`, 'external network');
  if (made.securityGroupId) await del(`${net}/security-groups/${made.securityGroupId}`, 'security group');
  if (made.keyName) await del(`${s.endpoint('compute')}/os-keypairs/${made.keyName}`, 'key pair');
  for (const id of [made.flavorId, made.flavorAltId]) if (id) await del(`${s.endpoint('compute')}/flavors/${id}`, `flavor ${id}`);
  for (const id of [made.imageId, made.kernelId, made.ramdiskId]) if (id) await del(`${s.endpoint('image')}/v2/images/${id}`, `image ${id}`);
  return problems;
}
