import { readFile } from 'node:fs/promises';
import type { AllowEntry } from '../config/schemas.ts';
import { linearRegex } from '../util/linear-regex.ts';
import { verify, type Check } from './check.ts';
import { explainingWindow, type StopWindow } from './stop-windows.ts';

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
  /** When it was logged (the line's own timestamp, oslo.log's or ISO 8601, read as UTC), if it has one. */
  readonly atMs?: number;
  /** What the finding says (a traceback: the line before it and its final exception), for evidence that names a service. */
  readonly context: string;
}

const CRITICAL = /\bCRITICAL\b/;
/** oslo.log's record prefix (`2026-12-07 04:16:35.434 8 DEBUG neutron...`): its level says what the record is. */
const OSLO_LEVEL = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)? +\d+ +(DEBUG|INFO|AUDIT|WARNING|ERROR|CRITICAL|TRACE)\b/;
/**
 * A CRITICAL record: by its own level when the line has oslo.log's prefix (a DEBUG record that
 * quotes the word, `rate_limit_except_level = CRITICAL` in a debug option dump, is not one), else by
 * the word (other services' formats).
 */
const isCritical = (line: string): boolean => {
  const level = OSLO_LEVEL.exec(line)?.[1];
  return level === undefined ? CRITICAL.test(line) : level === 'CRITICAL';
};
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
  const entries = allow.map((a) => ({ pattern: linearRegex(a.pattern), frames: a.frames !== undefined ? linearRegex(a.frames) : undefined }));
  // A line that is no traceback is allowed by an entry without frames only.
  const lineAllowed = (text: string) => entries.some((e) => e.frames === undefined && e.pattern.test(text));
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
      const judged = `${headerOf(lines, i)}\n${exception}`;
      const frames = lines.slice(i + 1, block.exceptionLine).map(stripPrefix).join('\n');
      if (!entries.some((e) => e.pattern.test(judged) && (e.frames === undefined || e.frames.test(frames)))) findings.push(finding(i + 1, 'traceback', exception, judged, lineTime(lines[block.exceptionLine] ?? '') ?? lineTime(i > 0 ? lines[i - 1]! : '') ?? lineTime(line)));
      i = block.exceptionLine;
      continue;
    }
    if (isCritical(line) && !lineAllowed(line)) findings.push(finding(i + 1, 'critical', line.trim(), line, lineTime(line)));
    else if (CRASH.test(line) && !lineAllowed(line)) findings.push(finding(i + 1, 'crash', line.trim(), line, lineTime(line)));
  }
  return findings;
}

function finding(line: number, kind: LogFinding['kind'], text: string, context: string, atMs: number | undefined): LogFinding {
  return { line, kind, text: text.slice(0, 300), context: context.slice(0, 2000), ...(atMs !== undefined ? { atMs } : {}) };
}

/**
 * A log line's own time: oslo.log's `2026-12-06 05:38:22.123` or ISO 8601 at its start. Containers
 * run in UTC (the base images' /etc/localtime), so a time without a zone is read as UTC.
 */
export function lineTime(line: string): number | undefined {
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:[.,](\d{1,6}))?(Z|[+-]\d{2}:?\d{2})?/.exec(line);
  if (!m) return undefined;
  const ms = m[3] ? `.${m[3].padEnd(3, '0').slice(0, 3)}` : '';
  const zone = m[4] ? (m[4] === 'Z' ? 'Z' : m[4].replace(/^([+-]\d{2})(\d{2})$/, '$1:$2')) : 'Z';
  const t = Date.parse(`${m[1]}T${m[2]}${ms}${zone}`);
  return Number.isNaN(t) ? undefined : t;
}

/**
 * From a "Traceback" header: its indented frames, then the exception line (the first one not
 * indented). A traceback printed raw on stderr (a forked child's ignored exception) shares the
 * stream with the service's log records: a timestamped record written meanwhile by another worker
 * is not part of it, and is skipped (recorded: neutron-server's "Floating IP ... disassociated" in
 * the middle of eventlet's _after_fork traceback on 2025.1).
 */
function tracebackBlock(lines: readonly string[], header: number): { exceptionLine: number } {
  const raw = lineTime(lines[header]!) === undefined;
  let end = header + 1;
  while (end < lines.length && end - header < MAX_TRACEBACK_LINES) {
    const line = lines[end]!;
    if ((raw && lineTime(line) !== undefined) || /^\s/.test(stripPrefix(line))) end++;
    else break;
  }
  return { exceptionLine: Math.min(end, lines.length - 1) };
}

/**
 * The line a traceback is judged with: the one before its header; for a raw traceback (Python's
 * "Exception ignored in: ..." on stderr, untimestamped), that line even when other workers' log
 * records were written between it and the traceback (at most UNRAISABLE_GAP of them; recorded:
 * two neutron-server records between eventlet's _after_fork header and its traceback, cloud-upgrade, zed → 2025.1).
 */
function headerOf(lines: readonly string[], header: number): string {
  if (header === 0) return '';
  if (lineTime(lines[header]!) === undefined) {
    for (let j = header - 1; j >= Math.max(0, header - 1 - UNRAISABLE_GAP) && lineTime(lines[j]!) !== undefined; j--) {
      if (j > 0 && UNRAISABLE.test(stripPrefix(lines[j - 1]!))) return lines[j - 1]!;
    }
  }
  return lines[header - 1]!;
}
const UNRAISABLE = /^Exception ignored in: /;
const UNRAISABLE_GAP = 5;

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
  /** An upgrade cell's deliberate stops: a finding inside one that names the stopped service is explained by it. */
  readonly windows?: readonly StopWindow[];
  /** The cell's secrets (name → value): one in a service's own log is a finding, whatever the allow-list says. */
  readonly secrets?: ReadonlyMap<string, string>;
  /** Redacts a text for the report (the line that held a secret is shown without it). */
  readonly redact?: (text: string) => string;
}

export interface SecretFinding {
  readonly line: number;
  /** The secret's name, never its value. */
  readonly secret: string;
  readonly text: string;
}

/**
 * The deployment's own hygiene, judged with what only the harness knows (as Kolla's CI greps its
 * journal for its passwords): every line of a log holding one of the cell's secrets, whole. A
 * service that logs its database password is red, no allow-list entry excusing it.
 */
export function scanSecrets(text: string, secrets: ReadonlyMap<string, string>, redact?: (text: string) => string): SecretFinding[] {
  const found: SecretFinding[] = [];
  const values = [...secrets].filter(([, value]) => value.length >= 8);
  // Without the cell's redaction, the finding masks the secrets it knows: a value never lands in a finding.
  const mask = redact ?? ((line: string) => values.reduce((t, [name, value]) => t.replaceAll(value, `<secret:${name}>`), line));
  if (values.length === 0) return found;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    for (const [name, value] of values) {
      if (line.includes(value)) {
        found.push({ line: i + 1, secret: name, text: mask(line.trim()).slice(0, 300) });
        break;
      }
    }
  }
  return found;
}

export function logChecks(containers: readonly string[], owners: ReadonlyMap<string, string>, allow: ReadonlyMap<string, readonly AllowEntry[]>): Check<LogContext>[] {
  return containers.map((name) => ({
    id: `logs.${name}`, kind: 'logs' as const,
    async run(ctx: LogContext) {
      const file = ctx.logFile(name);
      const text = await readFile(file, 'utf8').catch(() => '');
      const all = scanLog(text, allow.get(owners.get(name) ?? name) ?? []);
      const explained = all.flatMap((f) => {
        const by = explainingWindow(f, ctx.windows ?? []);
        return by ? [{ line: f.line, text: f.text, why: by.why }] : [];
      });
      const findings = all.filter((f) => !explained.some((e) => e.line === f.line));
      const leaked = scanSecrets(text, ctx.secrets ?? new Map(), ctx.redact);
      verify(leaked.length === 0, `${name} logged a secret of the cell: ${leaked.length} line(s) of ${file} hold one; first at line ${leaked[0]?.line} (${leaked[0]?.secret}): ${leaked[0]?.text}`, { secrets: leaked.slice(0, 20) });
      const first = findings[0];
      const said = explained.length > 0 ? `; ${explained.length} error line(s) explained by the upgrade's deliberate stops: ${explained.map((e) => `line ${e.line} (${e.text}) ${e.why}`).join('; ')}` : '';
      verify(first === undefined, `${findings.length} unexplained error line(s) in ${file}; first at line ${first?.line}: ${first?.text}${said}`, { findings: findings.slice(0, 20), ...(explained.length > 0 ? { explained: explained.slice(0, 20) } : {}) });
      return { message: `${text.split('\n').length - 1} lines scanned${said}`, ...(explained.length > 0 ? { details: { explained: explained.slice(0, 20) } } : {}) };
    },
  }));
}
