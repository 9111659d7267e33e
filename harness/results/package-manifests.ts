import { cacheDir } from '../util/cache-dir.ts';

/**
 * Package manifests: an image's Debian packages, "name=version" lines sorted, one file per image
 * id (`<id12>.txt`) in the machine's cache and in each run's `packages/` folder beside results.json.
 * Written by harness/images/package-manifest.ts; read by the reports to say what changed.
 */
export const manifestKey = (id: string): string => id.replace(/^sha256:/, '').slice(0, 12);

export function manifestCacheDir(): string {
  return cacheDir('manifests');
}

export function parseManifest(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return out;
}
