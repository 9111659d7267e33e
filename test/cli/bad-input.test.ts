import test from 'ava';
import { gategrid } from '../integration/helpers.ts';

// Bad input is refused before anything starts: exit 2, one line naming what is wrong and the fix.
const cases: Array<[string, string[], RegExp]> = [
  ['a fault on a cell not in the run', ['run', '--cell', 'identity/zed/docker', '--inject-fault', 'core/zed/docker:kill=glance-api'], /--inject-fault core\/zed\/docker:kill=glance-api: no cell core\/zed\/docker in this run/],
  ['a fault on a service the scenario lacks', ['run', '--cell', 'identity/zed/docker', '--inject-fault', 'identity/zed/docker:kill=glance-api'], /identity has no service glance-api \(it has: mariadb, memcached, keystone\)/],
  ['a release given twice', ['list', '--scenario', 'identity', '--release', 'zed', '--release', 'zed'], /release "zed" is given twice/],
  ['an unknown backend', ['list', '--backend', 'podman'], /backend "podman" is unknown: available are docker, kubernetes/],
  ['an unknown kube provider', ['run', '--cell', 'identity/zed/kubernetes', '--kube-provider', 'minikube'], /--kube-provider minikube: expected local, kind or kubeconfig/],
  ['a Tempest regex Python cannot compile', ['list', '--scenario', 'identity', '--release', 'zed', '--tempest', 'tempest('], /--tempest tempest\(: not a valid regex for Tempest \(Python's re: missing \), unterminated subpattern/],
  ['an output folder that cannot be made', ['run', '--cell', 'identity/zed/docker', '--tempest', 'none', '--out', '/etc/hostname/out'], /cannot write results to \/etc\/hostname\/out \(ENOTDIR\): choose another folder with --out/],
  ['a YAML alias bomb', ['list', '--config', 'fixtures/config/alias-bomb.yaml'], /alias-bomb\.yaml: \(file\): cannot be read as data: Excessive alias count/],
  ['a misspelt secret in a scenario override', ['list', '--scenario', 'fixtures/scenarios/bad-misspelt-secret.yaml', '--release', 'zed'], /bad-misspelt-secret\.yaml.*secrets\.keystone_dbb: secret "keystone_dbb" is not declared/],
  ['an unknown phase to stop after', ['run', '--cell', 'identity/zed/docker', '--stop-after', 'deploys'], /--stop-after deploys: expected one of deploy, checks, upgrade, tempest, health/],
  ['stopping after an upgrade a cell does not have', ['run', '--cell', 'identity/zed/docker', '--stop-after', 'upgrade'], /--stop-after upgrade: identity\/zed\/docker is not an upgrade cell/],
  ['a repeat that is no count', ['run', '--cell', 'identity/zed/docker', '--repeat', '0'], /--repeat 0: expected a whole number from 1 to 50/],
  ['affected without a base', ['affected'], /usage: gategrid affected --base REF/],
  ['a base that is no commit', ['run', '--affected', 'no-such-ref-anywhere'], /--affected no-such-ref-anywhere: not a commit of the repository/],
  ['a known failure whose regex would backtrack', ['run', '--config', 'fixtures/config/catastrophic-known-failures.yaml', '--cell', 'identity/zed/docker'], /catastrophic-known-failures\.signatures\.yaml.*failures\[0\]\.message.*cannot run in linear time/],
  ['a known failure that would explain everything', ['run', '--config', 'fixtures/config/bad-known-failures.yaml', '--cell', 'identity/zed/docker'], /bad-known-failures\.signatures\.yaml.*failures\[0\]\.message.*give a check or a message regex/],
  ['a silent-upgrade fault on a service the cell does not upgrade', ['run', '--cell', 'core-upgrade/zed/docker', '--inject-fault', 'core-upgrade/zed/docker:silent-upgrade=memcached'], /core-upgrade does not upgrade memcached \(its upgrade\.services: mariadb, keystone, glance-api, placement-api\)/],
  ['a concurrency in hexadecimal', ['run', '--cell', 'identity/zed/docker', '--tempest', 'none', '--concurrency', '0x4'], /--concurrency 0x4: expected a whole number from 1 to 16/],
  ['an empty retry count', ['run', '--cell', 'identity/zed/docker', '--tempest', 'none', '--retries', ''], /--retries : expected a whole number from 0 to 5/],
  ['the kubeconfig provider without a registry', ['run', '--cell', 'identity/zed/kubernetes', '--kube-provider', 'kubeconfig'], /needs a registry the cluster pulls gategrid's images from: --registry/],
];

for (const [name, args, message] of cases) {
  test(`refused before anything starts: ${name}`, async (t) => {
    const run = await gategrid(args);
    t.is(run.exitCode, 2, run.all);
    t.regex(run.all, message);
    t.notRegex(run.all, /\n\s+at /, 'no stack trace');
    t.notRegex(run.all, /^\d\d:\d\d:\d\d run /m, 'no run started');
  });
}

test('gategrid --version prints the version and the commit', async (t) => {
  const run = await gategrid(['--version']);
  t.is(run.exitCode, 0);
  t.regex(run.stdout, /^gategrid \d+\.\d+\.\d+( \(commit [0-9a-f]{12}\))?$/);
});

test("a Tempest regex in Python's own dialect is accepted", async (t) => {
  const run = await gategrid(['list', '--scenario', 'identity', '--release', 'zed', '--tempest', '(?i)^TEMPEST\\.api\\.identity']);
  t.is(run.exitCode, 0, run.all);
});
