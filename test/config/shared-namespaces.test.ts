import test from 'ava';
import { cp, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadScenario } from '../../harness/config/load-scenario.ts';
import { loadCatalogues } from '../../harness/config/load-catalogues.ts';
import { ConfigError } from '../../harness/errors.ts';
import { repoRoot } from '../../harness/config/paths.ts';
import { SecretStore } from '../../harness/config/secrets.ts';
import { buildPlan } from '../../harness/deploy/plan.ts';
import { workloadManifest } from '../../harness/backends/kubernetes/manifests.ts';
import { tempDir } from '../temp-dir.ts';

// A recipe's `namespaces.network` (a compute node's switch and hypervisor in one network namespace):
// checked against the scenario before anything starts, carried by the plan, refused by Kubernetes.

const NODE = 'name: node\nimage: base\nmemoryMiB: 60\nready: { tcp: 6640 }\nports: [6640]\n';
const hypervisor = (extra = '') => `name: hypervisor\nimage: base\nmemoryMiB: 200\nready: { exec: ["true"] }\nafter: [node]\nnamespaces: { network: node, reason: its taps must be ports of the switch beside it }\n${extra}`;

async function catalogue(hypervisorRecipe: string, services = '[node, hypervisor]'): Promise<{ dir: string; scenario: string }> {
  const dir = await tempDir('gategrid-namespaces-');
  await cp(path.join(repoRoot, 'scenarios', 'releases.yaml'), path.join(dir, 'releases.yaml'));
  await mkdir(path.join(dir, 'images'), { recursive: true });
  await writeFile(path.join(dir, 'images', 'images.yaml'), 'images:\n  base: { from: "@base" }\n');
  for (const [name, text] of [['node', NODE], ['hypervisor', hypervisorRecipe]] as const) {
    await mkdir(path.join(dir, 'services', name), { recursive: true });
    await writeFile(path.join(dir, 'services', name, 'service.yaml'), text);
  }
  const scenario = path.join(dir, 'node.yaml');
  await writeFile(scenario, `name: node\nservices: ${services}\nchecks: { smoke: true, api: [], logs: true }\n`);
  return { dir, scenario };
}

test('a service in another\'s network namespace: the plan joins it there, after it, with no name or port of its own', async (t) => {
  const { dir, scenario } = await catalogue(hypervisor());
  const loaded = await loadScenario(scenario, await loadCatalogues(dir));
  const plan = buildPlan({ scenario: loaded, releaseName: 'zed', release: loaded.releases.get('zed')!, images: new Map([['base', 'gategrid/base:test']]),
    secrets: new SecretStore(), hostPorts: { node: { 6640: 42000 }, hypervisor: {} }, runId: 'r1', cellId: 'node/zed/docker', backend: 'docker' });
  const step = plan.steps.find((s) => s.name === 'hypervisor')!;
  t.true(step.deps.includes('node'));
  t.is(step.kind, 'service');
  if (step.kind !== 'service') return;
  t.is(step.spec.networkOf, 'node');
  t.deepEqual(step.spec.listens, [], 'reached by the name of the service whose namespace it shares');
  const node = plan.steps.find((s) => s.name === 'node')!;
  t.is(node.kind === 'service' ? node.spec.networkOf : 'not a service', undefined);
});

test('namespaces.network must name another service of the scenario, started before, and the joiner publishes nothing', async (t) => {
  const cases: Array<[string, string | undefined, RegExp]> = [
    [hypervisor().replace('network: node', 'network: nowhere'), undefined, /"nowhere" is not another service of scenario "node".*add it to services/],
    [hypervisor().replace('after: [node]\n', ''), undefined, /the namespace of "node" exists only once it runs: add "node" to after/],
    [hypervisor('ports: [16509]\n'), undefined, /publishes no port of its own: publish it on "node"/],
    [hypervisor().replace('network: node', 'network: hypervisor'), undefined, /"hypervisor" is not another service/],
  ];
  for (const [recipe, services, message] of cases) {
    const { dir, scenario } = await catalogue(recipe, services);
    const error = await t.throwsAsync(loadScenario(scenario, await loadCatalogues(dir)), { instanceOf: ConfigError });
    t.regex(error.message, message);
    t.regex(error.file, /services\/hypervisor\/service\.yaml$/);
  }
  const { dir, scenario } = await catalogue(hypervisor().replace(', reason: its taps must be ports of the switch beside it', ''));
  await t.throwsAsync(loadScenario(scenario, await loadCatalogues(dir)), { instanceOf: ConfigError }, 'the reason is required');
});

test('Kubernetes refuses a workload in another\'s network namespace with the reason and the fix', (t) => {
  const spec = { name: 'hypervisor', image: 'gategrid/base:test', env: {}, files: [], volumes: [], ports: [], timeoutMs: 1000, networkOf: 'node', ready: { kind: 'exec' as const, command: ['true'] } };
  t.throws(() => workloadManifest(spec, { namespace: 'ns', labels: {}, image: { ref: 'gategrid/base:test', pullPolicy: 'Never' }, volumes: { kind: 'pvc', size: '1Gi' } } as never),
    { message: /joins the network namespace of node.*unsupported on kubernetes/ });
});

test('a scenario may put a service in another\'s network namespace (overrides.namespaces): cloud\'s nova-compute joins the node\'s, compute\'s keeps its own', async (t) => {
  const catalogues = await loadCatalogues();
  const nova = async (scenario: string) => (await loadScenario(scenario, catalogues)).services.find((s) => s.spec.name === 'nova-compute')!.spec;
  t.is((await nova('cloud')).namespaces?.network, 'openvswitch-db');
  t.is((await nova('cloud-upgrade')).namespaces?.network, 'openvswitch-db');
  t.is((await nova('compute')).namespaces, undefined);
  // Checked as a recipe's own: the namespace's owner must run first.
  const { dir, scenario } = await catalogue(hypervisor().replace(/^namespaces:.*\n/m, '').replace('after: [node]\n', ''));
  await writeFile(scenario, 'name: node\nservices: [node, hypervisor]\nchecks: { smoke: true, api: [], logs: true }\noverrides:\n  hypervisor:\n    namespaces: { network: node, reason: its taps must be ports of the switch beside it }\n');
  await t.throwsAsync(loadScenario(scenario, await loadCatalogues(dir)), { instanceOf: ConfigError, message: /exists only once it runs: add "node" to after/ });
});
