/** gategrid's folder in the machine's cache (XDG_CACHE_HOME, else ~/.cache): what outlives a run (package manifests, Tempest's timing history, the last bench). */
import os from 'node:os';
import path from 'node:path';

export function cacheDir(...parts: string[]): string {
  return path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'gategrid', ...parts);
}
