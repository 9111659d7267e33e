/** How much of a run's red the known-failure signatures explain (elastic-recheck's classification rate), as one line. */
import { isRed } from '../harness/results/verdicts.ts';
import type { RunResult } from '../harness/results/model.ts';

/** "2 red cell(s): 1 explained by known-failure signatures (50 %), 1 unknown", or '' for a run with no red cell. */
export function redShareLine(run: RunResult): string {
  const red = run.cells.filter((c) => isRed(c.status));
  if (red.length === 0) return '';
  const known = red.filter((c) => (c.known ?? []).length > 0).length;
  return `${red.length} red cell(s): ${known} explained by known-failure signatures (${Math.round((100 * known) / red.length)} %), ${red.length - known} unknown`;
}
