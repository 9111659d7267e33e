import { checkIds, type HistoryRow } from './stability-history.ts';

/** One check's flakiness over the history (Tempest tests included: each is a check). */
export interface CheckFlakiness {
  readonly check: string;
  readonly cells: readonly string[];
  /** Runs in which it flaked: failed then passed in the same run, or failed where another run of the same commit and scenario revision passed it. */
  readonly flakes: number;
  /** Runs of its cells that ran checks: the denominator. */
  readonly judged: number;
  readonly rate: number;
  /** Flake rate over the newest `trendWindow` judged runs, and over the ones before them. */
  readonly recentRate: number;
  readonly olderRate: number;
  readonly trend: 'rising' | 'falling' | 'steady' | 'new';
  /** The newest run it flaked in. */
  readonly lastFlake: string;
}


/**
 * Ranks checks by flake rate over the history. A check that passed and failed on the same commit
 * and scenario revision is a flake (the code under test did not change, the verdict did), and so is
 * a check marked flaky in a run (it failed, then passed when run again). Only checks that flaked at
 * least once are listed, flakiest first.
 */
export function checkFlakiness(history: readonly HistoryRow[], trendWindow = 10): CheckFlakiness[] {
  const judgedRows = history.filter((r) => r.status !== 'skipped' && r.checksRun > 0);
  // Same code, same scenario: the rows whose verdicts may be compared.
  const sameCode = new Map<string, HistoryRow[]>();
  for (const r of judgedRows) {
    if (!r.commit) continue;
    const key = `${r.cell}\u0000${r.commit}\u0000${r.scenarioRevision}`;
    sameCode.set(key, [...(sameCode.get(key) ?? []), r]);
  }
  const failedSets = new Map(judgedRows.map((r) => [r, new Set(checkIds(r.failedChecks))]));
  const passedIn = (check: string, r: HistoryRow, than: HistoryRow): boolean =>
    !failedSets.get(r)!.has(check) && (r.status === 'passed' || r.status === 'flaky' || r.checksRun >= than.checksRun);

  const flakedIn = new Map<string, Set<HistoryRow>>();
  const cellsOf = new Map<string, Set<string>>();
  const note = (check: string, r: HistoryRow) => {
    flakedIn.set(check, (flakedIn.get(check) ?? new Set()).add(r));
  };
  for (const r of judgedRows) {
    for (const check of [...checkIds(r.flakyChecks), ...failedSets.get(r)!]) cellsOf.set(check, (cellsOf.get(check) ?? new Set()).add(r.cell));
    for (const check of checkIds(r.flakyChecks)) note(check, r);
    const peers = r.commit ? sameCode.get(`${r.cell}\u0000${r.commit}\u0000${r.scenarioRevision}`) ?? [] : [];
    for (const check of failedSets.get(r)!) {
      if (peers.some((p) => p !== r && passedIn(check, p, r))) note(check, r);
    }
  }
  const out: CheckFlakiness[] = [];
  for (const [check, rows] of flakedIn) {
    const cells = [...cellsOf.get(check)!].sort();
    // Oldest first (the history's order), so the newest are at the end.
    const judged = judgedRows.filter((r) => cells.includes(r.cell));
    const rate = (list: readonly HistoryRow[]) => (list.length === 0 ? 0 : list.filter((r) => rows.has(r)).length / list.length);
    const recent = judged.slice(-trendWindow);
    const older = judged.slice(-2 * trendWindow, -trendWindow);
    const recentRate = rate(recent);
    const olderRate = rate(older);
    out.push({
      check, cells, flakes: rows.size, judged: judged.length, rate: rate(judged), recentRate, olderRate,
      trend: older.length === 0 ? 'new' : Math.abs(recentRate - olderRate) < 0.05 ? 'steady' : recentRate > olderRate ? 'rising' : 'falling',
      lastFlake: [...rows].at(-1)!.runId,
    });
  }
  return out.sort((a, b) => b.rate - a.rate || b.flakes - a.flakes || a.check.localeCompare(b.check));
}
