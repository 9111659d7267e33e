import type { Environment } from '../backends/backend.ts';
import { verify, type Check } from './check.ts';

/**
 * Health judged at the end of a cell, as Kolla's check-failure runs after the tests: every service
 * that deployed is still running and never restarted (nor OOM-killed) since it became ready. The
 * smoke checks see the services once, before the API checks and Tempest; a service that dies
 * during them (keystone OOM-killed by the kernel in the middle of Tempest, say) is red here, saying
 * how, and the cell's reason names this first cause rather than the errors it caused elsewhere.
 */
export interface HealthContext {
  readonly env: Environment;
}

export function healthChecks(services: readonly string[]): Check<HealthContext>[] {
  return services.map((name) => ({
    id: `health.${name}`, kind: 'health' as const,
    async run(ctx: HealthContext) {
      const state = await ctx.env.state(name);
      verify(state.status === 'running', `${name} died during the cell${state.finishedAt ? ` at ${state.finishedAt.slice(11, 19)} UTC` : ''}: it is ${state.status}${state.exitCode !== undefined ? ` (exit code ${state.exitCode}${state.exitCode === 137 ? ': killed' : ''})` : ''}`);
      verify(state.restarts === 0, `${name} restarted ${state.restarts} time(s) during the cell${state.lastExit ? `; its previous run ${state.lastExit}` : ''}`);
      return { message: 'running since it became ready, never restarted' };
    },
  }));
}
