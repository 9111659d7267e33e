import path from 'node:path';
import { DeploymentError } from '../../errors.ts';
import { TEMPEST_IMAGE, tempestRelease } from '../../matrix/cell.ts';
import type { PhaseResult } from '../../results/model.ts';
import { runTempest, tempestExclusions } from '../../../tempest-bridge/run-tempest.ts';
import { timesFile } from '../../../tempest-bridge/test-times.ts';
import type { Step } from '../../deploy/plan.ts';
import type { CellPhase, CellRun } from './cell-run.ts';
import { probeNamespace, workloadHooks } from './workload-hooks.ts';

/** Real Tempest against the deployed cell, against what came up only. */
export function tempestPhase(run: CellRun): CellPhase {
  const { cell, options, result } = run;
  let outcome: Omit<PhaseResult, 'startedAt'> | undefined;
  return {
    title: 'tempest',
    timeoutMs: (cell.scenario.spec.tempest.timeoutSeconds + 600) * 1000,
    async setup(r) {
      if (cell.tempest.kind === 'none') return;
      if (!r.plan?.cloud) throw new DeploymentError('Tempest needs the cloud credentials of an identity service, and this scenario has none');
      // After a partly failed deploy, Tempest runs against what came up only: its failures would
      // otherwise just echo the deploy's. Without identity, nothing can be tested.
      const passed = new Set(r.steps.filter((st) => st.status === 'passed').map((st) => st.name));
      if (r.plan.cloudService && !passed.has(r.plan.cloudService)) {
        outcome = { name: 'tempest', status: 'skipped', durationMs: 0, message: `not run: the identity service (${r.plan.cloudService}) did not deploy` };
        return;
      }
      const registered = deployedServiceTypes(r.plan.steps, passed);
      const missing = r.plan.catalog.map((c) => c.service.type).filter((type) => !registered.includes(type));
      if (missing.length > 0) r.log(`tempest: against what deployed only; not available: ${missing.join(', ')}`);
      // Built while the cell deployed; a build that failed is the harness's error, said here.
      if (r.lateImage) await r.lateImage;
      const hooks = workloadHooks(r);
      const networkOf = probeNamespace(r);
      const done = await runTempest({
        // After an upgrade, the new release's Tempest (its tests and its expectations) judges the result.
        env: r.env!, image: (r.targetImages.get(TEMPEST_IMAGE) ?? r.images.get(TEMPEST_IMAGE))!, cloud: r.plan.cloud, scenario: cell.scenario.spec, release: tempestRelease(cell),
        exclude: tempestExclusions(cell.scenario),
        serviceTypes: ['identity', ...registered], selection: cell.tempest, rerunFailed: options.rerunTempest,
        artifactDir: path.join(options.outDir, result.artifacts.logs, 'tempest'), secrets: r.secrets, log: r.log,
        timesFile: timesFile(cell.scenario.spec.name, tempestRelease(cell)),
        ...(hooks && networkOf ? { workload: { external: hooks.external, guestFiles: () => hooks.guestFiles(), networkOf } } : {}),
      });
      result.artifacts.tempest = path.join(result.artifacts.logs, 'tempest/');
      r.addChecks(done.checks);
      outcome = done.phase;
    },
    verdict(): Partial<PhaseResult> {
      if (cell.tempest.kind === 'none') return { status: 'skipped', message: 'not selected (--tempest none, or the scenario has no Tempest selection)' };
      return outcome ? { status: outcome.status, ...(outcome.message ? { message: outcome.message } : {}), ...(outcome.details ? { details: outcome.details } : {}) } : {};
    },
  };
}

/**
 * The API types Tempest may test after a deploy: each one whose catalog registration passed and
 * whose service (the recipe holding that registration) came up. A registration passes on keystone
 * alone: with its service not started (a dependency failed), Tempest would call an address where
 * nothing listens and fail for the deploy's reason, not its own.
 */
export function deployedServiceTypes(steps: readonly Step[], passed: ReadonlySet<string>): string[] {
  const services = new Set(steps.filter((st) => st.kind === 'service').map((st) => st.name));
  return steps.flatMap((st) => (st.kind === 'action' && passed.has(st.name) && (!services.has(st.owner) || passed.has(st.owner)) ? [st.catalog.service.type] : []));
}
