// The run object's own decisions, made before anything starts: which cells' repro commands carry their faults.
import test from 'ava';
import type { PlannedCell } from '../../harness/matrix/cell.ts';
import { newRunId, withFaultRepros } from '../../harness/runner/matrix-run.ts';

const cell = (id: string) => ({ id, repro: `npx gategrid run --cell ${id}` }) as unknown as PlannedCell;

test('a faulted cell reproduces with its own faults only; the others are untouched', (t) => {
  const cells = withFaultRepros([cell('identity/zed/docker'), cell('core/zed/docker')], ['core/zed/docker:kill=keystone', 'core/zed/docker:kill=glance-api,after=500', 'identity/victoria/docker:kill=keystone']);
  t.is(cells[0]!.repro, 'npx gategrid run --cell identity/zed/docker');
  t.is(cells[1]!.repro, 'npx gategrid run --cell core/zed/docker --inject-fault core/zed/docker:kill=keystone --inject-fault core/zed/docker:kill=glance-api,after=500');
});

test('a run id is its start to the second and four hex digits', (t) => {
  const id = newRunId();
  t.regex(id, /^\d{8}-\d{6}-[0-9a-f]{4}$/);
});
