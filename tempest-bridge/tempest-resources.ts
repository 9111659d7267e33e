import { makeBootImage, makeFlavor } from '../harness/openstack/compute-fixtures.ts';
import { makeExternalNetwork, uploadGuest, type WorkloadResources } from '../harness/openstack/workload-resources.ts';
import type { ExternalNetwork } from '../harness/openstack/workload-hooks.ts';
import { brief, Session } from '../harness/openstack/rest-client.ts';
import type { CloudSpec } from '../harness/config/schemas.ts';
import { DeploymentError } from '../harness/errors.ts';
import { tempestNetworkExtensions } from './network-extensions.ts';

/**
 * What Tempest needs to exist before it runs, made through the deployed cloud's API, as
 * `section.option` settings for tempest.conf: for compute, two images and two flavors (the `_alt`
 * ones are what rebuild and resize move to); for network, the extensions neutron really loaded
 * (`all` would make Tempest run tests of extensions that are absent), less the agent schedulers
 * with no agent to schedule to (network-extensions.ts).
 */
export async function prepareTempestResources(cloud: CloudSpec, serviceTypes: readonly string[], workload?: TempestWorkload, log?: (line: string) => void): Promise<Record<string, string>> {
  const settings: Record<string, string> = {};
  if (!serviceTypes.includes('compute') && !serviceTypes.includes('network')) return settings;
  const s = await Session.login(cloud);
  if (workload && serviceTypes.includes('compute') && serviceTypes.includes('network') && serviceTypes.includes('image')) {
    Object.assign(settings, await prepareValidation(s, workload));
  } else if (serviceTypes.includes('compute')) {
    settings['compute.flavor_ref'] = await makeFlavor(s, 'gategrid.tempest', 128);
    settings['compute.flavor_ref_alt'] = await makeFlavor(s, 'gategrid.tempest-alt', 192);
    if (serviceTypes.includes('image')) {
      settings['compute.image_ref'] = await makeBootImage(s, 'gategrid-tempest');
      settings['compute.image_ref_alt'] = await makeBootImage(s, 'gategrid-tempest-alt');
    }
  }
  if (serviceTypes.includes('network')) {
    const res = await s.request('GET', `${s.endpoint('network')}/v2.0/extensions`);
    if (res.status !== 200) throw new DeploymentError(`GET /v2.0/extensions answered ${res.status}: ${brief(res.data)}`);
    const loaded = (res.data.extensions as Array<{ alias: string }>).map((e) => e.alias);
    const agents = loaded.includes('agent') ? await s.request('GET', `${s.endpoint('network')}/v2.0/agents`) : undefined;
    if (agents && agents.status !== 200) throw new DeploymentError(`GET /v2.0/agents answered ${agents.status}: ${brief(agents.data)}`);
    const types = agents ? (agents.data.agents as Array<{ agent_type: string }>).map((a) => a.agent_type) : undefined;
    const { aliases, left } = tempestNetworkExtensions(loaded, types);
    settings['network-feature-enabled.api_extensions'] = aliases.join(',');
    if (left.length > 0) log?.(`Tempest is not told of ${left.join(', ')}`);
  }
  return settings;
}

/** A scenario's real workload, as Tempest's validation needs it: the guest to boot, the external network to make. */
export interface TempestWorkload {
  readonly external: ExternalNetwork;
  guestFiles(): Promise<{ kernel: Buffer; ramdisk: Buffer }>;
}

/**
 * Tempest's validation (its scenario tests log into a guest over its floating IP, as Kolla's and
 * devstack's gates run them): the project's guest as both images (it boots in seconds under TCG,
 * serves SSH as root with the key from metadata and answers `curl` on the metadata service), flavors
 * it fits in, and an external network Tempest's routers get their gateway and floating IPs from.
 * Tempest runs where the probe stands (the external network's end), so floating IPs are reached.
 */
async function prepareValidation(s: Session, workload: TempestWorkload): Promise<Record<string, string>> {
  const made: WorkloadResources = {};
  await uploadGuest(s, made, await workload.guestFiles());
  const external = await externalNetworkFor(s, made, workload.external);
  return {
    'compute.image_ref': made.imageId!,
    'compute.image_ref_alt': made.imageId!,
    'compute.flavor_ref': await makeFlavor(s, 'gategrid.tempest', 256),
    'compute.flavor_ref_alt': await makeFlavor(s, 'gategrid.tempest-alt', 320),
    'network.public_network_id': made.externalNetworkId!,
    'network.floating_network_name': external,
    'validation.run_validation': 'true',
    'validation.connect_method': 'floating',
    'validation.auth_method': 'keypair',
    'validation.image_ssh_user': 'root',
    'validation.ip_version_for_ssh': '4',
    'validation.ping_timeout': '120',
    'validation.connect_timeout': '60',
    'validation.ssh_timeout': '180',
    // The guest has no config drive reader; its metadata comes from the metadata service.
    'compute-feature-enabled.config_drive': 'false',
    'compute-feature-enabled.metadata_service': 'true',
  };
}

/**
 * The external network Tempest's routers use: made here, or, when one is already on the physical
 * network (a flat network per physical network: neutron refuses a second), that one.
 */
async function externalNetworkFor(s: Session, made: WorkloadResources, external: ExternalNetwork): Promise<string> {
  const url = `${s.endpoint('network')}/v2.0/networks?router:external=true&provider:physical_network=${encodeURIComponent(external.physicalNetwork)}`;
  const existing = await s.request('GET', url);
  const found = existing.status === 200 ? (existing.data.networks as Array<{ id: string; name: string }>)[0] : undefined;
  if (found) {
    made.externalNetworkId = found.id;
    return found.name;
  }
  return makeExternalNetwork(s, made, external);
}
