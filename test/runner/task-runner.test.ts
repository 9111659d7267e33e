import test from 'ava';
import { TaskRunner } from '../../harness/runner/task-runner.ts';

test('teardowns run in reverse order of their setups, even after a failure', async (t) => {
  const trail: string[] = [];
  const runner = new TaskRunner<null>();
  runner.add({ title: 'a', async setup() { trail.push('+a'); }, async teardown() { trail.push('-a'); } });
  runner.add({ title: 'b', async setup() { trail.push('+b'); throw new Error('b broke'); }, async teardown() { trail.push('-b'); } });
  runner.add({ title: 'c', async setup() { trail.push('+c'); }, async teardown() { trail.push('-c'); } });
  const result = await runner.run(null, new AbortController().signal);
  t.is(result.status, 'failed');
  t.deepEqual(trail, ['+a', '+b', '-b', '-a']);
});

test('a setup past its deadline times out and its signal aborts', async (t) => {
  let aborted = false;
  const runner = new TaskRunner<null>();
  runner.add({
    title: 'slow', timeoutMs: 50,
    setup: (_c, signal) => new Promise<void>((resolve) => { signal.addEventListener('abort', () => { aborted = true; resolve(); }); }),
  });
  const result = await runner.run(null, new AbortController().signal);
  t.is(result.status, 'timedout');
  t.true(aborted);
});

test('an interrupt stops the setups and still runs the teardowns', async (t) => {
  const trail: string[] = [];
  const interrupt = new AbortController();
  const runner = new TaskRunner<null>();
  runner.add({ title: 'env', async setup() { trail.push('+env'); }, async teardown() { trail.push('-env'); } });
  runner.add({ title: 'deploy', setup: () => { interrupt.abort(); return new Promise(() => {}); } });
  runner.add({ title: 'checks', async setup() { trail.push('+checks'); } });
  const result = await runner.run(null, interrupt.signal);
  t.is(result.status, 'interrupted');
  t.deepEqual(trail, ['+env', '-env']);
});

test("a teardown's failure is reported, and the other teardowns still run", async (t) => {
  const trail: string[] = [];
  const runner = new TaskRunner<null>();
  runner.add({ title: 'a', async teardown() { trail.push('-a'); } });
  runner.add({ title: 'b', async teardown() { throw new Error('cannot remove'); } });
  const result = await runner.run(null, new AbortController().signal);
  t.is(result.status, 'passed');
  t.is(result.teardownErrors.length, 1);
  t.deepEqual(trail, ['-a']);
});

test('a teardown with nothing to do (teardownNeeded false) is neither run nor reported', async (t) => {
  const trail: string[] = [];
  const runner = new TaskRunner<null>({ onTaskStart: (title, stage) => trail.push(`start ${title} ${stage}`) });
  runner.add({ title: 'a', async setup() {}, teardownNeeded: () => false, async teardown() { trail.push('-a'); } });
  runner.add({ title: 'b', async setup() {}, teardownNeeded: () => true, async teardown() { trail.push('-b'); } });
  await runner.run(null, new AbortController().signal);
  t.deepEqual(trail, ['start a setup', 'start b setup', 'start b teardown', '-b']);
});
