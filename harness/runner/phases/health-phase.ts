import { runChecks } from '../../checks/check.ts';
import { healthChecks } from '../../checks/health-checks.ts';
import type { CheckResult } from '../../results/model.ts';
import { phaseVerdict } from '../../results/verdicts.ts';
import type { CellPhase, CellRun } from './cell-run.ts';

/**
 * Service → the container an upgrade says serves it now. A service an upgrade replaced is judged
 * there (a rolling upgrade's new slot: the old one was drained and stopped on purpose); a new slot
 * whose upgrade failed was removed on purpose too, so the old release, still serving, is judged.
 */
export function servingContainers(checks: readonly CheckResult[]): Map<string, string> {
  const serving = new Map<string, string>();
  for (const c of checks) {
    const container = (c.details as { container?: unknown } | undefined)?.container;
    if (c.kind === 'upgrade' && c.status === 'passed' && c.id.startsWith('upgrade.service.') && typeof container === 'string') {
      serving.set(c.id.slice('upgrade.service.'.length), container);
    }
  }
  return serving;
}

/**
 * Every service that deployed, judged again once the tests are over (after Tempest, before the
 * logs are read): still running, never restarted, never OOM-killed.
 */
export function healthPhase(run: CellRun): CellPhase {
  const { result } = run;
  return {
    title: 'health',
    async setup(r, signal) {
      if (!r.env || !r.plan) return;
      const env = r.env;
      const serving = servingContainers(result.checks);
      const services = r.steps.filter((st) => st.kind === 'service' && st.status === 'passed')
        .map((st) => serving.get(st.name) ?? st.name);
      r.addChecks(await runChecks(healthChecks(services), { env }, signal));
    },
    verdict: () => phaseVerdict(result.checks.filter((c) => c.kind === 'health')),
  };
}
