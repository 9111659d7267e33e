import test from 'ava';
import { parseJunit } from '../../../harness/checks/runners/junit-results.ts';
import { parseTap } from '../../../harness/checks/runners/tap-results.ts';

// Issue 24: a project's test runner's results as gategrid reads them: JUnit XML (nested suites,
// failures, errors, skips, escaped text) and TAP (plan, directives, diagnostics, a stream cut short).

test('JUnit: every testcase of nested suites, with its outcome, time and the failure\'s text', (t) => {
  const xml = `<?xml version="1.0"?>
<testsuites><testsuite name="api"><testsuite name="rows">
  <testcase classname="rows" name="insert" time="0.25"/>
  <testcase classname="rows" name="survive &amp; count" time="1.5"><failure message="expected 3 &lt; 2"><![CDATA[at rows.py:12
assert 3 < 2]]></failure></testcase>
  <testcase name="schema" time="0.01"><error message="no table"/></testcase>
  <testcase classname="rows" name="later"><skipped message="not on bookworm"/></testcase>
</testsuite></testsuite></testsuites>`;
  t.deepEqual(parseJunit(xml), [
    { name: 'rows.insert', status: 'passed', durationMs: 250 },
    { name: 'rows.survive & count', status: 'failed', durationMs: 1500, message: 'expected 3 < 2: at rows.py:12\nassert 3 < 2' },
    { name: 'schema', status: 'error', durationMs: 10, message: 'no table' },
    { name: 'rows.later', status: 'skipped', durationMs: 0, message: 'not on bookworm' },
  ]);
  t.deepEqual(parseJunit('<testsuites/>'), []);
});

test('TAP: ok, not ok with its diagnostics, SKIP and TODO; a plan longer than the stream is an error', (t) => {
  const tap = ['TAP version 13', '1..5', 'ok 1 - the cache answers', 'not ok 2 - a key is read back', '# got: nothing', 'ok 3 # SKIP no HTTP client', 'not ok 4 - known bug # TODO bug 12', 'ok 5'].join('\n');
  t.deepEqual(parseTap(tap), [
    { name: '1 the cache answers', status: 'passed', durationMs: 0 },
    { name: '2 a key is read back', status: 'failed', durationMs: 0, message: 'got: nothing' },
    { name: '3', status: 'skipped', durationMs: 0, message: 'SKIP: no HTTP client' },
    { name: '4 known bug', status: 'skipped', durationMs: 0, message: 'TODO: bug 12' },
    { name: '5', status: 'passed', durationMs: 0 },
  ]);
  const cut = parseTap('1..3\nok 1 - first\n');
  t.like(cut.at(-1), { name: 'plan', status: 'error' });
  t.regex(cut.at(-1)!.message ?? '', /the plan said 3 test\(s\), the stream has 1/);
  t.like(parseTap('ok 1 - alone\n').at(-1), { name: 'plan', status: 'error' });
});
