import { existsSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors.ts';
import { repoRoot } from './paths.ts';
import { gategridConfigSchema, type GategridConfig } from './schemas.ts';
import { readYamlFile, validateYaml } from './yaml-file.ts';
import { catalogueDir, SHIPPED_CATALOGUE } from './load-catalogues.ts';

export const CONFIG_FILE = 'gategrid.config.yaml';

/**
 * The config named by --config, else ./gategrid.config.yaml, else the repository's own. Its
 * catalogues come back as absolute folders, each checked to exist.
 */
export async function loadConfig(explicit?: string): Promise<{ file: string; config: GategridConfig }> {
  const candidates = explicit ? [path.resolve(explicit)] : [path.resolve(CONFIG_FILE), path.join(repoRoot, CONFIG_FILE)];
  const file = candidates.find((f) => existsSync(f));
  if (!file) throw new ConfigError(candidates[0]!, '', 'no such config file: create it (see the repository\'s gategrid.config.yaml) or pass --config');
  const yaml = await readYamlFile(file);
  const config = validateYaml(yaml, gategridConfigSchema);
  const catalogues = config.catalogues.map((entry, i) => {
    const dir = catalogueDir(entry, path.dirname(file));
    if (!existsSync(dir)) {
      throw new ConfigError(file, `catalogues[${i}]`, `no such folder ${dir}: name a catalogue folder (relative to this file) or "${SHIPPED_CATALOGUE}", the one gategrid ships`, { line: yaml.lineOf(['catalogues', i]) });
    }
    return dir;
  });
  return { file, config: { ...config, catalogues } };
}
