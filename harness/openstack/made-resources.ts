import type { RESOURCE_GROUPS } from '../config/schemas.ts';
import type { DowntimeReport } from '../results/downtime.ts';
import type { Session } from './rest-client.ts';

/** What an upgrade must not lose, as made before it: one group per API (the scenario's `upgrade.resources`). */
export type ResourceGroup = (typeof RESOURCE_GROUPS)[number];

export type Outcome = { message: string; details?: Record<string, unknown> };

export interface MadeResources {
  readonly group: ResourceGroup;
  /** What was made, for the report (ids and names, no secrets). */
  readonly made: Record<string, string>;
  /** The APIs (endpoint names) its verification calls. */
  readonly needs: readonly ResourceGroup[];
  /** Everything made is still there and usable; changes nothing. Throws CheckFailed. */
  verify(session: Session): Promise<Outcome>;
  /** Deletes what was made (only once verified: a failed check leaves it for a kept environment). */
  cleanup(session: Session): Promise<void>;
  /** What was watched for the whole upgrade (a guest's pings), read back when it ends as a downtime. */
  readonly watch?: { readonly name: string; stop(): Promise<DowntimeReport> };
}
