/** One column of a stability matrix: a release on a backend. */
export interface MatrixColumn {
  readonly release: string;
  readonly backend: string;
}

/**
 * The rows (scenarios) and columns (release × backend) of a matrix. Each run lists its cells in its
 * config's order (the releases as the releases file orders them); a history merges those orders, so
 * a newer run that had only zed and 2025.1 does not put them before an older run's victoria. Where
 * the runs disagree the earlier-listed (newer) run wins; what no run orders keeps first appearance.
 */
export function matrixAxes(cells: Iterable<{ scenario: string; release: string; backend: string; runId?: string }>): { scenarios: string[]; columns: MatrixColumn[] } {
  const scenarioRuns = new Map<string, string[]>();
  const columnRuns = new Map<string, string[]>();
  const columns = new Map<string, MatrixColumn>();
  for (const c of cells) {
    const run = c.runId ?? '';
    const key = `${c.release}\u0000${c.backend}`;
    columns.set(key, { release: c.release, backend: c.backend });
    for (const [map, value] of [[scenarioRuns, c.scenario], [columnRuns, key]] as const) {
      const list = map.get(run) ?? [];
      if (!list.includes(value)) list.push(value);
      map.set(run, list);
    }
  }
  return {
    scenarios: mergedOrder([...scenarioRuns.values()]),
    columns: mergedOrder([...columnRuns.values()]).map((k) => columns.get(k)!),
  };
}

/**
 * One order from several partial ones (a topological merge): a before b when some sequence puts it
 * there and no earlier sequence said otherwise; among the free, first appearance.
 */
export function mergedOrder(sequences: readonly (readonly string[])[]): string[] {
  const appearance: string[] = [];
  for (const seq of sequences) for (const x of seq) if (!appearance.includes(x)) appearance.push(x);
  const before = new Map<string, Set<string>>(appearance.map((x) => [x, new Set<string>()]));
  const reaches = (from: string, to: string): boolean => {
    const seen = new Set<string>();
    const stack = [from];
    while (stack.length > 0) {
      const x = stack.pop()!;
      if (x === to) return true;
      if (seen.has(x)) continue;
      seen.add(x);
      stack.push(...before.get(x)!);
    }
    return false;
  };
  for (const seq of sequences) {
    for (let i = 0; i + 1 < seq.length; i++) {
      const [a, b] = [seq[i]!, seq[i + 1]!];
      // An edge that contradicts an earlier (newer) sequence is dropped.
      if (!reaches(b, a)) before.get(a)!.add(b);
    }
  }
  const indegree = new Map(appearance.map((x) => [x, 0]));
  for (const next of before.values()) for (const y of next) indegree.set(y, indegree.get(y)! + 1);
  const out: string[] = [];
  const free = appearance.filter((x) => indegree.get(x) === 0);
  while (free.length > 0) {
    free.sort((a, b) => appearance.indexOf(a) - appearance.indexOf(b));
    const x = free.shift()!;
    out.push(x);
    for (const y of before.get(x)!) {
      indegree.set(y, indegree.get(y)! - 1);
      if (indegree.get(y) === 0) free.push(y);
    }
  }
  return out;
}
