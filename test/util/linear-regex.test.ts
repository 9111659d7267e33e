import test from 'ava';
import { linearRegex, linearRegexProblem } from '../../harness/util/linear-regex.ts';

// Issue 22: a user's catastrophic pattern over a deployment's log would freeze the event loop
// (Ctrl-C then never tears the cell down). Run without backtracking, it reads the line in linear time.
test('a catastrophic pattern runs in linear time over a long line, where the backtracking engine would take seconds per extra character', (t) => {
  const line = `${'a'.repeat(5000)}b`;
  const started = performance.now();
  t.false(linearRegex('^(a+)+$').test(line));
  t.true(performance.now() - started < 1000, `${(performance.now() - started).toFixed(0)} ms`);
  t.true(linearRegex('Logical Switch Port [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12} does not exist$', 'm')
    .test('RuntimeError: Logical Switch Port 0b5c0f2e-51a5-4f3b-9a0c-4d1f8f5e2a11 does not exist\nnext'));
});

test('what the engine cannot run is refused with the fix; an invalid pattern says so; an ordinary one passes', (t) => {
  t.is(linearRegexProblem('DBConnectionError: \\(pymysql'), undefined);
  t.regex(linearRegexProblem('(\\w+) \\1') ?? '', /cannot run in linear time .*backreferences/);
  t.regex(linearRegexProblem('a(?=b)') ?? '', /cannot run in linear time/);
  t.regex(linearRegexProblem('[0-9a-f-]{36}') ?? '', /at most \{16\}/);
  t.regex(linearRegexProblem('(pymysql') ?? '', /^not a valid regular expression/);
});
