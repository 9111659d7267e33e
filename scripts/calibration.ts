/**
 * Figures that travel (issue 23): a fixed, single-threaded, CPU-bound workload of the bench's own
 * (SHA-256 over 64 MiB, then sorting and serialising a million numbers), timed in the same run as
 * every figure, so each figure is also printed as a multiple of it. Two machines (or one machine
 * whose CPU speed wanders, as these do about twofold) then compare by the multiples, not by
 * seconds. The best of three: the least disturbed.
 */
import { createHash } from 'node:crypto';

export function calibrationMs(rounds = 3): number {
  const block = Buffer.alloc(1024 * 1024, 7);
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    const hash = createHash('sha256');
    for (let i = 0; i < 64; i++) hash.update(block);
    hash.digest();
    let seed = 42;
    const numbers = Array.from({ length: 1_000_000 }, () => (seed = (seed * 1103515245 + 12345) % 2 ** 31));
    numbers.sort((a, b) => a - b);
    JSON.parse(JSON.stringify(numbers));
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

/** A time figure (`16.1 s`, `12.5 min`, `2 min 05 s`) as a multiple of the calibration unit, or undefined when the value is no time. */
export function inUnits(value: string, unitMs: number): string | undefined {
  const m = /^(?:(\d+(?:\.\d+)?) min)?\s*(?:(\d+(?:\.\d+)?) s)?$/.exec(value.trim());
  if (!m || (m[1] === undefined && m[2] === undefined)) return undefined;
  const ms = (Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0)) * 1000;
  return `${Math.round(ms / unitMs)} u`;
}
