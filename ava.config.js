// AVA's configuration (a file, not package.json, for sortTestFiles).
//
// Two test files run at once: the integration files' deployments spend much of their time waiting
// (readiness, probes, Tempest, an upgrade's restarts), so two share this project's 2-core machines
// well; each run's containers, networks, volumes and namespaces carry its own run id, image builds
// of one tag are serialised by a lock file, and `gategrid prune` spares live runs, so they do not
// interfere. The longest files start first (longest-processing-time first), so that no long file
// starts last and runs alone: figures measured alone on the reference machine, warm images.
const longestFirst = [
  'test/integration/kubernetes.test.ts', // ~5 min with the cluster's start and stop
  'test/integration/upgrade.test.ts', // ~3.5 min
  'test/integration/compute-upgrade.test.ts', // ~3.3 min
  'test/integration/matrix.test.ts', // ~3.5 min
  'test/integration/compute.test.ts', // ~2.4 min
  'test/integration/tempest.test.ts', // ~1.2 min
  'test/integration/core.test.ts', // ~1.1 min
  'test/integration/images.test.ts', // ~1 min
];
const rank = (file) => {
  const i = longestFirst.findIndex((f) => file.endsWith(f));
  return i === -1 ? longestFirst.length : i;
};

export default {
  files: ['test/**/*.test.ts'],
  extensions: ['ts'],
  timeout: '30m',
  serial: false,
  concurrency: 2,
  workerThreads: false,
  sortTestFiles: (a, b) => rank(a) - rank(b) || a.localeCompare(b),
};
