import { randomBytes } from 'node:crypto';
import { redactText } from '../results/redactor.ts';

/**
 * Secrets are generated per cell, on first use, and never written into reports: `redact` replaces
 * every generated value in a text with `<secret:name>`.
 */
export class SecretStore {
  readonly #values = new Map<string, string>();
  readonly #byValue = new Map<string, string>();
  readonly #onSecret: ((name: string, value: string) => void) | undefined;

  /** `onSecret`: told every secret as it is made (the run's redaction point registers them). */
  constructor(onSecret?: (name: string, value: string) => void) {
    this.#onSecret = onSecret;
  }

  get(name: string): string {
    let value = this.#values.get(name);
    if (value === undefined) {
      // Hex keeps secrets safe inside URLs, ini files, SQL and shell without quoting.
      value = randomBytes(16).toString('hex');
      this.#values.set(name, value);
      this.#byValue.set(value, name);
      this.#onSecret?.(name, value);
    }
    return value;
  }

  /** The same redaction as the run's redaction point (results/redactor.ts), for this cell's secrets. */
  redact(text: string): string {
    return redactText(text, this.#byValue);
  }

  toJSON(): Record<string, string> {
    return Object.fromEntries(this.#values);
  }
}
