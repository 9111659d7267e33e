import type { CellResult, CheckResult } from './model.ts';
import { isRed, isRedCheck } from './verdicts.ts';
import { linearRegex } from '../util/linear-regex.ts';

/**
 * Known failures, elastic-recheck style: signatures (regexes over a red check's id and message,
 * log lines included, since a log check's message carries its line) that name a bug. A red cell
 * whose every red check matches a signature that applies to it is `failed (known: <bug>)`: known,
 * never green unless the user asks for it. Signatures expire; one that also matches a check that
 * passed is too broad and is reported so.
 */
export interface KnownFailure {
  readonly id: string;
  readonly bug: string;
  readonly reason: string;
  /** Last day it applies (YYYY-MM-DD, UTC); none: until removed. */
  readonly expires?: string | undefined;
  /** Cell id globs (`*` any text): the cells it applies to; none: every cell. */
  readonly cells?: readonly string[] | undefined;
  /** A regex over the check id. */
  readonly check?: string | undefined;
  /** A regex over the check's message. */
  readonly message?: string | undefined;
}

export interface KnownHit {
  readonly id: string;
  readonly bug: string;
}

export function isExpired(k: KnownFailure, now: Date): boolean {
  return k.expires !== undefined && k.expires < now.toISOString().slice(0, 10);
}

function globToRegex(glob: string): RegExp {
  return linearRegex(`^${glob.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

export function appliesTo(k: KnownFailure, cellId: string): boolean {
  return !k.cells || k.cells.length === 0 || k.cells.some((g) => globToRegex(g).test(cellId));
}

export function matchesCheck(k: KnownFailure, check: Pick<CheckResult, 'id' | 'message'>): boolean {
  if (k.check !== undefined && !linearRegex(k.check).test(check.id)) return false;
  if (k.message !== undefined && !linearRegex(k.message).test(check.message ?? '')) return false;
  return true;
}

/**
 * The signatures that explain a red cell, when together they explain every red check (or, with no
 * red check, its reason); none otherwise. A green cell is never classified.
 */
export function classifyCell(cell: Pick<CellResult, 'id' | 'status' | 'reason' | 'checks'>, known: readonly KnownFailure[], now: Date): KnownHit[] {
  if (!isRed(cell.status)) return [];
  const active = known.filter((k) => !isExpired(k, now) && appliesTo(k, cell.id));
  if (active.length === 0) return [];
  const red = cell.checks.filter((c) => isRedCheck(c.status));
  const items = red.length > 0 ? red : [{ id: '', message: cell.reason ?? '' }];
  const hits = new Map<string, KnownHit>();
  for (const item of items) {
    const match = active.filter((k) => matchesCheck(k, item));
    if (match.length === 0) return [];
    for (const k of match) hits.set(k.id, { id: k.id, bug: k.bug });
  }
  return [...hits.values()];
}

/** Signatures (ids) that match a check of this cell that passed: too broad to trust. */
export function broadIn(cell: Pick<CellResult, 'id' | 'checks'>, known: readonly KnownFailure[], now: Date): string[] {
  return known.filter((k) => !isExpired(k, now) && appliesTo(k, cell.id) && cell.checks.some((c) => c.status === 'passed' && matchesCheck(k, c))).map((k) => k.id);
}

/**
 * Classifies a finished cell in place: `known` when the signatures fully explain it, `tooBroad`
 * with the signatures that also matched a check it passed. A cell classified before (a results.json
 * merged from elsewhere) keeps what its own run said.
 */
export function classify(cell: CellResult, known: readonly KnownFailure[], now: Date): void {
  if (known.length === 0 || cell.status === 'running' || cell.known !== undefined || cell.tooBroad !== undefined) return;
  const hits = classifyCell(cell, known, now);
  if (hits.length > 0) cell.known = hits;
  const broad = broadIn(cell, known, now);
  if (broad.length > 0) cell.tooBroad = broad;
}
