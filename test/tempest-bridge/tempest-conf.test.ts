import test from 'ava';
import { renderTempestConf } from '../../tempest-bridge/tempest-conf.ts';

const cloud = {
  authUrl: 'http://127.0.0.1:41000/v3', internalAuthUrl: 'http://keystone:5000/v3', region: 'RegionOne',
  username: 'admin', password: 'p4ss', projectName: 'admin', userDomainName: 'Default', projectDomainName: 'Default',
};

function ini(text: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  let section = '';
  for (const line of text.split('\n')) {
    const head = /^\[(.+)\]$/.exec(line);
    if (head) out[(section = head[1]!)] = {};
    else if (line.includes(' = ')) out[section]![line.slice(0, line.indexOf(' = '))] = line.slice(line.indexOf(' = ') + 3);
  }
  return out;
}

test('tempest.conf points at the internal identity endpoint with admin credentials and dynamic credentials', (t) => {
  const conf = ini(renderTempestConf({ cloud, internalAuthUrl: cloud.internalAuthUrl, serviceTypes: ['identity', 'image', 'placement'] }));
  t.is(conf.identity!.uri_v3, 'http://keystone:5000/v3');
  t.is(conf.identity!.region, 'RegionOne');
  t.is(conf.identity!.v3_endpoint_type, 'internal');
  t.is(conf.auth!.admin_username, 'admin');
  t.is(conf.auth!.admin_password, 'p4ss');
  t.is(conf.auth!.admin_domain_name, 'Default');
  t.is(conf.auth!.use_dynamic_credentials, 'true');
});

test('service_available follows the catalog of the scenario', (t) => {
  const core = ini(renderTempestConf({ cloud, internalAuthUrl: cloud.internalAuthUrl, serviceTypes: ['identity', 'image', 'placement'] }));
  t.deepEqual(core.service_available, { glance: 'true', nova: 'false', neutron: 'false', cinder: 'false', swift: 'false', horizon: 'false' });
  t.is(core.auth!.create_isolated_networks, 'false');
  const identity = ini(renderTempestConf({ cloud, internalAuthUrl: cloud.internalAuthUrl, serviceTypes: ['identity'] }));
  t.is(identity.service_available!.glance, 'false');
  const compute = ini(renderTempestConf({ cloud, internalAuthUrl: cloud.internalAuthUrl, serviceTypes: ['identity', 'image', 'compute', 'network'] }));
  t.is(compute.service_available!.nova, 'true');
  t.is(compute.auth!.create_isolated_networks, 'true');
});

test('scenario settings add and override options', (t) => {
  const conf = ini(renderTempestConf({ cloud, internalAuthUrl: cloud.internalAuthUrl, serviceTypes: ['identity'], extra: { 'compute-feature-enabled.snapshot': 'false', 'validation.run_validation': 'true' } }));
  t.is(conf['compute-feature-enabled']!.snapshot, 'false');
  t.is(conf.validation!.run_validation, 'true');
});
