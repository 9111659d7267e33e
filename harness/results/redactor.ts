/**
 * The one redaction point: every secret a run generates is registered here, and everything that
 * leaves the run for a reporter (results, phase summaries, details, log lines) passes through it
 * first, so no secret reaches results.json, junit.xml, report.html, the workbook or the console,
 * whichever message carried it. Only the rendered configs (inside the deployment) and a kept
 * cell's openrc/clouds.yaml (mode 0600, for a person to use) hold secrets.
 */
export class Redactor {
  readonly #names = new Map<string, string>();

  /** Registers a secret value under its name. Short values are refused: they would mangle text. */
  add(name: string, value: string): void {
    if (value.length < 8) throw new RangeError(`secret ${name} is too short to be redacted reliably`);
    this.#names.set(value, name);
  }

  text(text: string): string {
    let out = text;
    for (const [value, name] of this.#names) if (out.includes(value)) out = out.split(value).join(`<secret:${name}>`);
    return out;
  }

  /** A deep copy of a JSON value with every string value redacted. */
  value<T>(data: T): T {
    if (this.#names.size === 0) return structuredClone(data);
    return JSON.parse(JSON.stringify(data, (_key, v: unknown) => (typeof v === 'string' ? this.text(v) : v))) as T;
  }
}
