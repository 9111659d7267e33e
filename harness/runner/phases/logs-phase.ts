import { runChecks } from '../../checks/check.ts';
import { logChecks } from '../../checks/log-scan.ts';
import { windowsOf } from '../../checks/stop-windows.ts';
import { phaseVerdict } from '../../results/verdicts.ts';
import type { CellPhase, CellRun } from './cell-run.ts';

/**
 * Every deployed container's log scanned for errors the recipes do not explain, nor an upgrade's
 * deliberate stop (a line inside a stopped service's window that names it), and for the cell's
 * own secrets (a service that logs one is red).
 */
export function logsPhase(run: CellRun): CellPhase {
  const { cell, result } = run;
  return {
    title: 'logs',
    async setup(r, signal) {
      if (!cell.scenario.spec.checks.logs || !r.env || !r.plan) return;
      await new Promise((resolve) => setTimeout(resolve, 300)); // let log streams catch up
      const env = r.env;
      // The deployment's containers only: the harness's own (Tempest) print test tracebacks by design.
      const deployed = env.containers().filter((n) => r.plan!.owners.has(n));
      const plan = r.plan;
      const windows = windowsOf(result.checks, (service) => plan.upgrades.get(service)?.knownAs ?? []);
      const secrets = new Map(Object.entries(r.secrets.toJSON()));
      const ctx = { logFile: (n: string) => env.logFile(n), windows, secrets, redact: (text: string) => r.secrets.redact(text) };
      r.addChecks(await runChecks(logChecks(deployed, r.plan.owners, r.plan.allow), ctx, signal));
    },
    verdict: () => phaseVerdict(result.checks.filter((c) => c.kind === 'logs')),
  };
}
