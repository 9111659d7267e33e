import os from 'node:os';
import path from 'node:path';
import { errorMessage } from '../../errors.ts';
import { runLabels } from '../../labels.ts';
import { writeKeptCredentials } from '../../openstack/kept-credentials.ts';
import { cellDir } from '../../results/model.ts';
import type { CellPhase, CellRun } from './cell-run.ts';
import { collectDiagnostics } from './recipe-diagnostics.ts';

/**
 * The cell's environment on its backend. Its teardown runs last, always: a red cell gets the
 * backend's diagnostics; a kept cell stays up with its credentials written; any other is removed.
 */
export function environmentPhase(run: CellRun, isRedNow: () => boolean): CellPhase {
  const { cell, options, result } = run;
  return {
    title: 'environment',
    async setup(r) {
      r.env = await options.backend.provision({
        runId: options.runId, cellId: cell.id, logDir: r.logDir,
        labels: runLabels(options.runId, cell.id, os.hostname()),
      });
    },
    async teardown(r) {
      const red = isRedNow();
      if (red && r.env) {
        const redact = (text: string) => r.secrets.redact(text);
        await r.env.diagnose?.(r.logDir, redact).catch((e: unknown) => r.log(`diagnostics could not be collected: ${errorMessage(e)}`));
        const files = await collectDiagnostics(r.env, cell.scenario.services, r.logDir, redact).catch((e: unknown) => { r.log(`recipe diagnostics could not be collected: ${errorMessage(e)}`); return []; });
        if (files.length > 0) r.log(`diagnostics: ${files.map((f) => path.basename(f)).join(', ')}`);
      }
      const keep = options.keep === 'always' || (options.keep === 'failed' && red) || options.stopAfter !== undefined;
      if (keep && r.env) {
        result.kept = true;
        const dir = path.join(options.outDir, 'kept', cellDir(result.id));
        if (r.plan?.cloud) {
          await writeKeptCredentials(dir, cellDir(result.id), r.plan.cloud);
          result.artifacts.kept = path.relative(options.outDir, dir);
        }
        await r.env.release();
        for (const [name, url] of Object.entries(result.endpoints ?? {})) r.log(`kept: ${name} at ${url}`);
        if (r.plan?.cloud) r.log(`kept: credentials in ${path.join(dir, 'openrc')} (source it) and clouds.yaml`);
        r.log(`kept: ${r.env.backend === 'kubernetes' ? 'its namespace stays (published ports were this run\'s port-forwards)' : 'containers stay up'}; remove it with: npx gategrid down ${options.runId}`);
        return;
      }
      await r.env?.teardown();
    },
  };
}

