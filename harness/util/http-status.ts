/**
 * One GET of a URL on a published loopback port: no redirect followed, the body read and dropped
 * (uwsgi closes every connection), the status returned. Throws when nothing answers in time.
 */
export async function httpStatus(url: string, timeoutMs: number): Promise<number> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'manual', headers: { Connection: 'close' } });
  await res.arrayBuffer();
  return res.status;
}

/** What a failed fetch says in a word: the socket's error code (ECONNREFUSED...), else the error's name (TimeoutError...). */
export function fetchFailure(error: unknown): string {
  const cause = (error as { cause?: { code?: string } }).cause;
  return cause?.code ?? (error instanceof Error ? error.name : String(error));
}
