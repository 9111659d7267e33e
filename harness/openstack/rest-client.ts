import { randomBytes } from 'node:crypto';
import type { AxiosResponse, Method, ResponseType } from 'axios';
import { http } from '../util/http-client.ts';
import type { CloudSpec } from '../config/schemas.ts';
import { DeploymentError } from '../errors.ts';

/**
 * A small OpenStack REST client: password login (project scope), catalog lookup, raw requests.
 * Direct calls cost milliseconds where one `openstack` CLI process costs seconds. Never follows a
 * proxy (traffic goes only to the cell's published 127.0.0.1 ports) and never throws on an HTTP
 * status: callers assert the status they expect.
 */
export interface CatalogEntry {
  readonly type: string;
  readonly name: string;
  readonly endpoints: readonly { interface: string; url: string; region_id?: string; region?: string }[];
}

export interface RequestOptions {
  readonly token?: string | null;
  readonly data?: unknown;
  readonly headers?: Record<string, string>;
  readonly responseType?: ResponseType;
  readonly timeoutMs?: number;
}

export { http };

export class Session {
  readonly token: string;
  readonly catalog: readonly CatalogEntry[];
  readonly cloud: CloudSpec;

  constructor(cloud: CloudSpec, token: string, catalog: readonly CatalogEntry[]) {
    this.cloud = cloud;
    this.token = token;
    this.catalog = catalog;
  }

  /** `timeoutMs`: how long the login may take (default: the HTTP client's 30 s). */
  static async login(cloud: CloudSpec, credentials: { username: string; password: string; projectName: string } = cloud, timeoutMs?: number): Promise<Session> {
    const res = await http.post(`${cloud.authUrl}/auth/tokens`, passwordAuth(cloud, credentials), timeoutMs === undefined ? {} : { timeout: timeoutMs });
    if (res.status !== 201) throw new DeploymentError(`login as ${credentials.username} at ${cloud.authUrl} answered ${res.status}: ${brief(res.data)}`);
    const token = res.headers['x-subject-token'];
    if (typeof token !== 'string') throw new DeploymentError('login answered 201 without an X-Subject-Token header');
    return new Session(cloud, token, res.data?.token?.catalog ?? []);
  }

  /** The URL of a service type's endpoint for an interface, in the cloud's region. */
  endpoint(type: string, iface: 'public' | 'internal' | 'admin' = 'public'): string {
    const entry = this.catalog.find((e) => e.type === type);
    const ep = entry?.endpoints.find((e) => e.interface === iface && (e.region_id ?? e.region ?? this.cloud.region) === this.cloud.region);
    if (!ep) throw new DeploymentError(`the catalog has no ${iface} endpoint of type ${type} in ${this.cloud.region}`);
    return ep.url.replace(/\/$/, '');
  }

  request(method: Method, url: string, options: RequestOptions = {}): Promise<AxiosResponse> {
    const headers: Record<string, string> = { ...options.headers };
    const token = options.token === undefined ? this.token : options.token;
    if (token !== null) headers['X-Auth-Token'] = token;
    return http.request({ method, url, data: options.data, headers, responseType: options.responseType ?? 'json', timeout: options.timeoutMs ?? 30_000 });
  }
}

export function passwordAuth(cloud: CloudSpec, c: { username: string; password: string; projectName: string }): unknown {
  return {
    auth: {
      identity: { methods: ['password'], password: { user: { name: c.username, domain: { name: cloud.userDomainName }, password: c.password } } },
      scope: { project: { name: c.projectName, domain: { name: cloud.projectDomainName } } },
    },
  };
}

/** A name no other run or check uses: `gategrid-<what>-<8 hex>`. */
export const unique = (what: string): string => `gategrid-${what}-${randomBytes(4).toString('hex')}`;

/** A short, single-line rendering of a response body for messages. */
export function brief(data: unknown): string {
  const text = typeof data === 'string' ? data : Buffer.isBuffer(data) ? `<${data.length} bytes>` : JSON.stringify(data);
  return (text ?? '').replace(/\s+/g, ' ').slice(0, 300);
}
