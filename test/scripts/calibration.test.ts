// The bench's calibration: its workload takes measurable time, and times read as multiples of it.
import test from 'ava';
import { calibrationMs, inUnits } from '../../scripts/calibration.ts';

test('every time figure reads as a multiple of the unit; other figures do not', (t) => {
  t.is(inUnits('16.1 s', 1000), '16 u');
  t.is(inUnits('12.5 min', 1500), '500 u');
  t.is(inUnits('2 min 05 s', 500), '250 u');
  t.is(inUnits('512 MiB', 1000), undefined);
  t.is(inUnits('3/0/0/0/1', 1000), undefined);
  t.is(inUnits('', 1000), undefined);
});

test('the workload takes a measurable time (one round)', (t) => {
  const ms = calibrationMs(1);
  t.true(ms > 10 && ms < 60_000, `${ms} ms`);
});
