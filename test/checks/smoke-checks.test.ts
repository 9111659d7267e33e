import test from 'ava';
import type { ContainerState, Environment } from '../../harness/backends/backend.ts';
import { runCheck } from '../../harness/checks/check.ts';
import { smokeChecks } from '../../harness/checks/smoke-checks.ts';
import type { StepResult } from '../../harness/deploy/execute.ts';

// Health as Kolla's check-failure judges it, on states as the backends report them.
const step: StepResult = { name: 'keystone', kind: 'service', owner: 'keystone', status: 'passed', startedAt: new Date().toISOString(), durationMs: 5 };
const envWith = (state: ContainerState) => ({ state: async () => state, probe: async () => true }) as unknown as Environment;
const check = smokeChecks([step], [])[0]!;

test('a service that restarted since it became ready fails its smoke check, saying how its last run ended', async (t) => {
  const r = await runCheck(check, { env: envWith({ status: 'running', exitCode: undefined, restarts: 1, lastExit: 'was OOM-killed (exit code 137)' }), steps: [step], endpoints: [] });
  t.is(r.status, 'failed');
  t.is(r.message, 'keystone restarted 1 time(s) since it became ready; its previous run was OOM-killed (exit code 137)');
});

test('an OOM-killed container (Docker) and a replaced pod (Kubernetes) fail it, named', async (t) => {
  const oom = await runCheck(check, { env: envWith({ status: 'exited (OOM-killed)', exitCode: 137, restarts: 0 }), steps: [step], endpoints: [] });
  t.is(oom.message, 'keystone is exited (OOM-killed) (exit code 137)');
  const replaced = await runCheck(check, { env: envWith({ status: 'replaced (the pod that became ready is gone; another took its place)', exitCode: undefined, restarts: 1 }), steps: [step], endpoints: [] });
  t.regex(replaced.message ?? '', /^keystone is replaced/);
});

test('a running service that never restarted passes', async (t) => {
  const r = await runCheck(check, { env: envWith({ status: 'running', exitCode: undefined, restarts: 0 }), steps: [step], endpoints: [] });
  t.is(r.status, 'passed');
});
