import test from 'ava';
import { servingContainers } from '../../../harness/runner/phases/health-phase.ts';
import type { CheckResult } from '../../../harness/results/model.ts';

// CI's rolling-upgrade failure test turned red on the health phase judging keystone-next, which the
// failed upgrade had removed on purpose: only a passed upgrade moves a service to its new slot.
const check = (id: string, status: CheckResult['status'], container?: string): CheckResult =>
  ({ id, kind: 'upgrade', status, durationMs: 1, message: '', ...(container ? { details: { container } } : {}) });

test('a passed rolling upgrade moves the service to its new slot; a failed or skipped one leaves it where it was', (t) => {
  const serving = servingContainers([
    check('upgrade.service.keystone', 'passed', 'keystone-next'),
    check('upgrade.service.glance-api', 'failed'),
    check('upgrade.service.placement-api', 'skipped'),
    check('upgrade.service.mariadb', 'passed', 'mariadb'),
    { id: 'api.identity.token', kind: 'api', status: 'passed', durationMs: 1, message: '', details: { container: 'nope' } },
  ]);
  t.deepEqual([...serving], [['keystone', 'keystone-next'], ['mariadb', 'mariadb']]);
});
