/** `gategrid init [DIR]`: a working starting point (a config, a catalogue, one scenario) in an empty folder. */
import { cp, mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../errors.ts';
import { repoRoot } from '../config/paths.ts';

/** What `init` copies: a two-service project (nginx and Redis from Debian's packages) on two releases, and its upgrade. */
export const STARTER = path.join(repoRoot, 'examples', 'starter');

/**
 * Copies the starter into `dir` (made when missing): a project's folder as it is once gategrid is
 * installed there (package.json, node_modules) is fine, but nothing of a user's is ever overwritten:
 * when any file or folder the starter would write exists, nothing is written.
 */
export async function commandInit(dir: string, out: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<number> {
  const target = path.resolve(dir);
  await mkdir(target, { recursive: true });
  const entries = await readdir(STARTER);
  const present = new Set(await readdir(target));
  const clash = entries.filter((e) => present.has(e));
  if (clash.length > 0) {
    throw new UsageError(`gategrid init would write ${clash.join(' and ')}, which ${target} already holds: nothing written (run it in a new folder: gategrid init DIR)`);
  }
  for (const entry of entries) {
    await cp(path.join(STARTER, entry), path.join(target, entry), { recursive: true, errorOnExist: true, force: false });
  }
  out(`gategrid init: wrote gategrid.config.yaml and catalogue/ (scenarios hello: nginx and Redis on Debian bookworm and trixie, and hello-upgrade: from one to the other, a key kept) into ${target}`);
  out('next: npx gategrid list, then npx gategrid run (its first run builds the images: a few minutes)');
  return 0;
}
