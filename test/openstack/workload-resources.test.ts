import test from 'ava';
import { allocationPool } from '../../harness/openstack/workload-resources.ts';
import { CheckFailed } from '../../harness/checks/check.ts';

test('floating IPs come from .10 to five below the broadcast address of the external network', (t) => {
  t.deepEqual(allocationPool('172.24.4.0/24'), { start: '172.24.4.10', end: '172.24.4.250' });
  t.deepEqual(allocationPool('10.1.0.0/16'), { start: '10.1.0.10', end: '10.1.255.250' });
  t.deepEqual(allocationPool('192.168.7.77/24'), { start: '192.168.7.10', end: '192.168.7.250' });
});

test('an external network too small for floating IPs is refused', (t) => {
  t.throws(() => allocationPool('172.24.4.0/30'), { instanceOf: CheckFailed, message: /between \/8 and \/28/ });
});
