/** A test runner run once in the cell, its results file fetched and kept only redacted: the one path a project's runner and Tempest both take. */
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Environment, JobSpec } from '../../backends/backend.ts';
import { encodeSubunitV2, parseSubunitV2 } from './subunit-v2.ts';

export type ResultsFormat = 'junit' | 'tap' | 'subunit';

export interface ResultsJob extends Omit<JobSpec, 'outputs'> {
  /** The results file the runner writes, as a path in its container. */
  readonly results: { readonly file: string; readonly format: ResultsFormat };
  /** Other files the runner leaves beside its results (Tempest's own log), kept redacted too. */
  readonly alongside?: readonly string[];
}

export interface ResultsJobOutcome {
  readonly exitCode: number;
  /** The results as the runner wrote them (to be parsed; never written anywhere as they are); none when it left no file. */
  readonly results?: Buffer;
}

/**
 * Runs the job in the cell (its network, or `networkOf`'s), fetches its results file and the files
 * beside it into `artifactDir`, and keeps of each only a redacted copy named by `keepAs` (the file
 * a runner writes may hold a secret it was given). A subunit stream is binary (each packet's length
 * and CRC): one holding a secret is written again packet by packet with its texts redacted. A job
 * that cannot run throws; a runner's exit code is returned, not judged (runners exit non-zero when
 * a test fails, which its results already say).
 */
export async function runResultsJob(env: Environment, job: ResultsJob, artifactDir: string, keepAs: (file: string) => string, redact: (text: string) => string): Promise<ResultsJobOutcome> {
  const { results: spec, alongside = [], ...container } = job;
  const file = path.posix.basename(spec.file);
  const { exitCode } = await env.runJob({ ...container, outputs: { dir: path.posix.dirname(spec.file), files: [file, ...alongside], to: artifactDir } });
  let results: Buffer | undefined;
  for (const name of [file, ...alongside]) {
    const fetched = path.join(artifactDir, name);
    const data = await readFile(fetched).catch(() => undefined);
    if (data === undefined) continue;
    if (name === file) results = data;
    const binary = name === file && spec.format === 'subunit';
    const kept = path.join(artifactDir, keepAs(name));
    if (kept !== fetched) await rm(fetched, { force: true });
    await writeFile(kept, binary ? redactSubunit(data, redact) : redact(data.toString('utf8')));
  }
  return { exitCode, ...(results ? { results } : {}) };
}

/** The stream itself when it holds nothing to redact; else each packet again with its test id and attachments redacted. */
export function redactSubunit(bytes: Buffer, redact: (text: string) => string): Buffer {
  const raw = bytes.toString('latin1');
  if (redact(raw) === raw) return bytes;
  return Buffer.concat(parseSubunitV2(bytes).events.map((e) => encodeSubunitV2({
    ...e,
    ...(e.testId !== undefined ? { testId: redact(e.testId) } : {}),
    ...(e.fileBytes ? { fileBytes: Buffer.from(redact(e.fileBytes.toString('utf8')), 'utf8') } : {}),
  })));
}
