import { isAxiosError } from 'axios';
import { http } from './http-client.ts';

/**
 * One GET of a URL on a published loopback port, through the one HTTP client (so the loopback
 * rule holds here too): no redirect followed, the body read and dropped (uwsgi closes every
 * connection), the status returned. Throws when nothing answers in time, as a `TimeoutError`.
 */
export async function httpStatus(url: string, timeoutMs: number): Promise<number> {
  try {
    return (await http.get(url, { timeout: timeoutMs, signal: AbortSignal.timeout(timeoutMs), responseType: 'arraybuffer' })).status;
  } catch (error) {
    if (isAxiosError(error) && (error.code === 'ECONNABORTED' || error.code === 'ETIMEDOUT' || error.code === 'ERR_CANCELED')) {
      throw Object.assign(new Error(`no answer from ${url} within ${timeoutMs} ms`, { cause: error }), { name: 'TimeoutError' });
    }
    throw error;
  }
}

/** What a failed request says in a word: the socket's error code (ECONNREFUSED...), else the error's name (TimeoutError...). */
export function requestFailure(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return error.name;
  const code = (error as { code?: unknown }).code ?? (error as { cause?: { code?: unknown } }).cause?.code;
  return typeof code === 'string' ? code : error instanceof Error ? error.name : String(error);
}
