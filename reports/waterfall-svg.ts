import type { CellResult } from '../harness/results/model.ts';
import { downtimeOf } from '../harness/results/downtime.ts';
import { esc } from './html-escape.ts';

interface Bar {
  readonly label: string;
  readonly status: string;
  readonly from: number;
  readonly to: number;
  /** Outage windows drawn on this row (an upgrade's probed endpoint). */
  readonly gaps?: readonly { from: number; to: number; title: string }[];
  readonly indent: boolean;
}

const COLOR: Record<string, string> = { passed: '#1a7f37', failed: '#cf222e', error: '#8250df', flaky: '#bf8700', skipped: '#8c959f', interrupted: '#8c959f', running: '#0969da' };
const ROW = 16;
const LABEL = 230;
const WIDTH = 900;

/**
 * A cell's timeline as an inline SVG (no script): each phase, each deploy step under it, each
 * service an upgrade moved, and each probed endpoint with its outage windows, on one time axis from
 * the cell's start. The step that set the deploy's length is the bar that ends last; one that hung
 * is the long one.
 */
export function waterfallSvg(cell: CellResult): string {
  const t = (iso: string | undefined) => (iso ? Date.parse(iso) : Number.NaN);
  const upgrade: Bar[] = [];
  for (const c of cell.checks.filter((x) => x.id.startsWith('upgrade.service.'))) {
    const from = t((c.details as { startedAt?: string } | undefined)?.startedAt);
    if (!Number.isNaN(from)) upgrade.push({ label: `upgrade ${c.id.slice('upgrade.service.'.length)}`, status: c.status, from, to: from + c.durationMs, indent: true });
  }
  for (const d of downtimeOf(cell)) {
    const from = t(d.startedAt);
    if (Number.isNaN(from)) continue;
    upgrade.push({
      label: `${d.endpoint} probed`, status: 'passed', from, to: from + Math.max(d.observedMs, ...d.outages.map((o) => o.toMs)), indent: true,
      gaps: d.outages.map((o) => ({ from: from + o.fromMs, to: from + o.toMs, title: `${d.endpoint} down ${((o.toMs - o.fromMs) / 1000).toFixed(1)} s (${o.first})` })),
    });
  }
  const bars: Bar[] = [];
  for (const p of cell.phases) {
    const from = t(p.startedAt);
    if (Number.isNaN(from)) continue;
    const step = p.name.includes('/');
    bars.push({ label: step ? p.name.slice(p.name.indexOf('/') + 1) : p.name, status: p.status, from, to: from + p.durationMs, indent: step });
    // The upgrade's services and probed endpoints right under its phase.
    if (p.name === 'upgrade') bars.push(...upgrade.splice(0));
  }
  bars.push(...upgrade);
  if (bars.length === 0) return '';
  const start = Math.min(...bars.map((b) => b.from));
  const end = Math.max(...bars.map((b) => b.to), start + 1);
  const x = (ms: number) => LABEL + ((ms - start) / (end - start)) * (WIDTH - LABEL - 10);
  const height = (bars.length + 1) * ROW + 8;
  const ticks = tickStep(end - start);
  const axis: string[] = [];
  for (let ms = 0; ms <= end - start; ms += ticks) {
    axis.push(`<line x1="${x(start + ms).toFixed(1)}" y1="0" x2="${x(start + ms).toFixed(1)}" y2="${height - ROW}" stroke="#eaeef2"/><text x="${x(start + ms).toFixed(1)}" y="${height - 4}" font-size="10" text-anchor="middle" fill="#6e7781">${(ms / 1000).toFixed(0)} s</text>`);
  }
  const rows = bars.map((b, i) => {
    const y = i * ROW + 2;
    const title = `${b.label}: ${b.status}, ${((b.to - b.from) / 1000).toFixed(1)} s from ${((b.from - start) / 1000).toFixed(1)} s`;
    const bar = `<rect x="${x(b.from).toFixed(1)}" y="${y + 2}" width="${Math.max(1, x(b.to) - x(b.from)).toFixed(1)}" height="${ROW - 5}" fill="${COLOR[b.status] ?? '#8c959f'}" opacity="${b.indent ? 0.75 : 1}"><title>${esc(title)}</title></rect>`;
    const gaps = (b.gaps ?? []).map((g) => `<rect x="${x(g.from).toFixed(1)}" y="${y + 1}" width="${Math.max(2, x(g.to) - x(g.from)).toFixed(1)}" height="${ROW - 3}" fill="#cf222e"><title>${esc(g.title)}</title></rect>`).join('');
    return `<text x="${b.indent ? 14 : 2}" y="${y + ROW - 4}" font-size="11" fill="#1d1d1f"${b.indent ? '' : ' font-weight="600"'}>${esc(b.label.slice(0, 34))}</text>${bar}${gaps}`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="timeline of ${esc(cell.id)}" font-family="system-ui,sans-serif">${axis.join('')}${rows.join('')}</svg>`;
}

/** A tick every 1, 2, 5, 10, 20, 30, 60… seconds: about ten over the span. */
function tickStep(spanMs: number): number {
  const steps = [1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600, 1200].map((s) => s * 1000);
  return steps.find((s) => spanMs / s <= 12) ?? 1_800_000;
}
