import type { StopWindow } from '../checks/stop-windows.ts';
import type { CheckResult } from '../results/model.ts';
import { downtimeCheckId, longestOutageMs, outagesMs, stalledOutages, type DowntimeReport } from '../results/downtime.ts';
import { outageContext, windowNear } from './outage-context.ts';

/**
 * The `upgrade.downtime.<name>` checks: an endpoint's (or the kept guest's) measured downtime,
 * judged against the scenario's budget. For the guest, each outage is named by the step that lost
 * it: a data-plane service's (`upgrade.dataPlane`: the switch, the chassis, OVN's databases, each
 * with its own budget and the reason it costs any) or the rest of the upgrade's (the control plane,
 * judged by `maxGuestDowntimeSeconds`: the guest should not notice it).
 */
export interface DataPlaneBudget {
  readonly maxGuestDowntimeSeconds: number;
  readonly reason: string;
}

/**
 * The data-plane step an outage belongs to: the service in whose stop window it began, or the one
 * that answered again shortly before it began (outage-context.ts's AFTER_MS: the flows it
 * reprograms then); undefined for any other outage (the rest of the upgrade's).
 */
export function stepOf(atMs: number, windows: readonly StopWindow[], dataPlane: Readonly<Record<string, DataPlaneBudget>>): string | undefined {
  const near = windowNear(atMs, windows);
  return near && dataPlane[near.window.service] ? near.window.service : undefined;
}

interface Group {
  readonly step: string | undefined;
  readonly outages: DowntimeReport['outages'];
  readonly budgetSeconds: number | undefined;
}

const s1 = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** The measured downtime of one endpoint or guest: failed only when a budget it falls under was exceeded. */
export function downtimeCheck(
  name: string, report: DowntimeReport, maxDowntimeSeconds: number | undefined, windows: readonly StopWindow[] = [],
  dataPlane: Readonly<Record<string, DataPlaneBudget>> = {},
): CheckResult {
  const seconds = report.downtimeMs / 1000;
  const outages = report.outages.length;
  const where = outageContext(report, windows);
  const longest = longestOutageMs(report.outages);
  const t0 = report.startedAt ? Date.parse(report.startedAt) : undefined;
  const steps = report.outages.map((o) => (t0 === undefined ? undefined : stepOf(t0 + o.fromMs, windows, dataPlane)));
  const groups: Group[] = [
    ...Object.keys(dataPlane).map((step) => ({ step, outages: report.outages.filter((_, i) => steps[i] === step), budgetSeconds: dataPlane[step]!.maxGuestDowntimeSeconds })),
    { step: undefined, outages: report.outages.filter((_, i) => steps[i] === undefined), budgetSeconds: maxDowntimeSeconds },
  ];
  const stepped = groups.some((g) => g.step !== undefined);
  const label = (g: Group): string => (g.step ? `${g.step}'s upgrade` : stepped ? 'the rest of the upgrade' : '');
  const base = outages === 0
    ? `no downtime: ${report.requests} requests over ${s1(report.observedMs)} all answered`
    : `unavailable ${seconds.toFixed(1)} s in ${outages} outage(s)${outages > 1 ? `, the longest ${s1(longest)}` : ''} (first: ${report.outages[0]!.first}${where ? `, ${where}` : ''}); ${report.failed} of ${report.requests} requests failed over ${s1(report.observedMs)}`;
  const bySteps = stepped && outages > 0
    ? `; by step: ${groups.filter((g) => g.step !== undefined || g.outages.length > 0 || g.budgetSeconds !== undefined)
      .map((g) => `${label(g)} ${s1(outagesMs(g.outages))}${g.budgetSeconds !== undefined ? ` (budget ${g.budgetSeconds} s)` : ''}`).join(', ')}`
    : '';
  const message = base + bySteps;

  // Over a budget only by outages the probe's own stalls explain: that part cannot be judged (an
  // infrastructure error, which --retries reruns), never a deployment failure.
  const stalled = stalledOutages(report);
  const judged = groups.map((g) => {
    const over = g.budgetSeconds !== undefined && outagesMs(g.outages) / 1000 > g.budgetSeconds;
    const judgeable = outagesMs(g.outages.filter((o) => !stalled.includes(o))) / 1000;
    return { ...g, over, unjudgeable: over && judgeable <= g.budgetSeconds!, judgeable };
  });
  const failed = judged.filter((g) => g.over && !g.unjudgeable);
  const unjudgeable = judged.filter((g) => g.unjudgeable);
  const overText = failed.map((g) => (label(g) ? `${label(g)} over its budget of ${g.budgetSeconds} s` : `over the budget of ${g.budgetSeconds} s`)).join('; ');
  const stallSeconds = (report.stalls ?? []).reduce((total, st) => total + (st.toMs - st.fromMs), 0) / 1000;
  const status = failed.length > 0 ? 'failed' : unjudgeable.length > 0 ? 'error' : 'passed';
  return {
    id: downtimeCheckId(name), kind: 'upgrade', status, durationMs: report.observedMs,
    message: status === 'failed'
      ? `${message}: ${overText}`
      : status === 'error'
        ? `${message}: cannot be judged: ${stalled.length} outage(s) overlap stalls of the probe itself (gategrid's process ran ${stallSeconds.toFixed(1)} s late in all: the host was overloaded), and the rest (${unjudgeable.map((g) => `${g.judgeable.toFixed(1)} s`).join(', ')}) is within the budget of ${unjudgeable.map((g) => `${g.budgetSeconds} s`).join(', ')}`
        : message,
    details: {
      url: report.url, downtimeMs: report.downtimeMs, requests: report.requests, failed: report.failed, longestMs: longest,
      outages: report.outages.map((o, i) => (steps[i] ? { ...o, step: steps[i] } : o)),
      ...(stepped ? { steps: judged.map((g) => ({ step: g.step ?? null, downtimeMs: outagesMs(g.outages), outages: g.outages.length, ...(g.budgetSeconds !== undefined ? { budgetSeconds: g.budgetSeconds } : {}) })) } : {}),
      ...(report.startedAt ? { startedAt: report.startedAt } : {}), ...(report.stalls ? { probeStalls: report.stalls } : {}),
    },
  };
}
