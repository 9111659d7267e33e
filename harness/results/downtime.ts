import type { CheckResult } from './model.ts';

/** One answer (or its absence) of a polled endpoint. */
export interface ProbeSample {
  /** Milliseconds since the probe started. */
  readonly at: number;
  readonly ok: boolean;
  readonly detail: string;
}

/** What a probe saw: how long the endpoint did not answer as expected, in how many outages. */
export interface DowntimeReport {
  readonly url: string;
  readonly requests: number;
  readonly failed: number;
  readonly downtimeMs: number;
  readonly outages: readonly { readonly fromMs: number; readonly toMs: number; readonly first: string }[];
  readonly observedMs: number;
  /** When polling started (ISO): outages are offsets from it. */
  readonly startedAt?: string;
  /**
   * When the probe's own process could not run on time (its watchdog's tick over STALL_MS late: the
   * host overloaded, or gategrid's event loop blocked): a request then times out whatever the
   * endpoint does, so an outage overlapping one says nothing about the endpoint.
   */
  readonly stalls?: readonly { readonly fromMs: number; readonly toMs: number }[];
  /** Each request's own timeout: an outage that began within it before a stall may be the stall's. */
  readonly requestTimeoutMs?: number;
}

/** A watchdog tick this late means the probe itself was not running. */
export const STALL_MS = 1_000;

/**
 * The outages a stall of the probe explains: those overlapping a stall (widened before it by the
 * report's request timeout: a request sent just before the stall timed out inside it).
 */
export function stalledOutages(report: DowntimeReport): DowntimeReport['outages'] {
  const stalls = report.stalls ?? [];
  const marginMs = report.requestTimeoutMs ?? 0;
  return report.outages.filter((o) => stalls.some((s) => o.fromMs < s.toMs && o.toMs > s.fromMs - marginMs));
}

/** How long a list of outages lasted in all, in ms. */
export function outagesMs(outages: ReadonlyArray<{ readonly fromMs: number; readonly toMs: number }>): number {
  return outages.reduce((total, o) => total + (o.toMs - o.fromMs), 0);
}

/** The longest of a list of outages (the longest gap), in ms; 0 for none. */
export function longestOutageMs(outages: ReadonlyArray<{ readonly fromMs: number; readonly toMs: number }>): number {
  return Math.max(0, ...outages.map((o) => o.toMs - o.fromMs));
}

/** Outages from a series of samples in time order. */
export function summarize(url: string, samples: readonly ProbeSample[], observedMs: number): DowntimeReport {
  const outages: { fromMs: number; toMs: number; first: string }[] = [];
  let open: { fromMs: number; first: string } | undefined;
  for (const s of samples) {
    if (!s.ok && !open) open = { fromMs: s.at, first: s.detail };
    if (s.ok && open) {
      outages.push({ ...open, toMs: s.at });
      open = undefined;
    }
  }
  if (open) outages.push({ ...open, toMs: observedMs });
  return {
    url, requests: samples.length, failed: samples.filter((s) => !s.ok).length,
    downtimeMs: outagesMs(outages), outages, observedMs,
  };
}

/** One probed endpoint's downtime in an upgrade cell, read back from its `upgrade.downtime.<endpoint>` check. */
export interface EndpointDowntime {
  readonly endpoint: string;
  readonly downtimeMs: number;
  readonly requests: number;
  readonly failed: number;
  /** Offsets from `startedAt`, in ms; a guest's outage names the data-plane step that lost it. */
  readonly outages: readonly { readonly fromMs: number; readonly toMs: number; readonly first: string; readonly step?: string }[];
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

/**
 * "identity 11.7 s (58/600 failed), guest 14.0 s in 2, the longest 12.0 s (70/1200 failed), placement
 * 0 s (0/120 failed)": the figures side by side, one line; with more than one outage, the longest gap.
 */
export function downtimeLine(cell: { readonly checks: readonly CheckResult[] }): string {
  return downtimeOf(cell).map((d) => {
    const gaps = d.outages.length > 1 ? ` in ${d.outages.length}, the longest ${(longestOutageMs(d.outages) / 1000).toFixed(1)} s` : '';
    return `${d.endpoint} ${d.downtimeMs === 0 ? '0 s' : `${(d.downtimeMs / 1000).toFixed(1)} s`}${gaps}${d.failed > 0 || d.downtimeMs === 0 ? ` (${d.failed}/${d.requests} failed)` : ''}`;
  }).join(', ');
}
