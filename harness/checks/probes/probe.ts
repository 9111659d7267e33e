/** One kind of check as data behind one interface (as testcontainers' wait strategies): what a probe asks of a cell. */
import type { Environment } from '../../backends/backend.ts';
import type { RenderedProbe } from '../../deploy/plan.ts';

export interface ProbeContext {
  readonly env: Environment;
}

/** A probe's outcome when it passes: what it saw, for the report. A failure throws CheckFailed. */
export type ProbeOutcome = { readonly message: string; readonly details?: Record<string, unknown> };

export type ProbeRunner = (probe: RenderedProbe, ctx: ProbeContext, signal: AbortSignal) => Promise<ProbeOutcome>;
