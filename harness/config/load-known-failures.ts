import path from 'node:path';
import type { KnownFailure } from '../results/known-failures.ts';
import { ConfigError } from '../errors.ts';
import { knownFailuresSchema, type GategridConfig } from './schemas.ts';
import { readYamlFile, validateYaml } from './yaml-file.ts';

/** The config's known-failures file (`report.knownFailures`, relative to the config file), checked; none when it names none. */
export async function loadKnownFailures(configFile: string, config: GategridConfig): Promise<{ file?: string; failures: KnownFailure[] }> {
  if (!config.report.knownFailures) return { failures: [] };
  const file = path.resolve(path.dirname(configFile), config.report.knownFailures);
  return { file, failures: await readKnownFailures(file) };
}

export async function readKnownFailures(file: string): Promise<KnownFailure[]> {
  const yaml = await readYamlFile(file);
  const { failures } = validateYaml(yaml, knownFailuresSchema);
  const seen = new Set<string>();
  failures.forEach((f, i) => {
    if (seen.has(f.id)) throw new ConfigError(file, `failures[${i}].id`, `"${f.id}" is given twice: ids name one signature each`, { line: yaml.lineOf(['failures', i, 'id']) });
    seen.add(f.id);
  });
  return failures;
}
