import { newestRunFirst, type HistoryRow } from './stability-history.ts';

/**
 * A release's go/no-go, as Kubernetes' release-blocking criteria are numeric: per release and
 * backend, from the history the stability matrix keeps, every cell of it judged against the
 * config's criteria (its last runs green, a pass rate over a window, a bound on consecutive
 * failures and on its duration). Skipped results are no evidence either way; a release with no
 * judged run is no-go ("no evidence").
 */
export interface ReleaseCriteria {
  /** Each cell's last this many judged runs green (passed or flaky). */
  readonly lastGreen: number;
  /** At least this share (percent) of each cell's last `window` judged runs green. */
  readonly passRatePercent: number;
  readonly window: number;
  /** No cell red more than this many runs in a row (newest first). */
  readonly maxConsecutiveFailures: number;
  /** The 90th percentile of the cells' durations over the window, at most this (minutes); none: not judged. */
  readonly maxDurationMinutes?: number | undefined;
  /** A red result explained by known failures counts as green. */
  readonly knownCountsGreen: boolean;
}

export interface ReleaseReadiness {
  readonly release: string;
  readonly backend: string;
  readonly go: boolean;
  /** Each failed criterion, with the cells that fail it. */
  readonly reasons: readonly string[];
  readonly cells: number;
  readonly runs: number;
}

const green = (r: HistoryRow, c: ReleaseCriteria) => r.status === 'passed' || r.status === 'flaky' || (c.knownCountsGreen && r.known !== '');

export function releaseReadiness(history: readonly HistoryRow[], criteria: ReleaseCriteria): ReleaseReadiness[] {
  const groups = new Map<string, HistoryRow[]>();
  for (const row of history) {
    const key = `${row.release}\u0000${row.backend}`;
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  return [...groups.entries()].map(([key, rows]) => {
    const [release, backend] = key.split('\u0000') as [string, string];
    const byCell = new Map<string, HistoryRow[]>();
    // The history holds runs in the order they were merged, oldest first.
    for (const r of newestRunFirst(rows)) if (r.status !== 'skipped') byCell.set(r.cell, [...(byCell.get(r.cell) ?? []), r]);
    const reasons: string[] = [];
    const failing = (what: string, cells: string[]) => { if (cells.length > 0) reasons.push(`${what}: ${cells.join(', ')}`); };
    if (byCell.size === 0) reasons.push('no evidence: no cell of it has run');
    const newest = (cell: string) => byCell.get(cell)!;
    const cells = [...byCell.keys()].sort();
    failing(`not green in each of its last ${criteria.lastGreen} runs`, cells.filter((cell) => {
      const last = newest(cell).slice(0, criteria.lastGreen);
      return last.length < criteria.lastGreen || last.some((r) => !green(r, criteria));
    }));
    failing(`under ${criteria.passRatePercent} % green over its last ${criteria.window} runs`, cells.filter((cell) => {
      const w = newest(cell).slice(0, criteria.window);
      return (100 * w.filter((r) => green(r, criteria)).length) / w.length < criteria.passRatePercent;
    }));
    failing(`red more than ${criteria.maxConsecutiveFailures} runs in a row`, cells.filter((cell) => {
      const streak = newest(cell).findIndex((r) => green(r, criteria));
      return (streak === -1 ? newest(cell).length : streak) > criteria.maxConsecutiveFailures;
    }));
    if (criteria.maxDurationMinutes !== undefined) {
      const durations = cells.flatMap((cell) => newest(cell).slice(0, criteria.window).map((r) => r.durationS)).sort((a, b) => a - b);
      const p90 = durations[Math.min(durations.length - 1, Math.ceil(0.9 * durations.length) - 1)] ?? 0;
      if (p90 / 60 > criteria.maxDurationMinutes) reasons.push(`cells take ${(p90 / 60).toFixed(1)} min at the 90th percentile, over ${criteria.maxDurationMinutes} min`);
    }
    return { release, backend, go: reasons.length === 0, reasons, cells: cells.length, runs: new Set(rows.map((r) => r.runId)).size };
  });
}

/** A shields-style SVG badge: "<release>/<backend> | go" (green) or "no-go" (red). */
export function readinessBadge(r: ReleaseReadiness): string {
  const left = `${r.release}/${r.backend}`;
  const right = r.go ? 'go' : 'no-go';
  const lw = 10 + left.length * 7;
  const rw = 10 + right.length * 7;
  const color = r.go ? '#1a7f37' : '#cf222e';
  const esc = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${lw + rw}" height="20" role="img" aria-label="${esc(left)}: ${right}"><title>${esc(left)}: ${right}${r.reasons.length > 0 ? ` (${esc(r.reasons.join('; '))})` : ''}</title><rect width="${lw}" height="20" fill="#555"/><rect x="${lw}" width="${rw}" height="20" fill="${color}"/><g fill="#fff" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11"><text x="5" y="14">${esc(left)}</text><text x="${lw + 5}" y="14">${right}</text></g></svg>\n`;
}
