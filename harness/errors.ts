/**
 * Errors are data. Every error the harness raises says which side broke:
 * - `ConfigError` / `UsageError`: the user's input is wrong (exit 2, nothing started);
 * - `InfraError`: the harness or its infrastructure broke (a cell becomes `error`);
 * - `DeploymentError`: the deployment under test is wrong (a cell becomes `failed`).
 * Each keeps its `cause`, so nothing is swallowed.
 */
export type ErrorSide = 'config' | 'usage' | 'infra' | 'deployment';

export abstract class GategridError extends Error {
  abstract readonly side: ErrorSide;
  readonly details: Record<string, unknown>;
  constructor(message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.details = options.details ?? {};
  }
}

/** Bad input in a file: names the file, the field path, what was expected and how to fix it. */
export class ConfigError extends GategridError {
  readonly side = 'config';
  readonly file: string;
  readonly field: string;
  readonly line: number | undefined;
  readonly problem: string;
  constructor(file: string, field: string, problem: string, options: { line?: number; cause?: unknown } = {}) {
    const where = options.line === undefined ? file : `${file}:${options.line}`;
    super(`${where}: ${field === '' ? '(file)' : field}: ${problem}`, options);
    this.file = file;
    this.field = field;
    this.line = options.line;
    this.problem = problem;
  }
}

export class UsageError extends GategridError {
  readonly side = 'usage';
}

export class InfraError extends GategridError {
  readonly side = 'infra';
}

export class DeploymentError extends GategridError {
  readonly side = 'deployment';
}

/** Thrown when a run is cancelled (Ctrl-C, deadline, fail-fast): never a verdict about the deployment. */
export class CancelledError extends GategridError {
  readonly side = 'infra';
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause === undefined ? '' : ` (cause: ${errorMessage(error.cause)})`;
    return `${error.message}${cause}`;
  }
  return String(error);
}

/** `deployment` errors mean the system under test is wrong; anything else unknown is the harness's fault. */
export function isDeploymentError(error: unknown): boolean {
  return error instanceof GategridError && error.side === 'deployment';
}
