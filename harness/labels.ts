/** Every resource a run creates carries these labels; teardown and prune find things by label only. */
export const LABEL_OWNER = 'io.gategrid.owner';
export const LABEL_RUN = 'io.gategrid.run';
export const LABEL_CELL = 'io.gategrid.cell';
export const LABEL_PID = 'io.gategrid.pid';
export const LABEL_HOST = 'io.gategrid.host';
export const LABEL_KEEP = 'io.gategrid.keep';

/**
 * A Kubernetes run's namespaces carry this annotation, renewed by the run's process every
 * HEARTBEAT_MS: a namespace whose heartbeat is fresh belongs to a live run, whichever host it runs
 * on (a pid says so only on its own host), and prune spares it.
 */
export const ANNOTATION_HEARTBEAT = 'io.gategrid.heartbeat';
export const HEARTBEAT_MS = 30_000;
/** Four beats missed: the owner is gone (or cut off from the cluster for two minutes). */
export const HEARTBEAT_FRESH_MS = 4 * HEARTBEAT_MS;

/** Whether an owner's heartbeat (an ISO time) is fresh at `now`. */
export function heartbeatFresh(owner: Readonly<Record<string, string | undefined>>, now = Date.now()): boolean {
  const at = Date.parse(owner[ANNOTATION_HEARTBEAT] ?? '');
  return Number.isFinite(at) && now - at < HEARTBEAT_FRESH_MS;
}

export function runLabels(runId: string, cellId: string, hostname: string): Record<string, string> {
  return {
    [LABEL_OWNER]: 'gategrid',
    [LABEL_RUN]: runId,
    [LABEL_CELL]: cellId,
    [LABEL_PID]: String(process.pid),
    [LABEL_HOST]: hostname,
  };
}
