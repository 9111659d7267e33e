import type { PhaseResult } from '../harness/results/model.ts';

export interface PathStep {
  readonly name: string;
  readonly startMs: number;
  readonly endMs: number;
  /** Time between the end of the step before it on the path and its own start (scheduling, waiting). */
  readonly gapMs: number;
}

/**
 * The chain of deploy steps that set the deploy's time: from the step that ended last, back through
 * the dependency that ended last before it started, to a step with none. `deps` is the plan's
 * graph (step name → the names it waits for).
 */
export function criticalPath(phases: readonly PhaseResult[], deps: ReadonlyMap<string, readonly string[]>): PathStep[] {
  const steps = new Map(phases.filter((p) => p.name.startsWith('deploy/')).map((p) => {
    const start = Date.parse(p.startedAt);
    return [p.name.slice('deploy/'.length), { start, end: start + p.durationMs }] as const;
  }));
  if (steps.size === 0) return [];
  let current = [...steps].reduce((a, b) => (b[1].end > a[1].end ? b : a))[0];
  const chain: PathStep[] = [];
  for (let guard = 0; guard < steps.size; guard++) {
    const s = steps.get(current)!;
    const before = (deps.get(current) ?? []).filter((d) => steps.has(d)).sort((a, b) => steps.get(b)!.end - steps.get(a)!.end)[0];
    chain.unshift({ name: current, startMs: s.start, endMs: s.end, gapMs: before ? Math.max(0, s.start - steps.get(before)!.end) : 0 });
    if (!before) break;
    current = before;
  }
  return chain;
}
