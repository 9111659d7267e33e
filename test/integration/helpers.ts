import { tempDir } from '../temp-dir.ts';
import { Session } from '../../harness/openstack/rest-client.ts';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { repoRoot } from '../../harness/config/paths.ts';
import { listByLabel } from '../../harness/docker-cli.ts';
import { LABEL_RUN } from '../../harness/labels.ts';
import type { RunResult } from '../../harness/results/model.ts';

/** Runs the real CLI, as a user would, on this repository's node. */
export function gategrid(args: string[]): ResultPromise<{ reject: false; all: true; cwd: string; timeout: number }> {
  return execa(process.execPath, [path.join(repoRoot, 'harness/cli/main.ts'), ...args], { reject: false, all: true, cwd: repoRoot, timeout: 40 * 60_000 });
}

/** A run's results folder, removed when the test file's tests end. */
export async function tempOut(name: string): Promise<string> {
  return tempDir(`gategrid-it-${name}-`);
}

/**
 * Runs a scenario of a fixture catalogue (fixtures/catalogues/NAME, searched before the shipped one)
 * on zed and Docker, through a config of its own in a fresh folder: the run and its results folder.
 */
export async function runFixtureCatalogue(catalogue: string, scenario: string): Promise<{ run: Awaited<ReturnType<typeof gategrid>>; out: string }> {
  const dir = await tempOut(catalogue);
  const config = path.join(dir, 'gategrid.config.yaml');
  await writeFile(config, [
    `catalogues: [${path.join(repoRoot, 'fixtures/catalogues', catalogue)}, openstack]`,
    `matrix: { scenarios: [${scenario}], releases: [zed], backends: [docker] }`, '',
  ].join('\n'));
  const out = path.join(dir, 'out');
  return { run: await gategrid(['run', '--config', config, '--out', out]), out };
}

export async function readResults(out: string): Promise<RunResult> {
  return JSON.parse(await readFile(path.join(out, 'results.json'), 'utf8')) as RunResult;
}

/** Everything labelled by a run that still exists: containers, networks, volumes. */
export async function leftovers(runId: string): Promise<string[]> {
  const labels = [`${LABEL_RUN}=${runId}`];
  const found = await Promise.all((['container', 'network', 'volume'] as const).map(async (k) => (await listByLabel(k, labels)).map((id) => `${k} ${id}`)));
  return found.flat();
}

/** Logs in with a kept cell's openrc, as a person sourcing it would: the session, or the login's error. */
export async function loginWithOpenrc(file: string): Promise<Session> {
  const openrc = await readFile(file, 'utf8');
  const env = Object.fromEntries([...openrc.matchAll(/^export (\w+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]));
  return Session.login({
    authUrl: env.OS_AUTH_URL!, internalAuthUrl: '', region: env.OS_REGION_NAME!, username: env.OS_USERNAME!, password: env.OS_PASSWORD!,
    projectName: env.OS_PROJECT_NAME!, userDomainName: env.OS_USER_DOMAIN_NAME!, projectDomainName: env.OS_PROJECT_DOMAIN_NAME!,
  });
}
