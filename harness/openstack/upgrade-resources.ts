import { randomBytes } from 'node:crypto';
import type { CloudSpec } from '../config/schemas.ts';
import { CheckFailed, verify, type Check } from '../checks/check.ts';
import { brief, http, passwordAuth, Session } from './rest-client.ts';

/**
 * What an upgrade must not lose, made through the API before the upgrade and checked after it.
 * One group per API (the scenario's `upgrade.resources`); each group is a `make` that returns the
 * check to run afterwards.
 */
export type ResourceGroup = 'identity';

export interface MadeResources {
  readonly group: ResourceGroup;
  /** What was made, for the report (ids and names, no secrets). */
  readonly made: Record<string, string>;
  readonly check: Check<void>;
}

export async function makeResources(group: ResourceGroup, cloud: CloudSpec): Promise<MadeResources> {
  switch (group) {
    case 'identity': return makeIdentity(cloud);
  }
}

/** A project, a user with a role in it, and a token that user got before the upgrade. */
async function makeIdentity(cloud: CloudSpec): Promise<MadeResources> {
  const admin = await Session.login(cloud);
  const suffix = randomBytes(4).toString('hex');
  const projectName = `gategrid-upgrade-${suffix}`;
  const username = `gategrid-upgrade-${suffix}`;
  const password = randomBytes(12).toString('hex');
  const base = cloud.authUrl;

  const project = await admin.request('POST', `${base}/projects`, { data: { project: { name: projectName, domain_id: 'default', description: 'made before the upgrade' } } });
  verify(project.status === 201, `POST /projects answered ${project.status}: ${brief(project.data)}`);
  const projectId = project.data.project.id as string;
  const user = await admin.request('POST', `${base}/users`, { data: { user: { name: username, password, domain_id: 'default', default_project_id: projectId } } });
  verify(user.status === 201, `POST /users answered ${user.status}: ${brief(user.data)}`);
  const userId = user.data.user.id as string;
  const roles = await admin.request('GET', `${base}/roles?name=member`);
  const roleId = roles.data?.roles?.[0]?.id as string | undefined;
  verify(roleId, `no "member" role (GET /roles?name=member answered ${roles.status})`);
  const grant = await admin.request('PUT', `${base}/projects/${projectId}/users/${userId}/roles/${roleId}`);
  verify(grant.status === 204, `granting member on the project answered ${grant.status}`);
  const login = await Session.login(cloud, { username, password, projectName });

  return {
    group: 'identity',
    made: { projectId, projectName, userId, username },
    check: {
      id: 'upgrade.resources.identity', kind: 'upgrade',
      async run() {
        const now = await Session.login(cloud);
        const p = await now.request('GET', `${base}/projects/${projectId}`);
        verify(p.status === 200 && p.data.project.name === projectName, `project ${projectName} made before the upgrade: GET answered ${p.status}`);
        const u = await now.request('GET', `${base}/users/${userId}`);
        verify(u.status === 200 && u.data.user.name === username, `user ${username} made before the upgrade: GET answered ${u.status}`);
        const old = await now.request('GET', `${base}/auth/tokens`, { headers: { 'X-Subject-Token': login.token } });
        verify(old.status === 200, `a token issued before the upgrade no longer validates (answered ${old.status}): fernet keys lost?`);
        const again = await http.post(`${base}/auth/tokens`, passwordAuth(cloud, { username, password, projectName }));
        if (again.status !== 201) throw new CheckFailed(`user ${username} can no longer log in with the password set before the upgrade (answered ${again.status})`);
        // Clean up only once verified: a failed check leaves them for a kept environment.
        await now.request('DELETE', `${base}/users/${userId}`);
        await now.request('DELETE', `${base}/projects/${projectId}`);
        return { message: `project, user, role assignment, password and a pre-upgrade token all survived`, details: { projectId, userId } };
      },
    },
  };
}
