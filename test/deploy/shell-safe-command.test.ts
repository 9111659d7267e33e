import test from 'ava';
import path from 'node:path';
import { objectResolver, renderTemplate } from '../../harness/config/template.ts';
import { envName, renderCommand } from '../../harness/deploy/shell-safe-command.ts';
import { buildPlan } from '../../harness/deploy/plan.ts';
import { SecretStore } from '../../harness/config/secrets.ts';
import { loadScenario } from '../../harness/config/load-scenario.ts';
import { loadCatalogues } from '../../harness/config/load-catalogues.ts';
import { preflight } from '../../harness/deploy/preflight.ts';
import { repoRoot } from '../../harness/config/paths.ts';
import { ConfigError } from '../../harness/errors.ts';

const resolver = objectResolver({ vars: { url: 'x"; touch /tmp/pwned; echo "' }, ports: { keystone: { 5000: 41000 } } }, () => 'sekrit0123456789', new Set(['admin']));

test('a value in shell text travels in the environment, never spliced into the script', (t) => {
  const r = renderCommand(['sh', '-ec', 'keystone-manage bootstrap --url "{{ vars.url }}" --port "{{ ports.keystone.5000 }}"'], resolver, 'recipe.yaml', 'run');
  t.is(r.command[2], 'keystone-manage bootstrap --url "${GG_VARS_URL}" --port "${GG_PORTS_KEYSTONE_5000}"');
  t.deepEqual(r.env, { GG_VARS_URL: 'x"; touch /tmp/pwned; echo "', GG_PORTS_KEYSTONE_5000: '41000' });
  t.false(r.command.join(' ').includes('touch'));
});

test('a secret in a command is refused, in argv and in shell text alike, with the fix (the job\'s env)', (t) => {
  for (const command of [['create-db', 'keystone', '{{ secrets.admin }}'], ['sh', '-ec', 'keystone-manage bootstrap --password "{{ secrets.admin }}"']]) {
    t.throws(() => renderCommand(command, resolver, 'recipe.yaml', 'exec.command'), { instanceOf: ConfigError, message: /recipe\.yaml: exec\.command\[\d\]: \{\{ secrets\.admin \}\} in a command would put the secret in a process's arguments .*give it in the job's env \(env: \{ NAME: "\{\{ secrets\.admin \}\}" \}\)/ });
  }
});

test('argv that is not shell text is rendered as it is', (t) => {
  const r = renderCommand(['create-db', 'keystone', '{{ ports.keystone.5000 }}'], resolver, 'recipe.yaml', 'exec.command');
  t.deepEqual(r.command, ['create-db', 'keystone', '41000']);
  t.deepEqual(r.env, {});
  t.is(envName('ports.glance-api.9292'), 'GG_PORTS_GLANCE_API_9292');
});

test('a placeholder outside double quotes in shell text is refused with the fix', (t) => {
  t.throws(() => renderCommand(['sh', '-c', 'echo {{ vars.url }}'], resolver, 'recipe.yaml', 'run'), { instanceOf: ConfigError, message: /recipe\.yaml \(run\[2\]\):1: vars\.url: a placeholder in shell text must stand inside double quotes/ });
  t.throws(() => renderCommand(['bash', '-c', "echo '{{ vars.url }}'"], resolver, 'recipe.yaml', 'run'), { message: /must stand inside double quotes/ });
});

test('an undeclared (misspelt) secret is refused, naming it and the declared ones', (t) => {
  t.throws(() => renderTemplate('{{ secrets.admn }}', resolver, 'recipe.yaml (run[1])'), { message: /secrets\.admn: secret "admn" is not declared: add it to the recipe's secrets \(declared: admin\)/ });
});

test('the hostile override of the fixture reaches keystone\'s bootstrap job as data only', async (t) => {
  const catalogues = await loadCatalogues();
  const scenario = await loadScenario(path.join(repoRoot, 'fixtures/scenarios/bad-injected-var.yaml'), catalogues);
  const images = new Map(scenario.services.map((s) => [s.spec.image, `img/${s.spec.image}`]));
  const plan = buildPlan({ scenario, releaseName: 'zed', release: catalogues.releases.get('zed')!, images, secrets: new SecretStore(), hostPorts: { keystone: { '5000': 41000 }, mariadb: {}, memcached: {} }, runId: 'r', cellId: 'identity/zed/docker', backend: 'docker' });
  const bootstrap = plan.steps.find((s) => s.name === 'keystone-bootstrap')!;
  if (bootstrap.kind !== 'run') return t.fail();
  t.false(bootstrap.spec.command!.join('\n').includes('pwned'));
  t.is(bootstrap.spec.env.GG_VARS_INTERNAL_URL, 'x"; touch /tmp/gategrid-pwned; echo "');
});

test('pre-flight refuses a misspelt secret in a scenario override before anything starts', async (t) => {
  const catalogues = await loadCatalogues();
  const scenario = await loadScenario(path.join(repoRoot, 'fixtures/scenarios/bad-misspelt-secret.yaml'), catalogues);
  t.throws(() => preflight(scenario, 'zed', catalogues.releases.get('zed')!, 'docker'), { instanceOf: ConfigError, message: /secret "keystone_dbb" is not declared/ });
});
