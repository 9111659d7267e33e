import test from 'ava';
import { parseStat } from '../../harness/upgrade/frontend-socket.ts';

// Recorded from haproxy 2.6 (bookworm), `show stat`, trimmed to the first 18 columns and a few rows.
const STAT = `# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status
identity,FRONTEND,,,1,3,1000,120,0,0,0,0,0,,,,,OPEN
keystone,keystone,0,0,2,4,,96,0,0,,0,,0,0,0,0,DRAIN
keystone,keystone-next,0,0,0,2,,24,0,0,,0,,0,0,0,0,UP
keystone,BACKEND,0,0,2,4,100,120,0,0,0,0,,0,0,0,0,UP
glance-api,glance-api-next,0,0,0,0,,0,0,0,,0,,0,0,0,0,MAINT
`;

test('a server\'s status and current sessions are read from show stat', (t) => {
  t.deepEqual(parseStat(STAT, 'keystone', 'keystone'), { status: 'DRAIN', sessions: 2 });
  t.deepEqual(parseStat(STAT, 'keystone', 'keystone-next'), { status: 'UP', sessions: 0 });
  t.deepEqual(parseStat(STAT, 'glance-api', 'glance-api-next'), { status: 'MAINT', sessions: 0 });
  t.is(parseStat(STAT, 'placement-api', 'placement-api'), undefined);
  t.is(parseStat('', 'keystone', 'keystone'), undefined);
});
