/** One column of a stability matrix: a release on a backend. */
export interface MatrixColumn {
  readonly release: string;
  readonly backend: string;
}

/**
 * The rows (scenarios) and columns (release × backend) of a matrix, each in the order it first
 * appears: a run lists its cells in the config's order, so the matrix reads as the config does.
 */
export function matrixAxes(cells: Iterable<{ scenario: string; release: string; backend: string }>): { scenarios: string[]; columns: MatrixColumn[] } {
  const scenarios: string[] = [];
  const columns: MatrixColumn[] = [];
  for (const c of cells) {
    if (!scenarios.includes(c.scenario)) scenarios.push(c.scenario);
    if (!columns.some((col) => col.release === c.release && col.backend === c.backend)) columns.push({ release: c.release, backend: c.backend });
  }
  return { scenarios, columns };
}
