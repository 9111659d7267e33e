import { SecretStore } from '../config/secrets.ts';
import type { LoadedScenario } from '../config/load-scenario.ts';
import type { ReleaseSpec } from '../config/schemas.ts';
import { buildPlan, type DeploymentPlan } from './plan.ts';

/**
 * A dry run of a cell's deployment plan, before anything starts (no image, no engine): every
 * template rendered, every secret declared, every dependency known and acyclic, shell text safe.
 * A problem is the ConfigError buildPlan raises, naming the file, field and line. The plan it
 * returns has placeholder images, ports and secrets: good for its shape (steps, dependencies), only.
 */
export function preflight(scenario: LoadedScenario, releaseName: string, release: ReleaseSpec, backend: string): DeploymentPlan {
  const names = [...scenario.services.map((s) => s.spec.image), ...scenario.spec.checks.runners.map((r) => r.image)];
  const images = new Map(names.map((name) => [name, `preflight/${name}`]));
  const hostPorts = Object.fromEntries(scenario.services.map((s) => [s.spec.name, Object.fromEntries(s.spec.ports.map((p) => [String(p), 40000]))]));
  return buildPlan({ scenario, releaseName, release, images, secrets: new SecretStore(), hostPorts, runId: 'preflight', cellId: `${scenario.spec.name}/${releaseName}/${backend}`, backend });
}
