import axios, { type AxiosInstance } from 'axios';
import { InfraError } from '../errors.ts';

/**
 * The one HTTP client for the deployment's APIs: never follows a proxy, never follows a redirect,
 * never throws on an HTTP status (callers assert the status they expect), and sends nothing (the
 * admin token least of all) to a host that is not this machine's loopback: every service of a cell
 * is reached through a port published on 127.0.0.1, so a URL elsewhere (a catalog or recipe
 * naming another host) is refused before a byte leaves.
 */
export const http: AxiosInstance = axios.create({
  proxy: false,
  timeout: 30_000,
  validateStatus: () => true,
  maxRedirects: 0,
  // uwsgi closes every connection; a fresh socket per request avoids resets on reuse.
  headers: { Connection: 'close' },
});

/** Whether a URL's host is this machine's loopback (127.0.0.0/8, ::1, localhost). */
export function isLoopbackUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return false;
  }
  return host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

http.interceptors.request.use((config) => {
  const url = axios.getUri(config);
  if (!isLoopbackUrl(url)) {
    // The path and query only in the message: the host is what matters and a query may carry a secret.
    throw new InfraError(`refused to send a request to ${new URL(url).host}: gategrid reaches a cell only through ports published on 127.0.0.1 (a catalog or recipe names another host)`);
  }
  return config;
});
