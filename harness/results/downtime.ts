import type { CheckResult } from './model.ts';

/** One probed endpoint's downtime in an upgrade cell, read back from its `upgrade.downtime.<endpoint>` check. */
export interface EndpointDowntime {
  readonly endpoint: string;
  readonly downtimeMs: number;
  readonly requests: number;
  readonly failed: number;
  /** Offsets from `startedAt`, in ms. */
  readonly outages: readonly { readonly fromMs: number; readonly toMs: number; readonly first: string }[];
  readonly startedAt?: string;
  /** How long the endpoint was probed (the check's duration). */
  readonly observedMs: number;
  readonly withinBudget: boolean;
}

const PREFIX = 'upgrade.downtime.';

/** The id of the check that carries an endpoint's downtime. */
export const downtimeCheckId = (endpoint: string): string => `${PREFIX}${endpoint}`;

/** The downtime each probed endpoint saw, in probe order; none for a cell that is not an upgrade test. */
export function downtimeOf(cell: { readonly checks: readonly CheckResult[] }): EndpointDowntime[] {
  return cell.checks.filter((c) => c.id.startsWith(PREFIX)).map((c) => {
    const d = (c.details ?? {}) as Record<string, unknown>;
    const num = (k: string): number => (typeof d[k] === 'number' ? d[k] as number : 0);
    const outages = Array.isArray(d.outages) ? (d.outages as EndpointDowntime['outages']).filter((o) => typeof o?.fromMs === 'number' && typeof o?.toMs === 'number') : [];
    return {
      endpoint: c.id.slice(PREFIX.length), downtimeMs: num('downtimeMs'), requests: num('requests'), failed: num('failed'), outages,
      ...(typeof d.startedAt === 'string' ? { startedAt: d.startedAt } : {}),
      observedMs: c.durationMs,
      withinBudget: c.status !== 'failed',
    };
  });
}

/** "identity 11.7 s, image 3.8 s, placement 0 s (0 of 120 failed)": the figures side by side, one line. */
export function downtimeLine(cell: { readonly checks: readonly CheckResult[] }): string {
  return downtimeOf(cell).map((d) => `${d.endpoint} ${d.downtimeMs === 0 ? '0 s' : `${(d.downtimeMs / 1000).toFixed(1)} s`}${d.failed > 0 || d.downtimeMs === 0 ? ` (${d.failed}/${d.requests} failed)` : ''}`).join(', ');
}
