import test from 'ava';
import { criticalPath } from '../../scripts/critical-path.ts';

const at = (s: number) => new Date(Date.UTC(2026, 10, 22) + s * 1000).toISOString();
const phase = (name: string, start: number, seconds: number) => ({ name: `deploy/${name}`, status: 'passed' as const, startedAt: at(start), durationMs: seconds * 1000 });

test('the critical path runs back from the last step through the dependency that ended last', (t) => {
  const phases = [phase('mariadb', 0, 3), phase('memcached', 0, 1), phase('keystone-db', 3, 0.5), phase('keystone-bootstrap', 3.5, 16), phase('keystone', 19.5, 5), phase('glance-db', 3, 1), phase('glance-api', 25, 8)];
  const deps = new Map([['keystone-db', ['mariadb']], ['keystone-bootstrap', ['keystone-db']], ['keystone', ['mariadb', 'memcached', 'keystone-bootstrap']], ['glance-db', ['mariadb']], ['glance-api', ['glance-db', 'keystone']]]);
  const path = criticalPath(phases, deps);
  t.deepEqual(path.map((p) => p.name), ['mariadb', 'keystone-db', 'keystone-bootstrap', 'keystone', 'glance-api']);
  t.is(path.at(-1)!.gapMs, 500);
});
