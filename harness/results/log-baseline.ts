/**
 * New log lines (issue 25, after Zuul's log analysis): a green cell's service logs are kept in a
 * compact form, each line masked (results/masking.ts) and hashed, and a red cell of the same
 * scenario, release and backend shows first the lines (masked the same way) that its last green
 * run never had: usually the failure and its cause, without reading the whole log. Only hashes
 * are kept: no line, and no secret, of a green run is stored.
 */
import { createHash } from 'node:crypto';
import { maskVarying } from './masking.ts';

/** A green run's logs, compact: per service (its log file's name), the sorted hashes of its masked lines. */
export interface LogBaseline {
  readonly cell: string;
  readonly runId: string;
  readonly recordedAt: string;
  readonly services: Readonly<Record<string, readonly string[]>>;
}

/** What a red cell's logs hold that its last green run's never did. */
export interface NewLogLines {
  readonly since: { readonly runId: string; readonly recordedAt: string };
  readonly services: ReadonlyArray<{ readonly service: string; readonly lines: readonly string[]; readonly more: number }>;
}

const hash = (masked: string): string => createHash('sha256').update(masked).digest('hex').slice(0, 12);

/** The distinct masked lines of a log, hashed, sorted. */
export function lineHashes(text: string): string[] {
  const out = new Set<string>();
  for (const line of text.split('\n')) {
    const masked = maskVarying(line);
    if (masked !== '') out.add(hash(masked));
  }
  return [...out].sort();
}

/**
 * The lines of `text` whose masked form `known` lacks, each masked form once, in order: at most
 * `limit` (each cut to 500 characters), the rest counted. Services of the red run absent from the
 * baseline are all new; services of the baseline absent now are not reported.
 */
export function newLines(text: string, known: ReadonlySet<string>, limit = 30): { lines: string[]; more: number } {
  const seen = new Set<string>();
  const lines: string[] = [];
  let more = 0;
  for (const line of text.split('\n')) {
    const masked = maskVarying(line);
    if (masked === '') continue;
    const h = hash(masked);
    if (known.has(h) || seen.has(h)) continue;
    seen.add(h);
    if (lines.length < limit) lines.push(line.length > 500 ? `${line.slice(0, 500)}…` : line);
    else more++;
  }
  return { lines, more };
}

/** Compares a red cell's logs (service → text) with a baseline; undefined when nothing is new. */
export function compareWithBaseline(logs: ReadonlyMap<string, string>, baseline: LogBaseline, limit = 30): NewLogLines | undefined {
  const services = [...logs].sort(([a], [b]) => a.localeCompare(b)).flatMap(([service, text]) => {
    const found = newLines(text, new Set(baseline.services[service] ?? []), limit);
    return found.lines.length > 0 ? [{ service, ...found }] : [];
  });
  return services.length === 0 ? undefined : { since: { runId: baseline.runId, recordedAt: baseline.recordedAt }, services };
}
