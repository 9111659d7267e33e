// A backend for unit tests of the runner: provisions what the test gives it, owns nothing else.
import os from 'node:os';
import path from 'node:path';
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

/**
 * An environment for such a backend: every operation succeeds and does nothing (services start,
 * jobs exit 0, probes pass, containers run), but those the test gives; logs are named `tag`'s.
 */
export function memoryEnvironment(tag: string, overrides: Partial<Environment> = {}): Environment {
  return {
    backend: 'memory',
    startService: async () => undefined,
    stopService: async () => undefined,
    runJob: async () => ({ exitCode: 0, output: '' }),
    exec: async () => ({ exitCode: 0, output: '' }),
    probe: async () => true,
    state: async () => ({ status: 'running', exitCode: undefined, restarts: 0 }),
    kill: async () => undefined,
    logFile: (name) => path.join(os.tmpdir(), `gategrid-${tag}-${name}.log`),
    containers: () => [],
    teardown: async () => undefined,
    release: async () => undefined,
    ...overrides,
  };
}
