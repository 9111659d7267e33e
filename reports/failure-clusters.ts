import { isRed } from '../harness/results/verdicts.ts';
import { maskVarying } from '../harness/results/masking.ts';
import type { HistoryRow } from './stability-history.ts';

/**
 * Failures grouped across cells and runs, as Kubernetes' Triage clusters failure text: a red cell's
 * reason (its first red check and message) with everything that varies from run to run masked
 * (times, UUIDs and other ids, addresses, ports, paths, numbers) is its cluster's signature. The
 * clusters say how often, where and since when each failure happens, and how much of the red known
 * signatures explain; the unknown ones, largest first, are what to triage next.
 */
export interface FailureCluster {
  readonly signature: string;
  readonly count: number;
  readonly cells: readonly string[];
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly example: { readonly runId: string; readonly cell: string; readonly reason: string };
  /** Every red result in it is explained by a known-failure signature. */
  readonly known: boolean;
}

/** The red results of a history grouped by masked reason, the largest cluster first (ties: the newest). */
export function failureClusters(history: readonly HistoryRow[]): FailureCluster[] {
  const groups = new Map<string, HistoryRow[]>();
  for (const row of history) {
    if (!isRed(row.status)) continue;
    const signature = maskVarying(row.reason || row.status);
    groups.set(signature, [...(groups.get(signature) ?? []), row]);
  }
  return [...groups.entries()].map(([signature, rows]) => {
    const byTime = [...rows].sort((a, b) => a.startedAt.localeCompare(b.startedAt));
    const last = byTime.at(-1)!;
    return {
      signature, count: rows.length,
      cells: [...new Set(rows.map((r) => r.cell))].sort(),
      firstSeen: byTime[0]!.startedAt, lastSeen: last.startedAt,
      example: { runId: last.runId, cell: last.cell, reason: last.reason },
      known: rows.every((r) => r.known !== ''),
    };
  }).sort((a, b) => b.count - a.count || b.lastSeen.localeCompare(a.lastSeen));
}

/** How much of the red known signatures explain: red results, and how many of them are known. */
export function knownShare(history: readonly HistoryRow[]): { red: number; known: number } {
  const red = history.filter((r) => isRed(r.status));
  return { red: red.length, known: red.filter((r) => r.known !== '').length };
}
