import { readFile } from 'node:fs/promises';
import type { AllowEntry } from '../config/schemas.ts';
import { verify, type Check } from './check.ts';

/**
 * Log scanning: a container's log fails its cell when it holds a CRITICAL line or a Python traceback
 * that no allow-list entry (kept as data per service, each with a reason) explains.
 */
export interface LogFinding {
  readonly line: number;
  readonly kind: 'critical' | 'traceback';
  readonly text: string;
}

const CRITICAL = /\bCRITICAL\b/;
const TRACEBACK = /Traceback \(most recent call last\):/;
/** Lines of a traceback block, after its header: indented frames and the exception line. */
const MAX_TRACEBACK_LINES = 200;

export function scanLog(text: string, allow: readonly AllowEntry[]): LogFinding[] {
  const patterns = allow.map((a) => new RegExp(a.pattern));
  const lines = text.split('\n');
  const findings: LogFinding[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (TRACEBACK.test(line)) {
      // The block: the header, indented frames, then the exception line (first non-indented line).
      let end = i + 1;
      while (end < lines.length && end - i < MAX_TRACEBACK_LINES && /^\s/.test(stripPrefix(lines[end]!))) end++;
      const block = lines.slice(Math.max(0, i - 1), Math.min(lines.length, end + 1)).join('\n');
      if (!patterns.some((p) => p.test(block))) findings.push({ line: i + 1, kind: 'traceback', text: (lines[end] ?? line).trim().slice(0, 300) });
      i = end;
      continue;
    }
    if (CRITICAL.test(line) && !patterns.some((p) => p.test(line))) findings.push({ line: i + 1, kind: 'critical', text: line.trim().slice(0, 300) });
  }
  return findings;
}

/** oslo.log prefixes every line of a traceback with the record's header; frames follow it. */
function stripPrefix(line: string): string {
  const m = /^\S+ \S+ \d+ \w+ \S+ (?:\[[^\]]*\] )?(.*)$/.exec(line);
  return m ? m[1]! : line;
}

export interface LogContext {
  readonly logFile: (container: string) => string;
}

export function logChecks(containers: readonly string[], owners: ReadonlyMap<string, string>, allow: ReadonlyMap<string, readonly AllowEntry[]>): Check<LogContext>[] {
  return containers.map((name) => ({
    id: `logs.${name}`, kind: 'logs' as const,
    async run(ctx: LogContext) {
      const file = ctx.logFile(name);
      const text = await readFile(file, 'utf8').catch(() => '');
      const findings = scanLog(text, allow.get(owners.get(name) ?? name) ?? []);
      const first = findings[0];
      verify(first === undefined, `${findings.length} unexplained error line(s) in ${file}; first at line ${first?.line}: ${first?.text}`, { findings: findings.slice(0, 20) });
      return { message: `${text.split('\n').length - 1} lines scanned` };
    },
  }));
}
