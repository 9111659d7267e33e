import type { CloudSpec } from '../harness/config/schemas.ts';

/**
 * tempest.conf from a deployed cell. Tempest runs inside the cell's network, so it uses the
 * catalog's internal endpoints (the public ones are loopback ports of the host). Which services
 * are available follows from the catalog the scenario registers, never from a fixed list.
 */
export interface TempestConfInput {
  readonly cloud: CloudSpec;
  /** The identity endpoint as seen from inside the cell's network. */
  readonly internalAuthUrl: string;
  /** Service types in the catalog (identity, image, placement, compute, network, volume…). */
  readonly serviceTypes: readonly string[];
  /** Extra `section.option: value` settings from the scenario (feature flags, refs). */
  readonly extra?: Readonly<Record<string, string>>;
}

const AVAILABLE: Record<string, string> = {
  image: 'glance', compute: 'nova', network: 'neutron', volumev3: 'cinder', 'object-store': 'swift', dashboard: 'horizon',
};

export function renderTempestConf(input: TempestConfInput): string {
  const { cloud } = input;
  const has = (type: string) => input.serviceTypes.includes(type);
  const sections: Record<string, Record<string, string>> = {
    DEFAULT: { debug: 'false', use_stderr: 'false', log_file: 'tempest.log' },
    auth: {
      admin_username: cloud.username,
      admin_password: cloud.password,
      admin_project_name: cloud.projectName,
      admin_domain_name: cloud.userDomainName,
      use_dynamic_credentials: 'true',
      create_isolated_networks: has('network') ? 'true' : 'false',
    },
    identity: {
      uri_v3: input.internalAuthUrl,
      auth_version: 'v3',
      region: cloud.region,
      v3_endpoint_type: 'internal',
      default_domain_id: 'default',
    },
    'identity-feature-enabled': { api_v2: 'false', api_v3: 'true' },
    service_available: Object.fromEntries(Object.entries(AVAILABLE).map(([type, name]) => [name, String(has(type))])),
    image: { endpoint_type: 'internal' },
    'image-feature-enabled': { api_v1: 'false', api_v2: 'true' },
    placement: { endpoint_type: 'internal' },
    compute: { endpoint_type: 'internal', region: cloud.region },
    network: { endpoint_type: 'internal', region: cloud.region },
    volume: { endpoint_type: 'internal', region: cloud.region },
    validation: { run_validation: 'false' },
  };
  for (const [key, value] of Object.entries(input.extra ?? {})) {
    const dot = key.indexOf('.');
    const section = key.slice(0, dot);
    (sections[section] ??= {})[key.slice(dot + 1)] = value;
  }
  return Object.entries(sections)
    .map(([name, options]) => `[${name}]\n${Object.entries(options).map(([k, v]) => `${k} = ${v}`).join('\n')}\n`)
    .join('\n');
}
