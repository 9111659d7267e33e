import type { StopWindow } from '../checks/stop-windows.ts';
import type { DowntimeReport } from '../results/downtime.ts';

/**
 * Where an outage sat in the upgrade, for the one who reads a downtime: inside a service's stop
 * window ("during keystone's upgrade"), or shortly after one ("3.2 s after nova-compute's
 * upgrade": a restarted service's first work, such as nova-compute re-plugging its guests' ports).
 * The windows are those the service checks recorded (checks/stop-windows.ts's windowsOf); nothing
 * when no window is near.
 */
const AFTER_MS = 30_000;

/** "during keystone's upgrade", "3.2 s after nova-compute's upgrade", or undefined. */
export function outageContext(report: DowntimeReport, windows: readonly StopWindow[]): string | undefined {
  const first = report.outages[0];
  if (!first || !report.startedAt) return undefined;
  const at = Date.parse(report.startedAt) + first.fromMs;
  const during = windows.find((w) => at >= w.fromMs && at <= w.toMs);
  if (during) return `during ${during.service}'s upgrade`;
  const before = windows.filter((w) => w.toMs < at && at - w.toMs <= AFTER_MS).sort((a, b) => b.toMs - a.toMs)[0];
  return before ? `${((at - before.toMs) / 1000).toFixed(1)} s after ${before.service}'s upgrade` : undefined;
}
