import { UsageError } from '../harness/errors.ts';

/** Which Tempest tests a cell runs: none, the smoke set, or the tests whose id matches a regex. */
export type TempestSelection = { readonly kind: 'none' } | { readonly kind: 'smoke' } | { readonly kind: 'regex'; readonly regex: string };

export function parseTempestSelection(text: string, source = '--tempest'): TempestSelection {
  if (text === 'none') return { kind: 'none' };
  if (text === 'smoke') return { kind: 'smoke' };
  try {
    new RegExp(text);
  } catch (cause) {
    throw new UsageError(`${source} ${text}: not a valid regex; expected smoke, none or a regex such as '^tempest\\.api\\.identity\\.'`, { cause });
  }
  return { kind: 'regex', regex: text };
}

export function formatTempestSelection(s: TempestSelection): string {
  return s.kind === 'regex' ? s.regex : s.kind;
}

/** An anchored, escaped regex matching exactly one test id (stestr include lists are regexes). */
export function exactTestRegex(id: string): string {
  return `^${id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;
}
