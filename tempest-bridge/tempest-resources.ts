import { makeBootImage, makeFlavor } from '../harness/openstack/compute-fixtures.ts';
import { brief, Session } from '../harness/openstack/rest-client.ts';
import type { CloudSpec } from '../harness/config/schemas.ts';
import { DeploymentError } from '../harness/errors.ts';

/**
 * What Tempest needs to exist before it runs, made through the deployed cloud's API, as
 * `section.option` settings for tempest.conf: for compute, two images and two flavors (the `_alt`
 * ones are what rebuild and resize move to); for network, the extensions neutron really loaded
 * (`all` would make Tempest run tests of extensions that are absent).
 */
export async function prepareTempestResources(cloud: CloudSpec, serviceTypes: readonly string[]): Promise<Record<string, string>> {
  const settings: Record<string, string> = {};
  if (!serviceTypes.includes('compute') && !serviceTypes.includes('network')) return settings;
  const s = await Session.login(cloud);
  if (serviceTypes.includes('compute')) {
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
    const aliases = (res.data.extensions as Array<{ alias: string }>).map((e) => e.alias).sort();
    settings['network-feature-enabled.api_extensions'] = aliases.join(',');
  }
  return settings;
}
