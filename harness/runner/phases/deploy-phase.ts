import { buildPlan, planAddresses } from '../../deploy/plan.ts';
import { executePlan } from '../../deploy/execute.ts';
import { freeLoopbackPort } from '../../util/free-port.ts';
import type { CellPhase, CellRun } from './cell-run.ts';

/** The scenario rendered for this cell (ports, secrets, images) and executed step by step. */
export function deployPhase(run: CellRun): CellPhase {
  const { cell, options, result } = run;
  return {
    title: 'deploy',
    timeoutMs: options.timeouts.deploy,
    async setup(r, signal) {
      const hostPorts: Record<string, Record<string, number>> = {};
      for (const svc of cell.scenario.services) {
        hostPorts[svc.spec.name] = {};
        for (const p of svc.spec.ports) hostPorts[svc.spec.name]![String(p)] = await freeLoopbackPort();
      }
      r.plan = buildPlan({
        scenario: cell.scenario, releaseName: cell.releaseName, release: cell.release, images: r.images,
        secrets: r.secrets, hostPorts, runId: options.runId, cellId: cell.id, backend: cell.backend,
      });
      result.endpoints = Object.fromEntries(r.plan.endpoints.map((e) => [e.name, e.url]));
      await r.env!.reserve?.(planAddresses(r.plan));
      r.steps = await executePlan(r.plan, r.env!, options.actions, {
        signal,
        onStep: (step) => {
          result.phases.push({ name: `deploy/${step.name}`, status: step.status, startedAt: step.startedAt, durationMs: step.durationMs, ...(step.message ? { message: r.secrets.redact(step.message) } : {}) });
          options.update(result);
          r.log(`  ${step.kind} ${step.name} ${step.status} in ${(step.durationMs / 1000).toFixed(1)} s${step.status === 'passed' ? '' : `: ${r.secrets.redact(step.message ?? '')}`}`);
        },
      });
      const broken = r.steps.filter((st) => st.status === 'error');
      if (broken.length > 0) r.harnessErrors.push(...broken.map((b) => `${b.name}: ${b.message}`));
      await options.afterDeploy?.(r.env!, cell);
    },
    verdict(r) {
      const bad = r.steps.filter((st) => st.status !== 'passed');
      if (bad.length === 0) return {};
      const first = bad.find((st) => st.status !== 'skipped') ?? bad[0]!;
      return { status: bad.some((st) => st.status === 'error') ? 'error' : 'failed', message: `${bad.length} of ${r.steps.length} steps not passed, first ${first.name}: ${first.message ?? first.status}` };
    },
  };
}
