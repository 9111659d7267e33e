// A backend for unit tests of the runner: provisions what the test gives it, owns nothing else.
import type { Backend, Environment } from '../harness/backends/backend.ts';

export function inMemoryBackend(provision: () => Promise<Environment>): Backend {
  return {
    name: 'docker',
    provision,
    removeByLabel: async () => ({ removed: {}, spared: [] }),
    capacity: async () => ({ memoryMiB: 4096, cores: 2 }),
    close: async () => undefined,
  };
}
