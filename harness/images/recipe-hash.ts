import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * The content hash of an image recipe: every file of its folder (path, mode, bytes), its build args
 * and the id of the image it starts from. Equal hash = equal image, so the tag is the hash and a
 * no-op rebuild is one `docker image inspect`.
 */
export async function recipeHash(dir: string, buildArgs: Readonly<Record<string, string>>, parentId: string): Promise<string> {
  const hash = createHash('sha256');
  hash.update(`parent ${parentId}\n`);
  for (const [k, v] of Object.entries(buildArgs).sort(([a], [b]) => a.localeCompare(b))) hash.update(`arg ${k}=${v}\n`);
  for (const file of await listFiles(dir)) {
    const full = path.join(dir, file);
    const mode = (await stat(full)).mode & 0o777;
    hash.update(`file ${file} ${mode.toString(8)}\n`).update(await readFile(full));
  }
  return hash.digest('hex');
}

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(path.join(dir, prefix), { withFileTypes: true });
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const rel = path.posix.join(prefix, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(dir, rel)));
    else if (entry.isFile()) out.push(rel);
  }
  return out;
}
