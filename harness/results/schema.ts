import { z } from 'zod';
import type { RunResult } from './model.ts';
import { formatFieldPath } from '../util/field-path.ts';

/**
 * results.json (schemaVersion 1) as a schema: what `gategrid report` accepts from other machines
 * and CI shards, so nothing malformed ever reaches the shared workbook. Mirrors model.ts; unknown
 * fields are allowed (later versions extend the model, never break it).
 */
const cellStatus = z.enum(['passed', 'failed', 'flaky', 'skipped', 'error', 'running']);
const detailsSchema = z.record(z.string(), z.unknown());

const phaseSchema = z.looseObject({
  name: z.string().min(1),
  status: z.enum(['passed', 'failed', 'skipped', 'error', 'interrupted']),
  startedAt: z.string(),
  durationMs: z.number().nonnegative(),
  message: z.string().optional(),
  details: detailsSchema.optional(),
});

const checkSchema = z.looseObject({
  id: z.string().min(1),
  kind: z.enum(['smoke', 'api', 'probe', 'runner', 'tempest', 'health', 'logs', 'upgrade']),
  status: z.enum(['passed', 'failed', 'skipped', 'error', 'flaky']),
  durationMs: z.number().nonnegative(),
  message: z.string().optional(),
  details: detailsSchema.optional(),
});

const cellSchema = z.looseObject({
  id: z.string().regex(/^[^/\s]+\/[^/\s]+\/[^/\s]+$/, 'expected SCENARIO/RELEASE/BACKEND'),
  scenario: z.string().min(1),
  release: z.string().min(1),
  backend: z.string().min(1),
  status: cellStatus,
  tier: z.enum(['blocking', 'informing', 'experimental']).optional(),
  tierReason: z.string().optional(),
  reason: z.string().optional(),
  startedAt: z.string().optional(),
  durationMs: z.number().nonnegative().optional(),
  scenarioRevision: z.string().optional(),
  images: z.record(z.string(), z.string()).optional(),
  imageIds: z.record(z.string(), z.string().regex(/^[0-9a-f]{12}$/)).optional(),
  attempts: z.array(z.looseObject({ attempt: z.number().int().positive(), status: cellStatus, startedAt: z.string(), durationMs: z.number().nonnegative() })).optional(),
  phases: z.array(phaseSchema),
  checks: z.array(checkSchema),
  repro: z.string(),
  artifacts: z.looseObject({ logs: z.string() }),
  endpoints: z.record(z.string(), z.string()).optional(),
  kept: z.boolean().optional(),
  known: z.array(z.looseObject({ id: z.string().min(1), bug: z.string() })).optional(),
  tooBroad: z.array(z.string()).optional(),
  newLogLines: z.looseObject({
    since: z.looseObject({ runId: z.string(), recordedAt: z.string() }),
    services: z.array(z.looseObject({ service: z.string(), lines: z.array(z.string()), more: z.number().int().nonnegative() })),
  }).optional(),
});

export const runResultSchema = z.looseObject({
  schemaVersion: z.literal(1),
  run: z.looseObject({
    id: z.string().min(1),
    startedAt: z.string(),
    finishedAt: z.string().optional(),
    durationMs: z.number().nonnegative().optional(),
    gategridVersion: z.string(),
    commit: z.string().optional(),
    status: z.enum(['passed', 'failed', 'error', 'interrupted']).optional(),
    argv: z.array(z.string()).optional(),
    report: z.string().optional(),
  }),
  cells: z.array(cellSchema),
});

/** Parses a results.json value; the problem names the cell (by id when it has one) and the field. */
export function parseRunResult(data: unknown): { ok: true; run: RunResult } | { ok: false; problem: string } {
  const result = runResultSchema.safeParse(data);
  if (result.success) return { ok: true, run: result.data as unknown as RunResult };
  const issue = result.error.issues[0]!;
  const p = issue.path;
  let where = formatFieldPath(p);
  if (p[0] === 'cells' && typeof p[1] === 'number') {
    const id = (data as { cells?: Array<{ id?: unknown }> }).cells?.[p[1]]?.id;
    if (typeof id === 'string') where = `cell ${id}: ${formatFieldPath(p.slice(2)) || '(the cell)'}`;
  }
  const more = result.error.issues.length > 1 ? ` (and ${result.error.issues.length - 1} more problem(s))` : '';
  return { ok: false, problem: `${where || '(top level)'}: ${issue.message}${more}` };
}
