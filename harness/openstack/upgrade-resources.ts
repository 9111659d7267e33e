import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { CloudSpec } from '../config/schemas.ts';
import { CheckFailed, verify, type Check } from '../checks/check.ts';
import { bootOnOwnPort, deleteBooted, getServer, verifyPortBound, type BootedServer } from './compute-fixtures.ts';
import { deleteNetwork, makeNetwork, networkApi, randomCidr } from './network-checks.ts';
import { brief, http, passwordAuth, Session } from './rest-client.ts';
import type { WorkloadHooks } from './workload-hooks.ts';
import { makeWorkload } from './upgrade-workload.ts';
import type { MadeResources, ResourceGroup } from './made-resources.ts';

/**
 * What an upgrade must not lose, made through the API before the upgrade and checked after it.
 * One group per API (the scenario's `upgrade.resources`); each group is a `make` that returns how
 * to verify it (read-only: also run while another service is down, grenade's verify-while-down)
 * and how to clean it up once verified after the upgrade.
 */

/** The check after the upgrade: verify, then clean up. */
export function afterUpgradeCheck(m: MadeResources, cloud: CloudSpec): Check<void> {
  return {
    id: `upgrade.resources.${m.group}`, kind: 'upgrade',
    async run() {
      const session = await Session.login(cloud);
      const outcome = await m.verify(session);
      await m.cleanup(session);
      return outcome;
    },
  };
}

export async function makeResources(group: ResourceGroup, cloud: CloudSpec, workload?: WorkloadHooks): Promise<MadeResources> {
  switch (group) {
    case 'workload': return makeWorkload(cloud, workload);
    case 'identity': return makeIdentity(cloud);
    case 'image': return makeImage(cloud);
    case 'placement': return makePlacement(cloud);
    case 'network': return makeNetworkResource(cloud);
    case 'compute': return makeServer(cloud);
  }
}

/** A project, a user with a role in it, and a token that user got before the upgrade. */
async function makeIdentity(cloud: CloudSpec): Promise<MadeResources> {
  const admin = await Session.login(cloud);
  const suffix = randomBytes(4).toString('hex');
  const projectName = `gategrid-upgrade-${suffix}`;
  const username = `gategrid-upgrade-${suffix}`;
  const password = randomBytes(12).toString('hex');
  const base = cloud.authUrl;

  const project = await admin.request('POST', `${base}/projects`, { data: { project: { name: projectName, domain_id: 'default', description: 'made before the upgrade' } } });
  verify(project.status === 201, `POST /projects answered ${project.status}: ${brief(project.data)}`);
  const projectId = project.data.project.id as string;
  const user = await admin.request('POST', `${base}/users`, { data: { user: { name: username, password, domain_id: 'default', default_project_id: projectId } } });
  verify(user.status === 201, `POST /users answered ${user.status}: ${brief(user.data)}`);
  const userId = user.data.user.id as string;
  const roles = await admin.request('GET', `${base}/roles?name=member`);
  const roleId = roles.data?.roles?.[0]?.id as string | undefined;
  verify(roleId, `no "member" role (GET /roles?name=member answered ${roles.status})`);
  const grant = await admin.request('PUT', `${base}/projects/${projectId}/users/${userId}/roles/${roleId}`);
  verify(grant.status === 204, `granting member on the project answered ${grant.status}`);
  const login = await Session.login(cloud, { username, password, projectName });

  return {
    group: 'identity',
    made: { projectId, projectName, userId, username },
    needs: ['identity'],
    async verify(now) {
      const p = await now.request('GET', `${base}/projects/${projectId}`);
      verify(p.status === 200 && p.data.project.name === projectName, `project ${projectName} made before the upgrade: GET answered ${p.status}`);
      const u = await now.request('GET', `${base}/users/${userId}`);
      verify(u.status === 200 && u.data.user.name === username, `user ${username} made before the upgrade: GET answered ${u.status}`);
      const old = await now.request('GET', `${base}/auth/tokens`, { headers: { 'X-Subject-Token': login.token } });
      verify(old.status === 200, `a token issued before the upgrade no longer validates (answered ${old.status}): fernet keys lost?`);
      const again = await http.post(`${base}/auth/tokens`, passwordAuth(cloud, { username, password, projectName }));
      if (again.status !== 201) throw new CheckFailed(`user ${username} can no longer log in with the password set before the upgrade (answered ${again.status})`);
      return { message: `project, user, role assignment, password and a pre-upgrade token all survived`, details: { projectId, userId } };
    },
    async cleanup(now) {
      await now.request('DELETE', `${base}/users/${userId}`);
      await now.request('DELETE', `${base}/projects/${projectId}`);
    },
  };
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** An active image with 1 MiB of random data, in glance's store. */
async function makeImage(cloud: CloudSpec): Promise<MadeResources> {
  const admin = await Session.login(cloud);
  const base = `${admin.endpoint('image')}/v2`;
  const name = `gategrid-upgrade-${randomBytes(4).toString('hex')}`;
  const created = await admin.request('POST', `${base}/images`, { data: { name, disk_format: 'raw', container_format: 'bare' } });
  verify(created.status === 201, `create image answered ${created.status}: ${brief(created.data)}`);
  const imageId = created.data.id as string;
  const payload = randomBytes(1024 * 1024);
  const put = await admin.request('PUT', `${base}/images/${imageId}/file`, { data: payload, headers: { 'Content-Type': 'application/octet-stream' }, timeoutMs: 120_000 });
  verify(put.status === 204, `upload answered ${put.status}: ${brief(put.data)}`);
  const digest = sha256(payload);
  return {
    group: 'image',
    made: { imageId, name, sha256: digest },
    needs: ['identity', 'image'],
    async verify(now) {
      const url = `${now.endpoint('image')}/v2/images/${imageId}`;
      const got = await now.request('GET', url);
      verify(got.status === 200 && got.data.status === 'active', `image ${name} made before the upgrade: GET answered ${got.status}, status ${got.data?.status}`);
      const down = await now.request('GET', `${url}/file`, { responseType: 'arraybuffer', timeoutMs: 120_000 });
      verify(down.status === 200, `downloading image ${name} answered ${down.status}`);
      verify(sha256(Buffer.from(down.data)) === digest, `image ${name}: the ${Buffer.from(down.data).length} bytes downloaded differ from the 1 MiB uploaded before the upgrade`);
      return { message: 'an image uploaded before the upgrade is active and downloads byte-identical', details: { imageId } };
    },
    async cleanup(now) {
      await now.request('DELETE', `${now.endpoint('image')}/v2/images/${imageId}`);
    },
  };
}

const PLACEMENT_VERSION = { 'OpenStack-API-Version': 'placement 1.20' };

/** A resource provider with a VCPU inventory. */
async function makePlacement(cloud: CloudSpec): Promise<MadeResources> {
  const admin = await Session.login(cloud);
  const base = admin.endpoint('placement');
  const uuid = randomUUID();
  const name = `gategrid-upgrade-${randomBytes(4).toString('hex')}`;
  const created = await admin.request('POST', `${base}/resource_providers`, { data: { name, uuid }, headers: PLACEMENT_VERSION });
  verify(created.status === 200, `create resource provider answered ${created.status}: ${brief(created.data)}`);
  const inventory = await admin.request('PUT', `${base}/resource_providers/${uuid}/inventories`, {
    data: { resource_provider_generation: created.data.generation, inventories: { VCPU: { total: 8 } } }, headers: PLACEMENT_VERSION,
  });
  verify(inventory.status === 200, `set inventory answered ${inventory.status}: ${brief(inventory.data)}`);
  return {
    group: 'placement',
    made: { uuid, name },
    needs: ['identity', 'placement'],
    async verify(now) {
      const url = `${now.endpoint('placement')}/resource_providers/${uuid}`;
      const got = await now.request('GET', url, { headers: PLACEMENT_VERSION });
      verify(got.status === 200 && got.data.name === name, `resource provider ${name} made before the upgrade: GET answered ${got.status}`);
      const inv = await now.request('GET', `${url}/inventories`, { headers: PLACEMENT_VERSION });
      verify(inv.status === 200 && inv.data.inventories?.VCPU?.total === 8, `its VCPU inventory of 8 is gone (answered ${inv.status}: ${brief(inv.data)})`);
      return { message: 'a resource provider and its inventory made before the upgrade survived', details: { uuid } };
    },
    async cleanup(now) {
      await now.request('DELETE', `${now.endpoint('placement')}/resource_providers/${uuid}`, { headers: PLACEMENT_VERSION });
    },
  };
}

/** A network with two subnets: both must still be there, with their ranges, after the upgrade. */
async function makeNetworkResource(cloud: CloudSpec): Promise<MadeResources> {
  const admin = await Session.login(cloud);
  const made = await makeNetwork(admin, 'upgrade');
  const second = randomCidr();
  const sub = await admin.request('POST', `${networkApi(admin)}/subnets`, { data: { subnet: { network_id: made.networkId, cidr: second, ip_version: 4 } } });
  verify(sub.status === 201, `create a second subnet answered ${sub.status}: ${brief(sub.data)}`);
  const subnets = { [made.subnetId]: made.cidr, [sub.data.subnet.id as string]: second };
  return {
    group: 'network',
    made: { networkId: made.networkId, ...Object.fromEntries(Object.entries(subnets).map(([id, cidr]) => [`subnet ${id}`, cidr])) },
    needs: ['identity', 'network'],
    async verify(now) {
      const net = await now.request('GET', `${networkApi(now)}/networks/${made.networkId}`);
      verify(net.status === 200, `network ${made.networkId} made before the upgrade: GET answered ${net.status}`);
      for (const [id, cidr] of Object.entries(subnets)) {
        const got = await now.request('GET', `${networkApi(now)}/subnets/${id}`);
        verify(got.status === 200 && got.data.subnet.cidr === cidr && got.data.subnet.network_id === made.networkId,
          `subnet ${cidr} of the network made before the upgrade: GET answered ${got.status}: ${brief(got.data)}`);
      }
      return { message: 'a network and its two subnets made before the upgrade survived', details: { networkId: made.networkId } };
    },
    async cleanup(now) {
      await deleteNetwork(now, made);
    },
  };
}

/** A server ACTIVE on a port of its own: still ACTIVE after the upgrade, on the same host, port and address. */
async function makeServer(cloud: CloudSpec): Promise<MadeResources> {
  const admin = await Session.login(cloud);
  const made: BootedServer = {};
  const { server: before, ip } = await bootOnOwnPort(admin, made, 'upgrade-server');
  const { serverId, portId } = made as Required<BootedServer>;
  return {
    group: 'compute',
    made: { serverId, portId, ip, host: before.host ?? '' },
    needs: ['identity', 'compute', 'network'],
    async verify(now) {
      const after = await getServer(now, serverId);
      verify(after, `server ${serverId} made before the upgrade is gone (404)`);
      verify(after.status === 'ACTIVE', `server ${serverId} made before the upgrade is ${after.status}${after.fault ? `: ${after.fault}` : ''}, expected ACTIVE`);
      verify(after.host === before.host, `server ${serverId} moved from host ${before.host} to ${after.host}`);
      // ACTIVE in the database is not enough: the compute that holds it must be up, on the new release.
      const services = await now.request('GET', `${now.endpoint('compute')}/os-services?binary=nova-compute&host=${encodeURIComponent(after.host ?? '')}`);
      const compute = (services.data?.services ?? [])[0] as { state?: string; status?: string } | undefined;
      verify(compute?.state === 'up', `the compute ${after.host} holding server ${serverId} is ${compute ? `${compute.state}/${compute.status}` : 'not listed'} after the upgrade`);
      const bound = await verifyPortBound(now, portId, after);
      verify(bound.ip === ip, `server ${serverId}'s port now has ${bound.ip}, before the upgrade ${ip}`);
      return { message: `a server booted before the upgrade is ACTIVE on ${after.host} with the same port and address ${ip}`, details: { serverId, portId, ip } };
    },
    async cleanup(now) {
      await deleteBooted(now, made);
    },
  };
}
