import test from 'ava';
import type Dockerode from 'dockerode';
import { ExecNotReadyError, ExecWaitStrategy, type ExecProbe } from '../../harness/backends/docker/wait-strategies/exec-wait-strategy.ts';

const noContainer = {} as Dockerode.Container;

function recorder(exitCodes: (n: number) => number): { exec: ExecProbe; times: number[]; commands: string[][] } {
  const times: number[] = [];
  const commands: string[][] = [];
  const exec: ExecProbe = async (_container, command) => {
    times.push(Date.now());
    commands.push(command);
    const exitCode = exitCodes(times.length - 1);
    return { exitCode, output: exitCode === 0 ? '' : 'ERROR 2002 (HY000): Can\'t connect to local server\n' };
  };
  return { exec, times, commands };
}

test('ready once the command exits 0 inside the container, run with sh -c', async (t) => {
  const { exec, commands } = recorder((n) => (n < 3 ? 1 : 0));
  await new ExecWaitStrategy('mariadb -e "SELECT 1"', { exec, firstIntervalMs: 5, maxIntervalMs: 20 }).withStartupTimeout(5_000).waitUntilReady(noContainer);
  t.is(commands.length, 4);
  t.deepEqual(commands[0], ['/bin/sh', '-c', 'mariadb -e "SELECT 1"']);
});

test('the pauses between tries double up to their cap: a long wait makes few execs', async (t) => {
  const { exec, times } = recorder(() => 1);
  // The pauses asked for, not the clock's gaps between execs: those stretch on a loaded machine.
  const pauses: number[] = [];
  const sleep = (ms: number) => { pauses.push(ms); return new Promise<void>((resolve) => setTimeout(resolve, ms)); };
  const strategy = new ExecWaitStrategy('false', { exec, firstIntervalMs: 10, maxIntervalMs: 40, sleep }).withStartupTimeout(400);
  await t.throwsAsync(strategy.waitUntilReady(noContainer), { instanceOf: ExecNotReadyError });
  t.true(pauses.length >= 3, `pauses ${pauses.join(',')}`);
  // The last pause is cut to the deadline.
  t.deepEqual(pauses.slice(0, -1), [10, 20, ...Array<number>(pauses.length - 3).fill(40)]);
  t.true(pauses.at(-1)! <= 40);
  t.is(times.length, pauses.length + 1, 'a pause between tries, none after the last (at the deadline)');
  // At a fixed 10 ms it would have been about 40 tries in 400 ms.
  t.true(times.length <= 14, `${times.length} tries`);
});

test('a command that never succeeds fails at the deadline, naming it, the tries and its last answer', async (t) => {
  const { exec } = recorder(() => 1);
  const strategy = new ExecWaitStrategy('mariadb -e "SELECT 1"', { exec, firstIntervalMs: 5, maxIntervalMs: 10 }).withStartupTimeout(100);
  const error = await t.throwsAsync(strategy.waitUntilReady(noContainer));
  t.regex(error!.message, /^`mariadb -e "SELECT 1"` did not succeed within 0\.1 s \(\d+ tries; last: exit 1: ERROR 2002 \(HY000\): Can't connect to local server\)$/);
});

test('an exec that throws (the container is gone) is a try that failed, with its reason kept', async (t) => {
  const exec: ExecProbe = async () => { throw new Error('container is not running'); };
  const strategy = new ExecWaitStrategy('true', { exec, firstIntervalMs: 5, maxIntervalMs: 10 }).withStartupTimeout(60);
  await t.throwsAsync(strategy.waitUntilReady(noContainer), { message: /last: container is not running\)$/ });
});
