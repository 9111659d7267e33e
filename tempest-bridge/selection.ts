import { spawnSync } from 'node:child_process';
import { UsageError } from '../harness/errors.ts';

/** Which Tempest tests a cell runs: none, the smoke set, or the tests whose id matches a regex. */
export type TempestSelection = { readonly kind: 'none' } | { readonly kind: 'smoke' } | { readonly kind: 'regex'; readonly regex: string };

export function parseTempestSelection(text: string, source = '--tempest'): TempestSelection {
  if (text === 'none') return { kind: 'none' };
  if (text === 'smoke') return { kind: 'smoke' };
  const problem = pythonRegexProblem(text);
  if (problem !== undefined) {
    throw new UsageError(`${source} ${text}: not a valid regex for Tempest (Python's re: ${problem}); expected smoke, none or a regex such as '^tempest\\.api\\.identity\\.'`);
  }
  return { kind: 'regex', regex: text };
}

/**
 * Tempest (stestr) reads the selection with Python's `re`, whose dialect differs from JavaScript's
 * (`(?P<name>...)`, `(?i)` valid there). Checked with the host's python3; JavaScript's RegExp is the
 * fallback where there is none, said as such.
 */
export function pythonRegexProblem(text: string): string | undefined {
  const r = spawnSync('python3', ['-c', 'import re, sys\ntry:\n    re.compile(sys.argv[1])\nexcept re.error as e:\n    print(e); sys.exit(1)', text], { encoding: 'utf8', timeout: 10_000 });
  if (r.error === undefined && r.status === 0) return undefined;
  if (r.error === undefined && r.status === 1) return r.stdout.trim() || 'invalid';
  try {
    new RegExp(text);
    return undefined;
  } catch (error) {
    return `no python3 here; JavaScript says: ${(error as Error).message}`;
  }
}

export function formatTempestSelection(s: TempestSelection): string {
  return s.kind === 'regex' ? s.regex : s.kind;
}

/** An anchored, escaped regex matching exactly one test id (stestr include lists are regexes). */
export function exactTestRegex(id: string): string {
  return `^${id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;
}
