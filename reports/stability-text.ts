import { isRed } from '../harness/results/verdicts.ts';
import type { CellStatus } from '../harness/results/model.ts';
import { matrixAxes } from './matrix-axes.ts';
import { newestRunFirst, stability, type HistoryRow } from './stability-history.ts';

/** The stability matrix as a plain-text table: latest verdict and green runs per cell, then the red cells' repro commands. */
export function renderStabilityText(history: readonly HistoryRow[]): string {
  const cells = stability(history);
  const { scenarios, columns } = matrixAxes(newestRunFirst(history));
  const table = [['scenario', ...columns.map((c) => `${c.release}/${c.backend}`)]];
  for (const scenario of scenarios) {
    table.push([scenario, ...columns.map((col) => {
      const s = cells.get(`${scenario}/${col.release}/${col.backend}`);
      if (!s) return '-';
      return s.latest.status === 'skipped' ? 'skipped' : `${s.latest.status}${s.latest.known ? ' (known)' : ''} ${s.green}/${s.runs}${s.flaky > 0 ? ` (${s.flaky} flaky)` : ''}`;
    })]);
  }
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  const lines = table.map((row) => row.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd());
  const runs = new Set(history.map((r) => r.runId)).size;
  lines.push('', `${runs} run(s); each cell: latest verdict, green runs (passed or flaky) / runs with a verdict, last ten.`);
  for (const s of cells.values()) {
    if (isRed(s.latest.status as CellStatus)) lines.push(`  ${s.latest.cell} ${s.latest.status}${s.latest.known ? ` (known: ${s.latest.known})` : ''} in ${s.latest.runId}: ${s.latest.reason}`, `      reproduce: ${s.latest.repro}`);
  }
  return `${lines.join('\n')}\n`;
}
