import test from 'ava';
import { loadScenario } from '../../harness/config/load-scenario.ts';
import { loadCatalogues } from '../../harness/config/load-catalogues.ts';
import { tempestExclusions } from '../../tempest-bridge/run-tempest.ts';

// The id Tempest 33 reported red against bookworm-security's keystone (2:22.0.2-0+deb12u5 on).
const CREDENTIALS = 'tempest.api.identity.admin.v3.test_credentials.CredentialsTestJSON.test_credentials_create_get_update_delete[id-7cd59bf9-bda4-4c72-9467-d21cab278355,smoke]';

test('a service recipe\'s Tempest exclusions apply to every scenario that deploys it, on the releases it names, after the scenario\'s own', async (t) => {
  const catalogues = await loadCatalogues();
  for (const name of ['identity', 'core', 'compute', 'core-upgrade-rolling']) {
    const exclusions = tempestExclusions(await loadScenario(name, catalogues));
    const credentials = exclusions.find((e) => new RegExp(e.regex).test(CREDENTIALS));
    t.deepEqual(credentials?.releases, ['zed', '2025.1'], name);
    t.regex(credentials?.reason ?? '', /CVE-2026-90460/);
  }
  const compute = tempestExclusions(await loadScenario('compute', catalogues));
  t.regex(compute[0]!.regex, /test_get_console_output_with_unlimited_size/, 'the scenario\'s own come first');
});
