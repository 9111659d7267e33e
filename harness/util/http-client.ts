import axios, { type AxiosInstance } from 'axios';

/**
 * The one HTTP client for the deployment's APIs: never follows a proxy (traffic goes only to the
 * cell's published 127.0.0.1 ports), never follows a redirect, never throws on an HTTP status
 * (callers assert the status they expect).
 */
export const http: AxiosInstance = axios.create({
  proxy: false,
  timeout: 30_000,
  validateStatus: () => true,
  maxRedirects: 0,
  // uwsgi closes every connection; a fresh socket per request avoids resets on reuse.
  headers: { Connection: 'close' },
});
