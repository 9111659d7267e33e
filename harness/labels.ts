/** Every resource a run creates carries these labels; teardown and prune find things by label only. */
export const LABEL_OWNER = 'io.gategrid.owner';
export const LABEL_RUN = 'io.gategrid.run';
export const LABEL_CELL = 'io.gategrid.cell';
export const LABEL_PID = 'io.gategrid.pid';
export const LABEL_HOST = 'io.gategrid.host';
export const LABEL_KEEP = 'io.gategrid.keep';

export function runLabels(runId: string, cellId: string, hostname: string): Record<string, string> {
  return {
    [LABEL_OWNER]: 'gategrid',
    [LABEL_RUN]: runId,
    [LABEL_CELL]: cellId,
    [LABEL_PID]: String(process.pid),
    [LABEL_HOST]: hostname,
  };
}
