/** A cell's checks as data: each rendered probe as a check, run by its kind's runner. */
import type { RenderedProbe } from '../../deploy/plan.ts';
import type { Check } from '../check.ts';
import { execProbe } from './exec-probe.ts';
import { httpProbe } from './http-probe.ts';
import type { ProbeContext, ProbeRunner } from './probe.ts';
import { tcpProbe } from './tcp-probe.ts';

function runnerOf(probe: RenderedProbe): ProbeRunner {
  if (probe.http) return httpProbe;
  if (probe.tcp) return tcpProbe;
  return execProbe;
}

export function probeChecks(probes: readonly RenderedProbe[]): Check<ProbeContext>[] {
  return probes.map((probe) => ({
    id: probe.id, kind: 'probe', timeoutMs: probe.timeoutMs,
    async run(ctx) {
      // The check's own deadline (runCheck) ends the wait; the signal ends the request or connection with it.
      const signal = AbortSignal.timeout(probe.timeoutMs);
      return runnerOf(probe)(probe, ctx, signal);
    },
  }));
}
