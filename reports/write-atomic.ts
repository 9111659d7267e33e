import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Writes a report file whole or not at all (temp file + rename), so a crash or a Ctrl-C leaves the
 * last complete version and never half a file. Synchronous on purpose: report files are small and
 * their writes then never interleave.
 */
export function writeAtomic(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}
