import { existsSync } from 'node:fs';
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
  // The system's python3 first: a version manager's shim (pyenv) can take seconds to start on a busy host.
  const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  const r = spawnSync(python, ['-c', 'import re, sys\ntry:\n    re.compile(sys.argv[1])\nexcept re.error as e:\n    print(e); sys.exit(1)', text], { encoding: 'utf8', timeout: 30_000 });
  if (r.error === undefined && r.status === 0) return undefined;
  if (r.error === undefined && r.status === 1) return r.stdout.trim() || 'invalid';
  const why = (r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT' ? `${python} did not answer within 30 s` : r.error ? `no python3 here` : `${python} exited ${r.status}`;
  try {
    new RegExp(text);
    return undefined;
  } catch (error) {
    return `${why}; JavaScript says: ${(error as Error).message}`;
  }
}

export function formatTempestSelection(s: TempestSelection): string {
  return s.kind === 'regex' ? s.regex : s.kind;
}

/** An anchored, escaped regex matching exactly one test id (stestr include lists are regexes). */
export function exactTestRegex(id: string): string {
  return `^${id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;
}
