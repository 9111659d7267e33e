/**
 * What varies from run to run, masked (times, UUIDs and other ids, addresses, ports, paths,
 * numbers): a red check's reason masked is its failure cluster's signature (reports/failure-clusters.ts),
 * a log line masked is compared with a green run's (results/log-baseline.ts).
 */
const MASKS: ReadonlyArray<[RegExp, string]> = [
  [/\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?/g, '<time>'],
  [/\b\d{2}:\d{2}:\d{2}(?:[.,]\d+)?\b/g, '<time>'],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>'],
  [/\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b/g, '<address>'],
  [/\b(?:gategrid|gg)-[a-z0-9-]*[0-9a-f]{6,}\b/g, '<name>'],
  [/\b[0-9a-f]{8,}\b/gi, '<hex>'],
  [/(?:\/[\w.@+-]+){2,}\/?/g, '<path>'],
  [/\b\d+(?:\.\d+)?\b/g, '<n>'],
];

/** A text with what varies between runs masked: equal for the same failure (or log line) anywhere. */
export function maskVarying(text: string): string {
  let out = text.trim();
  for (const [pattern, mask] of MASKS) out = out.replace(pattern, mask);
  return out.replace(/\s+/g, ' ');
}
