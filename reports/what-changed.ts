import { parseManifest } from '../harness/results/package-manifests.ts';
import type { HistoryRow } from './stability-history.ts';

/** Package name → version, as dpkg-query lists an image's packages. */
export type PackageManifest = ReadonlyMap<string, string>;

/** Looks manifests up by image id in a workbook's Packages texts, each parsed once. */
export function manifestLookup(texts: ReadonlyMap<string, string> | undefined): (id: string) => PackageManifest | undefined {
  const parsed = new Map<string, PackageManifest>();
  return (id) => {
    const text = texts?.get(id);
    if (text === undefined) return undefined;
    if (!parsed.has(id)) parsed.set(id, parseManifest(text));
    return parsed.get(id);
  };
}

export interface WhatChanged {
  /** The cell's last green run before this one; none when it was never green. */
  readonly since?: HistoryRow;
  /** What differs, one line each: commit, scenario revision, images, package versions. */
  readonly lines: string[];
}


/**
 * What differs between a red row and its cell's last green run: the commit, the scenario revision,
 * each image that was rebuilt, and (when the images' package manifests are known) every Debian
 * package whose version moved, was added or was removed.
 */
export function whatChanged(history: readonly HistoryRow[], red: HistoryRow, manifests?: (id: string) => PackageManifest | undefined): WhatChanged {
  const before = history.slice(0, history.indexOf(red) >= 0 ? history.indexOf(red) : history.length);
  const since = before.findLast((r) => r.cell === red.cell && (r.status === 'passed' || r.status === 'flaky'));
  if (!since) return { lines: [] };
  const lines: string[] = [];
  if (since.commit !== red.commit) lines.push(`commit ${since.commit || '(none)'} → ${red.commit || '(none)'}`);
  if (since.scenarioRevision !== red.scenarioRevision) lines.push(`scenario revision ${since.scenarioRevision || '(none)'} → ${red.scenarioRevision || '(none)'}`);
  // `name=tag@id`: compared by name; the id names the manifest.
  const tags = (row: HistoryRow) => new Map(row.images.split(' ').filter((t) => t.includes('=')).map((t) => [t.slice(0, t.indexOf('=')), t.slice(t.indexOf('=') + 1)]));
  const was = tags(since);
  const now = tags(red);
  for (const [name, tag] of now) {
    const old = was.get(name);
    if (old === undefined) lines.push(`image ${name} added: ${tag}`);
    else if (old !== tag) lines.push(`image ${name}: ${old} → ${tag}`);
    const id = (t: string) => t.slice(t.lastIndexOf('@') + 1);
    const diff = old && manifests && old.includes('@') && tag.includes('@') && id(old) !== id(tag) ? packageDiff(manifests(id(old)), manifests(id(tag))) : [];
    for (const d of diff) lines.push(`${name}: ${d}`);
  }
  for (const [name, tag] of was) if (!now.has(name)) lines.push(`image ${name} removed: ${tag}`);
  return { since, lines };
}

/** Package versions that moved between two manifests ("python3-keystone 2:22.0.0-1 → 2:22.0.2-1"). */
export function packageDiff(before: PackageManifest | undefined, after: PackageManifest | undefined): string[] {
  if (!before || !after) return [];
  const out: string[] = [];
  for (const [name, version] of after) {
    const old = before.get(name);
    if (old === undefined) out.push(`${name} ${version} added`);
    else if (old !== version) out.push(`${name} ${old} → ${version}`);
  }
  for (const [name, version] of before) if (!after.has(name)) out.push(`${name} ${version} removed`);
  return out.sort();
}
