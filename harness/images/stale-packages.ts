import { docker } from '../docker-cli.ts';
import { InfraError } from '../errors.ts';
import { LABEL_OWNER } from '../labels.ts';

/** A package an image holds at one version while its suite now offers another. */
export interface StalePackage {
  readonly name: string;
  readonly installed: string;
  readonly candidate: string;
}

/**
 * The versions Debian offers now for these packages: `apt-get update` then `apt-cache policy`, once
 * per suite, in a throwaway container of that suite's image (the same sources the images were
 * built from; Debian's mirror is reachable from containers). Bounded: 5 minutes.
 */
export async function candidateVersions(image: string, packages: readonly string[]): Promise<Map<string, string>> {
  // As root: service images run as their service's user, who cannot write apt's lists.
  const r = await docker(['run', '--rm', '--user', 'root', '--label', `${LABEL_OWNER}=gategrid`, '--entrypoint', 'sh', image, '-c',
    'apt-get update -qq >/dev/null 2>&1 || { echo "apt-get update failed" >&2; exit 3; }; apt-cache policy "$@"', 'sh', ...packages],
  { allowFailure: true, timeout: 5 * 60_000 });
  if (r.exitCode !== 0) throw new InfraError(`cannot ask Debian for current versions in ${image} (exit ${r.exitCode}: ${r.stderr.trim().split('\n').at(-1) ?? ''})`);
  // With no list fetched, every candidate is the installed version: that would say "current" wrongly.
  if (!/^\s+\d+ https?:\/\//m.test(r.stdout)) throw new InfraError(`apt in ${image} knows no Debian archive (no list was fetched): cannot judge staleness`);
  return parsePolicy(r.stdout);
}

/** `apt-cache policy` output → package → candidate version ("(none)" when the suite has none). */
export function parsePolicy(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let current: string | undefined;
  for (const line of text.split('\n')) {
    const head = /^(\S+):$/.exec(line);
    if (head) current = head[1]!.replace(/:(amd64|all|arm64|i386)$/, '');
    const candidate = /^\s+Candidate:\s+(\S+)/.exec(line);
    if (candidate && current) out.set(current, candidate[1]!);
  }
  return out;
}

/** The packages of a manifest whose suite now offers another version. */
export function stalePackages(manifest: ReadonlyMap<string, string>, candidates: ReadonlyMap<string, string>): StalePackage[] {
  const out: StalePackage[] = [];
  for (const [name, installed] of manifest) {
    const candidate = candidates.get(name);
    if (candidate && candidate !== '(none)' && candidate !== installed) out.push({ name, installed, candidate });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}
