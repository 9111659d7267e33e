/**
 * An upgrade's deliberate stops as evidence for log lines (issue 27): while the upgrade test has a
 * service stopped, other services' errors about it are the stop's direct consequence, not the
 * deployment's fault. A finding is explained only when both hold: it was logged inside the window
 * (its own timestamp, between the stop and the new release answering), and it names the stopped
 * service (its name, or a queue, exchange or host its recipe says it is known by). The same line
 * outside any window, or naming nothing that was stopped, stays red: a blanket allow-list entry
 * would also hide it when the service dies by accident.
 */
export interface StopWindow {
  readonly service: string;
  readonly fromMs: number;
  readonly toMs: number;
  /** What other services' logs call it: its name first, then its recipe's `upgrade.knownAs`. */
  readonly names: readonly string[];
}

/** A name appears as a token of its own: `scheduler_fanout` is not `scheduler`, `'mariadb'` is `mariadb`. */
function names(text: string, name: string): boolean {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?:^|[^A-Za-z0-9_-])${escaped}(?:$|[^A-Za-z0-9_-])`).test(text);
}

const clock = (ms: number): string => new Date(ms).toISOString().slice(11, 23);

/** The window that explains a finding, and why in words; none when the finding has no time or names no stopped service. */
export function explainingWindow(finding: { readonly atMs?: number; readonly context: string }, windows: readonly StopWindow[]): { window: StopWindow; why: string } | undefined {
  const at = finding.atMs;
  if (at === undefined) return undefined;
  for (const w of windows) {
    if (at < w.fromMs || at > w.toMs) continue;
    const named = w.names.find((n) => names(finding.context, n));
    if (named === undefined) continue;
    return { window: w, why: `logged at ${clock(at)}, naming ${named}, while ${w.service} was stopped for its upgrade (${clock(w.fromMs)}–${clock(w.toMs)})` };
  }
  return undefined;
}

/**
 * The windows an upgrade recorded: each `upgrade.service.<name>` check's `details.window`
 * (ISO times), with the names the plan knows the service by.
 */
export function windowsOf(checks: ReadonlyArray<{ readonly id: string; readonly details?: Record<string, unknown> | undefined }>, knownAs: (service: string) => readonly string[]): StopWindow[] {
  const out: StopWindow[] = [];
  for (const c of checks) {
    if (!c.id.startsWith('upgrade.service.')) continue;
    const w = c.details?.['window'] as { from?: unknown; to?: unknown } | undefined;
    const fromMs = typeof w?.from === 'string' ? Date.parse(w.from) : NaN;
    const toMs = typeof w?.to === 'string' ? Date.parse(w.to) : NaN;
    if (Number.isNaN(fromMs) || Number.isNaN(toMs)) continue;
    const service = c.id.slice('upgrade.service.'.length);
    out.push({ service, fromMs, toMs, names: [service, ...knownAs(service)] });
  }
  return out;
}
