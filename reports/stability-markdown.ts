import type { CellStatus } from '../harness/results/model.ts';
import { isRed } from '../harness/results/verdicts.ts';
import { matrixAxes } from './matrix-axes.ts';
import { newestRunFirst, stability, type HistoryRow } from './stability-history.ts';

const MARK: Record<string, string> = { passed: '🟢', flaky: '🟡', failed: '🔴', error: '🟣', skipped: '⚪' };

/** Escapes text for a Markdown table cell or inline code. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/**
 * The stability matrix as Markdown, for a CI job summary page or a review comment: the table
 * (latest verdict, green runs of the last ten), then every red cell with its reason and the one
 * command that reproduces it.
 */
export function renderStabilityMarkdown(history: readonly HistoryRow[]): string {
  const cells = stability(history);
  const { scenarios, columns } = matrixAxes(newestRunFirst(history));
  const lines = [
    '## gategrid stability matrix', '',
    `| scenario | ${columns.map((c) => `${c.release} / ${c.backend}`).join(' | ')} |`,
    `|---|${columns.map(() => '---').join('|')}|`,
  ];
  for (const scenario of scenarios) {
    lines.push(`| ${scenario} | ${columns.map((col) => {
      const s = cells.get(`${scenario}/${col.release}/${col.backend}`);
      if (!s) return '–';
      return `${MARK[s.latest.status] ?? ''} ${s.latest.status}${s.latest.known ? ' (known)' : ''}${s.latest.status === 'skipped' ? '' : ` ${s.green}/${s.runs}`}${s.flaky > 0 ? ` (${s.flaky} flaky)` : ''}`;
    }).join(' | ')} |`);
  }
  const runs = new Set(history.map((r) => r.runId)).size;
  lines.push('', `${runs} run(s). Each cell: latest verdict, green runs (passed or flaky) out of the last ten that gave a verdict.`);
  const red = [...cells.values()].filter((s) => isRed(s.latest.status as CellStatus));
  if (red.length > 0) {
    lines.push('', '### Red cells', '');
    for (const s of red) {
      lines.push(`- **${s.latest.cell}** ${s.latest.status}${s.latest.tier && s.latest.tier !== 'blocking' ? ` (${s.latest.tier}: fails no gate)` : ''}${s.latest.known ? ` (known: ${cell(s.latest.known)})` : ''} in run \`${s.latest.runId}\`: ${cell(s.latest.reason || s.latest.status)}`, '', '  ```', `  ${s.latest.repro}`, '  ```');
    }
  }
  return `${lines.join('\n')}\n`;
}
