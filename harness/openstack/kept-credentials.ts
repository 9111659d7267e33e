import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CloudSpec } from '../config/schemas.ts';

/**
 * A kept cell's credentials, for a person to reach it by hand: an openrc to source and a
 * clouds.yaml, mode 0600. The only files gategrid writes that hold a secret, on purpose.
 */
export async function writeKeptCredentials(dir: string, cloudName: string, cloud: CloudSpec): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'openrc'), [
    `export OS_AUTH_URL=${cloud.authUrl}`, `export OS_USERNAME=${cloud.username}`, `export OS_PASSWORD=${cloud.password}`,
    `export OS_PROJECT_NAME=${cloud.projectName}`, `export OS_USER_DOMAIN_NAME=${cloud.userDomainName}`,
    `export OS_PROJECT_DOMAIN_NAME=${cloud.projectDomainName}`, `export OS_REGION_NAME=${cloud.region}`, 'export OS_IDENTITY_API_VERSION=3', '',
  ].join('\n'), { mode: 0o600 });
  await writeFile(path.join(dir, 'clouds.yaml'), [
    'clouds:', `  ${cloudName}:`, '    auth:', `      auth_url: ${cloud.authUrl}`, `      username: ${cloud.username}`,
    `      password: ${cloud.password}`, `      project_name: ${cloud.projectName}`, `      user_domain_name: ${cloud.userDomainName}`,
    `      project_domain_name: ${cloud.projectDomainName}`, `    region_name: ${cloud.region}`, '    identity_api_version: 3', '',
  ].join('\n'), { mode: 0o600 });
}
