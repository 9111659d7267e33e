import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Rewrites every text file under a folder through `redact` (a cluster's exported logs, collected
 * by a tool gategrid runs): what gategrid writes passes the run's redaction point, whoever produced
 * the bytes. Binary files (a NUL in their first 8 KiB) are left as they are. Bounded: 10,000 files.
 */
export async function redactTree(dir: string, redact: (text: string) => string): Promise<number> {
  let changed = 0;
  let seen = 0;
  const walk = async (d: string): Promise<void> => {
    for (const entry of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      if (++seen > 10_000) return;
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) await walk(p);
      else if (entry.isFile()) {
        const bytes = await readFile(p);
        if (bytes.subarray(0, 8192).includes(0)) continue;
        const text = bytes.toString('utf8');
        const safe = redact(text);
        if (safe !== text) { await writeFile(p, safe); changed++; }
      }
    }
  };
  await walk(dir);
  return changed;
}
