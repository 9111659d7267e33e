import { existsSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors.ts';
import { repoRoot } from './paths.ts';
import { gategridConfigSchema, type GategridConfig } from './schemas.ts';
import { readYamlFile, validateYaml } from './yaml-file.ts';

export const CONFIG_FILE = 'gategrid.config.yaml';

/** The config named by --config, else ./gategrid.config.yaml, else the repository's own. */
export async function loadConfig(explicit?: string): Promise<{ file: string; config: GategridConfig }> {
  const candidates = explicit ? [path.resolve(explicit)] : [path.resolve(CONFIG_FILE), path.join(repoRoot, CONFIG_FILE)];
  const file = candidates.find((f) => existsSync(f));
  if (!file) throw new ConfigError(candidates[0]!, '', 'no such config file: create it (see the repository\'s gategrid.config.yaml) or pass --config');
  return { file, config: validateYaml(await readYamlFile(file), gategridConfigSchema) };
}
