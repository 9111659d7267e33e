import { poll } from '../util/poll.ts';
import type { CatalogSpec, CloudSpec } from '../config/schemas.ts';
import { DeploymentError, errorMessage } from '../errors.ts';
import { brief, Session } from './rest-client.ts';
import { Limiter } from '../util/limiter.ts';

/**
 * Registers a service in keystone by direct REST calls: the `service` project, the service's user
 * with the roles its recipe names there (admin and service by default), the service and its endpoints. Idempotent, and safe when
 * several services register at once (a 409 means another registration won the race).
 */
export async function registerCatalog(cloud: CloudSpec, catalog: CatalogSpec, timeoutMs: number): Promise<void> {
  // One registration at a time per cloud: concurrent creations of the shared project and roles
  // would be settled by the 409 handling below, but keystone logs each conflict as an error.
  let lock = locks.get(cloud.authUrl);
  if (!lock) locks.set(cloud.authUrl, (lock = new Limiter(1)));
  await lock.run(() => register(cloud, catalog, timeoutMs));
}

const locks = new Map<string, Limiter>();

async function register(cloud: CloudSpec, catalog: CatalogSpec, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const s = await loginWhenReachable(cloud, deadline);
  const base = cloud.authUrl;
  const domainId = 'default';

  const { id: project } = await ensure(s, `${base}/projects?name=service&domain_id=${domainId}`, 'projects',
    `${base}/projects`, { project: { name: 'service', domain_id: domainId, description: 'Service users' } }, 'project');
  // The roles exist whoever registers first; each user gets the roles its recipe names.
  const roles: Record<string, string> = {};
  for (const role of new Set(['admin', 'service', ...(catalog.user?.roles ?? [])])) {
    roles[role] = (await ensure(s, `${base}/roles?name=${encodeURIComponent(role)}`, 'roles', `${base}/roles`, { role: { name: role } }, 'role')).id;
  }
  if (catalog.user) {
    const { id: userId, created } = await ensure(s, `${base}/users?name=${catalog.user.name}&domain_id=${domainId}`, 'users', `${base}/users`,
      { user: { name: catalog.user.name, password: catalog.user.password, domain_id: domainId, default_project_id: project } }, 'user');
    if (!created) {
      // Keep the password in step with this run's secret. Keystone revokes the user's tokens
      // issued up to that second (fernet tokens carry whole seconds): a token the service gets in
      // the same second is refused (measured: placement's first token, 401). So the registration
      // ends in the next second. A user just created needs neither.
      await expect(s.request('PATCH', `${base}/users/${userId}`, { data: { user: { password: catalog.user.password } } }), [200], 'set password');
      await new Promise((resolve) => setTimeout(resolve, 1050 - (Date.now() % 1000)));
    }
    for (const roleId of catalog.user.roles.map((role) => roles[role]!)) {
      await expect(s.request('PUT', `${base}/projects/${project}/users/${userId}/roles/${roleId}`), [204], 'grant role');
    }
  }
  const { id: serviceId } = await ensure(s, `${base}/services?type=${encodeURIComponent(catalog.service.type)}`, 'services', `${base}/services`,
    { service: { name: catalog.service.name, type: catalog.service.type, description: catalog.service.description ?? catalog.service.name } }, 'service');
  for (const [iface, url] of Object.entries(catalog.endpoints)) {
    if (Date.now() > deadline) throw new DeploymentError(`catalog registration of ${catalog.service.name} took longer than ${timeoutMs / 1000}s`);
    const existing = await expect(s.request('GET', `${base}/endpoints?service_id=${serviceId}&interface=${iface}&region_id=${cloud.region}`), [200], 'list endpoints');
    const found = (existing.data.endpoints as Array<{ id: string; url: string }>)[0];
    if (found && found.url === url) continue;
    if (found) await expect(s.request('DELETE', `${base}/endpoints/${found.id}`), [204], 'replace endpoint');
    await expect(s.request('POST', `${base}/endpoints`, { data: { endpoint: { service_id: serviceId, interface: iface, url, region_id: cloud.region } } }), [201], 'create endpoint');
  }
}

/**
 * Logs in, waiting while the identity endpoint answers 502/503/504 or refuses connections: behind
 * a frontend, keystone is ready a health-check interval or two before the frontend routes to it.
 * Bounded by the registration's deadline (and 60 tries); any other answer is final.
 */
async function loginWhenReachable(cloud: CloudSpec, deadline: number): Promise<Session> {
  let lastError: unknown;
  const outcome = await poll<Session>(async () => {
    try {
      // A keystone worker's first token costs it seconds of imports and caches; on a loaded host
      // (measured: 37 s with two test files deploying at once) that outlasts the client's
      // default 30 s, so the login may take what is left of the registration's own deadline.
      return { done: await Session.login(cloud, cloud, Math.max(1_000, deadline - Date.now())) };
    } catch (error) {
      if (!/answered 50[234]|ECONNREFUSED|ECONNRESET|socket hang up/.test(errorMessage(error))) throw error;
      lastError = error;
      return { again: errorMessage(error) };
    }
  }, { timeoutMs: Math.max(0, deadline - Date.now()), intervalMs: 500, tries: 60 });
  if (outcome.ok) return outcome.value;
  throw lastError;
}

/** The object the list finds, else the one created now (`created`: whether this call made it). */
async function ensure(s: Session, listUrl: string, key: string, createUrl: string, body: unknown, what: string): Promise<{ id: string; created: boolean }> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const list = await expect(s.request('GET', listUrl), [200], `list ${key}`);
    const found = (list.data[key] as Array<{ id: string }>)[0];
    if (found) return { id: found.id, created: false };
    const created = await s.request('POST', createUrl, { data: body });
    if (created.status === 201) return { id: created.data[what].id as string, created: true };
    if (created.status !== 409) throw new DeploymentError(`create ${what} answered ${created.status}: ${brief(created.data)}`);
  }
  throw new DeploymentError(`create ${what}: conflicting concurrent creations did not settle after 3 attempts`);
}

async function expect<T extends { status: number; data: any }>(pending: Promise<T>, statuses: number[], what: string): Promise<T> {
  const res = await pending;
  if (!statuses.includes(res.status)) throw new DeploymentError(`${what} answered ${res.status} (expected ${statuses.join('/')}): ${brief(res.data)}`);
  return res;
}
