import type { CatalogSpec, CloudSpec } from '../config/schemas.ts';
import type { WorkloadHooks } from './workload-hooks.ts';
import type { Session } from './rest-client.ts';

/** What every API check of a cell is given: the cloud, its catalog, one admin session, and what one check leaves the next. */
export interface ApiContext {
  readonly cloud: CloudSpec;
  /** The catalog entries the cell registered: the service types the catalog must list. */
  readonly catalog: readonly CatalogSpec[];
  /** Lazily logged-in admin session shared by the checks of one cell. */
  session(): Promise<Session>;
  /** What one check leaves for the next of its group (they run in order): a booted server. */
  readonly shared: Map<string, unknown>;
  /** What the workload checks need from the run (the guest's files, the probe): scenarios with a workload only. */
  readonly workload?: WorkloadHooks;
}
