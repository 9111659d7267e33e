/** A JUnit XML results file (the format most test runners write) read into test outcomes. */
import type { RunnerTest } from './runner-test.ts';

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const decode = (text: string) => text.replace(/&(lt|gt|amp|quot|apos|#(\d+)|#x([0-9a-fA-F]+));/g, (_, name: string, dec?: string, hex?: string) =>
  dec ? String.fromCodePoint(Number(dec)) : hex ? String.fromCodePoint(parseInt(hex, 16)) : ENTITIES[name]!);
const attr = (attrs: string, name: string) => {
  const m = new RegExp(`\\b${name}="([^"]*)"`).exec(attrs);
  return m ? decode(m[1]!) : undefined;
};

/**
 * Every <testcase> of the file, wherever its suites nest: failed with a <failure>, error with an
 * <error>, skipped with a <skipped>, else passed; `time` in seconds. No DTD, no entity beyond XML's own.
 */
export function parseJunit(xml: string): RunnerTest[] {
  const tests: RunnerTest[] = [];
  const cases = /<testcase\b([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g;
  for (const m of xml.matchAll(cases)) {
    const attrs = m[1]!;
    const body = m[3] ?? '';
    const name = attr(attrs, 'name') ?? '(unnamed)';
    const classname = attr(attrs, 'classname');
    const durationMs = Math.round(Number(attr(attrs, 'time') ?? 0) * 1000) || 0;
    const outcome = /<(failure|error|skipped)\b([^>]*?)(?:\/>|>([\s\S]*?)<\/\1>)/.exec(body);
    const kind = outcome?.[1];
    const detail = outcome ? [attr(outcome[2]!, 'message'), outcome[3] ? decode(outcome[3].replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, '$1')).trim() : undefined].filter(Boolean).join(': ') : undefined;
    tests.push({
      name: classname ? `${classname}.${name}` : name,
      status: kind === 'failure' ? 'failed' : kind === 'error' ? 'error' : kind === 'skipped' ? 'skipped' : 'passed',
      durationMs,
      ...(detail ? { message: detail } : {}),
    });
  }
  return tests;
}
