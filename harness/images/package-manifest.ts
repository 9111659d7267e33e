import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { docker } from '../docker-cli.ts';
import { InfraError } from '../errors.ts';
import { LABEL_OWNER } from '../labels.ts';
import { manifestCacheDir, manifestKey } from '../results/package-manifests.ts';

/**
 * An image's Debian packages and their versions (dpkg-query), "name=version" lines sorted: what a
 * red cell's report compares with its last green run. Read once per image id and kept in the
 * machine's cache (an id is content: it never changes), so a warm run pays one file read.
 */
export async function packageManifest(tag: string, id: string, cacheDir = manifestCacheDir()): Promise<string> {
  const file = path.join(cacheDir, `${manifestKey(id)}.txt`);
  const cached = await readFile(file, 'utf8').catch(() => undefined);
  if (cached !== undefined) return cached;
  // No network, removed at exit, labelled (prune finds it if gategrid is killed meanwhile).
  const r = await docker(['run', '--rm', '--network', 'none', '--label', `${LABEL_OWNER}=gategrid`, '--entrypoint', 'dpkg-query', id,
    '-W', '-f', '${Package}=${Version}\\n'], { allowFailure: true, timeout: 60_000 });
  if (r.exitCode !== 0) throw new InfraError(`cannot list the packages of ${tag} (dpkg-query exited ${r.exitCode}: ${r.stderr.trim().split('\n').at(-1) ?? ''})`);
  const text = `${r.stdout.split('\n').filter(Boolean).sort().join('\n')}\n`;
  await mkdir(cacheDir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, file);
  return text;
}
