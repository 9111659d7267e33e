import { readFile } from 'node:fs/promises';
import JSZip from 'jszip';

/** One row of a sheet: its number and its values by column (1-based, holes where cells are empty). */
export interface SheetRow {
  readonly number: number;
  readonly values: (string | number | boolean | undefined)[];
}

/**
 * Reads the values of some sheets of an .xlsx, by name. The parts are found through the zip's
 * directory (workbook.xml, its rels, sharedStrings.xml), whatever their order in the file: a
 * streamed workbook writes its sheet names last, which ExcelJS's stream reader does not reliably
 * follow (measured: it lost workbook.xml in 9 of 10 reads). Only values are read: strings (shared,
 * inline or formula results), numbers and booleans; styles are not needed to merge a history.
 */
export async function readSheets(file: string, names: readonly string[]): Promise<{ sheets: Map<string, SheetRow[]>; present: Set<string> }> {
  const zip = await JSZip.loadAsync(await readFile(file));
  const text = async (part: string): Promise<string | undefined> => zip.file(part)?.async('string');
  const workbook = await text('xl/workbook.xml');
  if (workbook === undefined) throw new Error('no xl/workbook.xml: not a spreadsheet');
  const rels = new Map([...((await text('xl/_rels/workbook.xml.rels')) ?? '').matchAll(/<Relationship\b[^>]*>/g)].map((m) => [attr(m[0], 'Id') ?? '', attr(m[0], 'Target') ?? '']));
  const targets = new Map<string, string>();
  for (const m of workbook.matchAll(/<sheet\b[^>]*>/g)) {
    const name = attr(m[0], 'name');
    const target = rels.get(attr(m[0], 'r:id') ?? '');
    if (name !== undefined && target) targets.set(decode(name), target.startsWith('/') ? target.slice(1) : `xl/${target}`);
  }
  const wanted = names.filter((n) => targets.has(n));
  const shared = wanted.length > 0 ? sharedStrings((await text('xl/sharedStrings.xml')) ?? '') : [];
  const sheets = new Map<string, SheetRow[]>();
  for (const name of wanted) sheets.set(name, parseSheet((await text(targets.get(name)!)) ?? '', shared));
  return { sheets, present: new Set(targets.keys()) };
}

function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\s${name.replace(':', '\\:')}="([^"]*)"`).exec(tag);
  return m?.[1];
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(text: string): string {
  return text
    .replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (whole, e: string) => (e[0] === '#' ? String.fromCodePoint(e[1] === 'x' ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1))) : ENTITIES[e] ?? whole))
    .replace(/_x([0-9A-F]{4})_/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

/** The text of every <t> inside (rich text runs joined). */
const texts = (xml: string): string => decode([...xml.matchAll(/<t(?:\s[^>]*)?>([\s\S]*?)<\/t>/g)].map((m) => m[1]!).join(''));

function sharedStrings(xml: string): string[] {
  return [...xml.matchAll(/<si>([\s\S]*?)<\/si>/g)].map((m) => texts(m[1]!));
}

function columnIndex(ref: string): number {
  let n = 0;
  for (const ch of ref) {
    const code = ch.charCodeAt(0);
    if (code < 65 || code > 90) break;
    n = n * 26 + (code - 64);
  }
  return n;
}

function parseSheet(xml: string, shared: readonly string[]): SheetRow[] {
  const rows: SheetRow[] = [];
  let next = 1;
  for (const row of xml.matchAll(/<row\b([^>]*?)(?:\/>|>([\s\S]*?)<\/row>)/g)) {
    const number = Number(attr(row[1]!, 'r') ?? next);
    next = number + 1;
    const values: SheetRow['values'] = [];
    let col = 0;
    for (const c of (row[2] ?? '').matchAll(/<c\b([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
      const ref = attr(c[1]!, 'r');
      col = ref ? columnIndex(ref) : col + 1;
      const body = c[2];
      if (body === undefined) continue;
      const type = attr(c[1]!, 't');
      const v = /<v>([\s\S]*?)<\/v>/.exec(body)?.[1];
      if (type === 'inlineStr') values[col] = texts(body);
      else if (v === undefined) continue;
      else if (type === 's') values[col] = shared[Number(v)] ?? '';
      else if (type === 'str' || type === 'e') values[col] = decode(v);
      else if (type === 'b') values[col] = v === '1';
      else values[col] = Number(v);
    }
    rows.push({ number, values });
  }
  return rows;
}
