import type { Environment } from '../backends/backend.ts';
import type { RenderedEndpoint } from '../deploy/plan.ts';
import type { StepResult } from '../deploy/execute.ts';
import { http } from '../util/http-client.ts';
import { verify, type Check } from './check.ts';

/**
 * Smoke checks, generic: every deployment step passed, every service container is running and
 * answers its readiness probe now, every public endpoint answers without a token.
 */
export interface SmokeContext {
  readonly env: Environment;
  readonly steps: readonly StepResult[];
  readonly endpoints: readonly RenderedEndpoint[];
}

export function smokeChecks(steps: readonly StepResult[], endpoints: readonly RenderedEndpoint[]): Check<SmokeContext>[] {
  const checks: Check<SmokeContext>[] = [];
  for (const step of steps) {
    if (step.kind === 'service') {
      checks.push({
        id: `smoke.service.${step.name}`, kind: 'smoke',
        async run(ctx) {
          verify(step.status === 'passed', `${step.name} was not deployed: ${step.message ?? step.status}`);
          const state = await ctx.env.state(step.name);
          verify(state.status === 'running', `${step.name} is ${state.status}${state.exitCode ? ` (exit code ${state.exitCode})` : ''}`);
          // As Kolla's check-failure: a service that restarted is red even if it answers again.
          verify(state.restarts === 0, `${step.name} restarted ${state.restarts} time(s) since it became ready${state.lastExit ? `; its previous run ${state.lastExit}` : ''}`);
          verify(await ctx.env.probe(step.name), `${step.name} is running but its readiness probe fails now`);
        },
      });
    } else {
      checks.push({
        id: `smoke.job.${step.name}`, kind: 'smoke',
        async run() {
          verify(step.status === 'passed', `${step.name}: ${step.message ?? step.status}`);
          return { message: `${step.kind} step took ${(step.durationMs / 1000).toFixed(1)} s` };
        },
      });
    }
  }
  for (const endpoint of endpoints) {
    checks.push({
      id: `smoke.endpoint.${endpoint.name}`, kind: 'smoke',
      async run() {
        const res = await http.get(endpoint.url, { timeout: 10_000 });
        verify(endpoint.status.includes(res.status), `${endpoint.url} answered ${res.status}, expected ${endpoint.status.join(' or ')}`);
      },
    });
  }
  return checks;
}

