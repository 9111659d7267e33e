/** Where gategrid's own files are: its package's root (a checkout, or node_modules/gategrid), found from this file. */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/**
 * The folder holding gategrid's package.json: two levels up in a checkout (harness/config/), three
 * when running the compiled copy (dist/harness/config/) of an installed package. The CLI works from
 * any working directory.
 */
function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    dir = path.dirname(dir);
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'gategrid') return dir;
  }
  throw new Error(`gategrid's package.json not found above ${fileURLToPath(import.meta.url)}`);
}

export const repoRoot = packageRoot();
export const scenariosDir = path.join(repoRoot, 'scenarios');
export const defaultOutDir = 'gategrid-out';
