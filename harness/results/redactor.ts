/**
 * The one redaction point: every secret a run generates is registered here, and everything that
 * leaves the run for a reporter (results, phase summaries, details, log lines) passes through it
 * first, so no secret reaches results.json, junit.xml, report.html, the workbook or the console,
 * whichever message carried it. Only the rendered configs (inside the deployment) and a kept
 * cell's openrc/clouds.yaml (mode 0600, for a person to use) hold secrets.
 *
 * A message may have been cut (a log line kept to 300 characters, a traceback's tail) before it got
 * here, leaving a secret's head or tail: any piece of a secret of PIECE characters or more is
 * redacted too, wherever it stands.
 */
export const PIECE = 10;

/** Redacts whole secrets and every piece of one of PIECE characters or more. `secrets`: value → name. */
export function redactText(text: string, secrets: ReadonlyMap<string, string>): string {
  if (secrets.size === 0 || text.length < PIECE) return text;
  let out = text;
  for (const [value, name] of secrets) if (out.includes(value)) out = out.split(value).join(`<secret:${name}>`);
  return redactPieces(out, secrets);
}

const pieceIndexes = new WeakMap<ReadonlyMap<string, string>, { size: number; grams: Map<string, string>; runs: RegExp }>();

/** Pieces: runs of the secrets' own characters are scanned for PIECE-long substrings of a secret. */
function redactPieces(text: string, secrets: ReadonlyMap<string, string>): string {
  let index = pieceIndexes.get(secrets);
  if (!index || index.size !== secrets.size) {
    const grams = new Map<string, string>();
    const chars = new Set<string>();
    for (const [value, name] of secrets) {
      for (const c of value) chars.add(c);
      for (let i = 0; i + PIECE <= value.length; i++) grams.set(value.slice(i, i + PIECE), name);
    }
    const cls = [...chars].map((c) => c.replace(/[\\\]^-]/g, '\\$&')).join('');
    index = { size: secrets.size, grams, runs: new RegExp(`[${cls}]{${PIECE},}`, 'gu') };
    pieceIndexes.set(secrets, index);
  }
  const { grams, runs } = index;
  return text.replace(runs, (run) => {
    // Positions covered by some gram of a secret, then each covered stretch replaced once.
    const covered: (string | undefined)[] = new Array(run.length);
    let any = false;
    for (let i = 0; i + PIECE <= run.length; i++) {
      const name = grams.get(run.slice(i, i + PIECE));
      if (name === undefined) continue;
      any = true;
      for (let k = i; k < i + PIECE; k++) covered[k] = name;
    }
    if (!any) return run;
    let out = '';
    for (let i = 0; i < run.length; i++) {
      const name = covered[i];
      if (name === undefined) out += run[i];
      else if (covered[i - 1] !== name) out += `<secret:${name}>`;
    }
    return out;
  });
}

export class Redactor {
  readonly #names = new Map<string, string>();

  /** Registers a secret value under its name. Short values are refused: they would mangle text. */
  add(name: string, value: string): void {
    if (value.length < 8) throw new RangeError(`secret ${name} is too short to be redacted reliably`);
    this.#names.set(value, name);
  }

  text(text: string): string {
    return redactText(text, this.#names);
  }

  /** A deep copy of a JSON value with every string value redacted. */
  value<T>(data: T): T {
    if (this.#names.size === 0) return structuredClone(data);
    return JSON.parse(JSON.stringify(data, (_key, v: unknown) => (typeof v === 'string' ? this.text(v) : v))) as T;
  }
}
