import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { CatalogSpec, CloudSpec } from '../config/schemas.ts';
import { verify, type Check } from '../checks/check.ts';
import { pollUntil } from '../checks/poll.ts';
import type { API_GROUPS } from '../config/schemas.ts';
import { computeChecks } from './compute-checks.ts';
import { networkChecks } from './network-checks.ts';
import { workloadChecks } from './workload-checks.ts';
import type { WorkloadHooks } from './workload-hooks.ts';
import type { ApiContext } from './api-context.ts';
import { brief, http, passwordAuth, Session, unique } from './rest-client.ts';

/**
 * Tempest-style API checks, in TypeScript: each one drives a real API through a create / read /
 * delete cycle and asserts statuses and contents. Grouped by the scenario's `checks.api` names.
 */
export type ApiGroup = (typeof API_GROUPS)[number];

const id = (name: string): string => `api.${name}`;

const identity: Check<ApiContext>[] = [
  {
    id: id('identity.token-issue'), kind: 'api',
    async run(ctx) {
      const res = await http.post(`${ctx.cloud.authUrl}/auth/tokens`, passwordAuth(ctx.cloud, ctx.cloud));
      verify(res.status === 201, `POST /auth/tokens answered ${res.status}, expected 201: ${brief(res.data)}`);
      verify(typeof res.headers['x-subject-token'] === 'string', 'no X-Subject-Token header in the answer');
      verify(res.data?.token?.project?.name === ctx.cloud.projectName, `token scoped to ${res.data?.token?.project?.name}, expected ${ctx.cloud.projectName}`);
    },
  },
  {
    id: id('identity.token-validate'), kind: 'api',
    async run(ctx) {
      const s = await ctx.session();
      const res = await s.request('GET', `${ctx.cloud.authUrl}/auth/tokens`, { headers: { 'X-Subject-Token': s.token } });
      verify(res.status === 200, `GET /auth/tokens answered ${res.status}, expected 200`);
      verify(res.data?.token?.user?.name === ctx.cloud.username, `validated token belongs to ${res.data?.token?.user?.name}`);
    },
  },
  {
    id: id('identity.token-revoke'), kind: 'api',
    async run(ctx) {
      const s = await ctx.session();
      const other = await Session.login(ctx.cloud);
      const del = await s.request('DELETE', `${ctx.cloud.authUrl}/auth/tokens`, { headers: { 'X-Subject-Token': other.token } });
      verify(del.status === 204, `DELETE /auth/tokens answered ${del.status}, expected 204`);
      const check = await s.request('GET', `${ctx.cloud.authUrl}/auth/tokens`, { headers: { 'X-Subject-Token': other.token } });
      verify(check.status === 404, `a revoked token still validates (answered ${check.status}, expected 404)`);
    },
  },
  {
    id: id('identity.catalog'), kind: 'api',
    async run(ctx) {
      const s = await ctx.session();
      const res = await s.request('GET', `${ctx.cloud.authUrl}/auth/catalog`);
      verify(res.status === 200, `GET /auth/catalog answered ${res.status}`);
      const types = new Set((res.data.catalog as Array<{ type: string }>).map((e) => e.type));
      const expected = ['identity', ...ctx.catalog.map((c) => c.service.type)];
      const missing = expected.filter((t) => !types.has(t));
      verify(missing.length === 0, `the catalog lacks ${missing.join(', ')} (has ${[...types].join(', ')})`);
      return { message: `catalog lists ${[...types].sort().join(', ')}` };
    },
  },
  {
    id: id('identity.project-user-crud'), kind: 'api',
    async run(ctx) {
      const s = await ctx.session();
      const base = ctx.cloud.authUrl;
      const p = await s.request('POST', `${base}/projects`, { data: { project: { name: unique('project'), domain_id: 'default' } } });
      verify(p.status === 201, `create project answered ${p.status}: ${brief(p.data)}`);
      const projectId = p.data.project.id as string;
      const userName = unique('user');
      const u = await s.request('POST', `${base}/users`, { data: { user: { name: userName, password: randomBytes(12).toString('hex'), domain_id: 'default', default_project_id: projectId } } });
      verify(u.status === 201, `create user answered ${u.status}: ${brief(u.data)}`);
      const userId = u.data.user.id as string;
      const list = await s.request('GET', `${base}/users?name=${userName}`);
      verify(list.status === 200 && list.data.users.some((x: { id: string }) => x.id === userId), 'the new user is not listed');
      const projects = await s.request('GET', `${base}/projects`);
      verify(projects.data.projects.some((x: { id: string }) => x.id === projectId), 'the new project is not listed');
      const du = await s.request('DELETE', `${base}/users/${userId}`);
      verify(du.status === 204, `delete user answered ${du.status}`);
      const dp = await s.request('DELETE', `${base}/projects/${projectId}`);
      verify(dp.status === 204, `delete project answered ${dp.status}`);
      const gone = await s.request('GET', `${base}/users/${userId}`);
      verify(gone.status === 404, `a deleted user is still found (answered ${gone.status})`);
    },
  },
  {
    id: id('identity.unauthenticated'), kind: 'api',
    async run(ctx) {
      const s = await ctx.session();
      const res = await s.request('GET', `${ctx.cloud.authUrl}/projects`, { token: null });
      verify(res.status === 401, `GET /projects without a token answered ${res.status}, expected 401`);
    },
  },
];

const image: Check<ApiContext>[] = [
  {
    id: id('image.lifecycle'), kind: 'api',
    async run(ctx) {
      const s = await ctx.session();
      const base = `${s.endpoint('image')}/v2`;
      const created = await s.request('POST', `${base}/images`, { data: { name: unique('image'), disk_format: 'raw', container_format: 'bare' } });
      verify(created.status === 201, `create image answered ${created.status}: ${brief(created.data)}`);
      const imageId = created.data.id as string;
      try {
        const payload = randomBytes(4 * 1024 * 1024);
        const put = await s.request('PUT', `${base}/images/${imageId}/file`, { data: payload, headers: { 'Content-Type': 'application/octet-stream' }, timeoutMs: 120_000 });
        verify(put.status === 204, `upload answered ${put.status}: ${brief(put.data)}`);
        await pollUntil('the uploaded image', async () => String((await s.request('GET', `${base}/images/${imageId}`)).data?.status), (status) => status === 'active',
          { timeoutMs: 30_000, intervalMs: 500, failed: (status) => (status === 'killed' ? 'glance killed it' : undefined), describe: (status) => `status ${status}` });
        const down = await s.request('GET', `${base}/images/${imageId}/file`, { responseType: 'arraybuffer', timeoutMs: 120_000 });
        verify(down.status === 200, `download answered ${down.status}`);
        const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
        verify(sha(Buffer.from(down.data)) === sha(payload), `downloaded ${Buffer.from(down.data).length} bytes differ from the 4 MiB uploaded`);
      } finally {
        const del = await s.request('DELETE', `${base}/images/${imageId}`);
        verify(del.status === 204, `delete image answered ${del.status}`);
      }
      const gone = await s.request('GET', `${base}/images/${imageId}`);
      verify(gone.status === 404, `a deleted image is still found (answered ${gone.status})`);
    },
  },
  {
    id: id('image.unauthenticated'), kind: 'api',
    async run(ctx) {
      const s = await ctx.session();
      const res = await s.request('GET', `${s.endpoint('image')}/v2/images`, { token: null });
      verify(res.status === 401, `GET /v2/images without a token answered ${res.status}, expected 401`);
    },
  },
];

const PLACEMENT_VERSION = { 'OpenStack-API-Version': 'placement 1.20' };

const placement: Check<ApiContext>[] = [
  {
    id: id('placement.resource-provider'), kind: 'api',
    async run(ctx) {
      const s = await ctx.session();
      const base = s.endpoint('placement');
      const uuid = randomUUID();
      const created = await s.request('POST', `${base}/resource_providers`, { data: { name: unique('rp'), uuid }, headers: PLACEMENT_VERSION });
      verify(created.status === 200, `create resource provider answered ${created.status}: ${brief(created.data)}`);
      const got = await s.request('GET', `${base}/resource_providers/${uuid}`, { headers: PLACEMENT_VERSION });
      verify(got.status === 200 && got.data.uuid === uuid, `get resource provider answered ${got.status}`);
      const del = await s.request('DELETE', `${base}/resource_providers/${uuid}`, { headers: PLACEMENT_VERSION });
      verify(del.status === 204, `delete resource provider answered ${del.status}`);
      const gone = await s.request('GET', `${base}/resource_providers/${uuid}`, { headers: PLACEMENT_VERSION });
      verify(gone.status === 404, `a deleted resource provider is still found (answered ${gone.status})`);
    },
  },
  {
    id: id('placement.unauthenticated'), kind: 'api',
    async run(ctx) {
      const s = await ctx.session();
      const res = await s.request('GET', `${s.endpoint('placement')}/resource_providers`, { token: null });
      verify(res.status === 401, `GET /resource_providers without a token answered ${res.status}, expected 401`);
    },
  },
];

const groups: Record<ApiGroup, Check<ApiContext>[]> = { identity, image, placement, network: networkChecks, compute: computeChecks, workload: workloadChecks };

export function apiChecks(selected: readonly ApiGroup[]): Check<ApiContext>[] {
  return selected.flatMap((g) => groups[g]);
}

export function apiContext(cloud: CloudSpec, catalog: readonly CatalogSpec[], workload?: WorkloadHooks): ApiContext {
  let pending: Promise<Session> | undefined;
  return {
    cloud,
    catalog,
    shared: new Map(),
    ...(workload ? { workload } : {}),
    session() {
      pending ??= Session.login(cloud);
      return pending;
    },
  };
}
