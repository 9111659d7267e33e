import { readFile } from 'node:fs/promises';
import type { AllowEntry } from '../config/schemas.ts';
import { verify, type Check } from './check.ts';

/**
 * Log scanning: a container's log fails its cell when it holds a CRITICAL line, a Python traceback
 * or a crash (a segmentation fault, a fatal Python error, a core dump, a uWSGI worker killed by a
 * signal) that no allow-list entry
 * (kept as data per service, each with a reason) explains.
 */
export interface LogFinding {
  readonly line: number;
  readonly kind: 'critical' | 'traceback' | 'crash';
  readonly text: string;
}

const CRITICAL = /\bCRITICAL\b/;
/**
 * A traceback's header starts its line (after the log prefix). oslo.messaging's RemoteError carries
 * the remote side's traceback as a Python list repr (`['Traceback (most recent call last):\n', ...`):
 * that is part of the exception's message, not a second traceback.
 */
const TRACEBACK_HEADER = /^\s*Traceback \(most recent call last\):/;
const isTracebackHeader = (line: string): boolean => TRACEBACK_HEADER.test(stripPrefix(line));
/** Crashes, uWSGI's worker deaths ("DAMN ! worker 2 (pid: 31) died, killed by signal 9") and signals ("!!! uWSGI process 12 got Segmentation Fault !!!") included, as Kolla's check-logs counts them. */
const CRASH = /Segmentation [Ff]ault|\bsegfault\b|Fatal Python error|core dumped|DAMN ! worker \d+ \(pid: \d+\) died|!!! uWSGI process \d+ got /;
/** Lines of a traceback block, after its header: indented frames and the exception line. */
const MAX_TRACEBACK_LINES = 200;

export function scanLog(text: string, allow: readonly AllowEntry[]): LogFinding[] {
  const patterns = allow.map((a) => new RegExp(a.pattern));
  const lines = text.split('\n');
  const findings: LogFinding[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (isTracebackHeader(line)) {
      // A traceback group: chained tracebacks ("During handling of the above exception...") are one
      // error, judged by its header (the line before) and its final exception line.
      let block = tracebackBlock(lines, i);
      for (let next = chainedTraceback(lines, block.exceptionLine); next !== undefined; next = chainedTraceback(lines, block.exceptionLine)) {
        block = tracebackBlock(lines, next);
      }
      const exception = stripPrefix(lines[block.exceptionLine] ?? line).trim();
      const judged = `${i > 0 ? lines[i - 1] : ''}\n${exception}`;
      if (!patterns.some((p) => p.test(judged))) findings.push({ line: i + 1, kind: 'traceback', text: exception.slice(0, 300) });
      i = block.exceptionLine;
      continue;
    }
    if (CRITICAL.test(line) && !patterns.some((p) => p.test(line))) findings.push({ line: i + 1, kind: 'critical', text: line.trim().slice(0, 300) });
    else if (CRASH.test(line) && !patterns.some((p) => p.test(line))) findings.push({ line: i + 1, kind: 'crash', text: line.trim().slice(0, 300) });
  }
  return findings;
}

/** From a "Traceback" header: its indented frames, then the exception line (the first one not indented). */
function tracebackBlock(lines: readonly string[], header: number): { exceptionLine: number } {
  let end = header + 1;
  while (end < lines.length && end - header < MAX_TRACEBACK_LINES && /^\s/.test(stripPrefix(lines[end]!))) end++;
  return { exceptionLine: Math.min(end, lines.length - 1) };
}

const CHAINED = /During handling of the above exception, another exception occurred:|The above exception was the direct cause of the following exception:/;

/** The header line of a traceback chained to the one whose exception line is given, if any. */
function chainedTraceback(lines: readonly string[], exceptionLine: number): number | undefined {
  // The exception message may span lines (jsonschema prints the schema); the chain marker follows it.
  for (let k = exceptionLine + 1; k < lines.length && k <= exceptionLine + 30; k++) {
    if (isTracebackHeader(lines[k]!)) return undefined;
    if (CHAINED.test(lines[k]!)) {
      for (let h = k + 1; h < lines.length && h <= k + 3; h++) if (isTracebackHeader(lines[h]!)) return h;
      return undefined;
    }
  }
  return undefined;
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
