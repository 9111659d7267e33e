import { runChecks } from '../../checks/check.ts';
import { healthChecks } from '../../checks/health-checks.ts';
import { nextSlot } from '../../deploy/plan.ts';
import { verdictOf, type CellPhase, type CellRun } from './cell-run.ts';

/**
 * Every service that deployed, judged again once the tests are over (after Tempest, before the
 * logs are read): still running, never restarted, never OOM-killed.
 */
export function healthPhase(run: CellRun): CellPhase {
  const { result } = run;
  return {
    title: 'health',
    async setup(r) {
      if (!r.env || !r.plan) return;
      const env = r.env;
      // A service a rolling upgrade replaced is judged in its new slot (the old one was drained and stopped on purpose).
      const started = new Set(env.containers());
      const services = r.steps.filter((st) => st.kind === 'service' && st.status === 'passed')
        .map((st) => (started.has(nextSlot(st.name)) ? nextSlot(st.name) : st.name));
      r.addChecks(await runChecks(healthChecks(services), { env }));
    },
    verdict: () => verdictOf(result.checks.filter((c) => c.kind === 'health')),
  };
}
