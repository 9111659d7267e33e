import type { StopWindow } from '../checks/stop-windows.ts';
import type { DowntimeReport } from '../results/downtime.ts';

/**
 * Where an outage sat in the upgrade, for the one who reads a downtime: inside a service's stop
 * window ("during keystone's upgrade"), or shortly after one ("3.2 s after nova-compute's
 * upgrade": a restarted service's first work, such as nova-compute re-plugging its guests' ports).
 * The windows are those the service checks recorded (checks/stop-windows.ts's windowsOf); nothing
 * when no window is near.
 */
export const AFTER_MS = 30_000;

/** The window a moment fell in, or the one that ended at most AFTER_MS before it (the latest); undefined when none is near. */
export function windowNear(atMs: number, windows: readonly StopWindow[]): { window: StopWindow; afterMs: number } | undefined {
  const during = windows.find((w) => atMs >= w.fromMs && atMs <= w.toMs);
  if (during) return { window: during, afterMs: 0 };
  const before = windows.filter((w) => w.toMs < atMs && atMs - w.toMs <= AFTER_MS).sort((a, b) => b.toMs - a.toMs)[0];
  return before ? { window: before, afterMs: atMs - before.toMs } : undefined;
}

/** "during keystone's upgrade", "3.2 s after nova-compute's upgrade", or undefined. */
export function outageContext(report: DowntimeReport, windows: readonly StopWindow[]): string | undefined {
  const first = report.outages[0];
  if (!first || !report.startedAt) return undefined;
  const near = windowNear(Date.parse(report.startedAt) + first.fromMs, windows);
  if (!near) return undefined;
  return near.afterMs === 0 ? `during ${near.window.service}'s upgrade` : `${(near.afterMs / 1000).toFixed(1)} s after ${near.window.service}'s upgrade`;
}
