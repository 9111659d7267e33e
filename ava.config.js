import os from 'node:os';
import path from 'node:path';

// AVA's configuration (a file, not package.json, for sortTestFiles).
//
// Two test files run at once. The Docker integration files' deployments spend much of their time
// waiting (readiness, probes, Tempest, an upgrade's restarts), so two of them share this project's
// 2-core machines: each run's containers, networks and volumes carry its own run id, builds of one
// image are serialised by a lock file, and `gategrid prune` spares live runs. The Kubernetes file
// takes the machine alone (test/integration/host-share.ts), beside the unit test files only: it
// goes first, the unit files beside it, then the Docker files, longest first, so that no long file
// starts last and runs alone. Figures: warm images, each file beside another as they run here.
const order = [
  'test/integration/kubernetes.test.ts', // ~3.2 min with the cluster's start (its stop goes beside the next files)
  '<unit>', // every file outside test/integration/: ~1.5 min in all, beside the Kubernetes file
  'test/integration/compute-upgrade.test.ts', // ~4.2 min beside another Docker file
  'test/integration/upgrade.test.ts', // ~2.8 min
  'test/integration/matrix.test.ts', // ~2.5 min
  'test/integration/compute.test.ts', // ~1.7 min
  'test/integration/core.test.ts', // ~1.7 min
  'test/integration/tempest.test.ts', // ~0.8 min
  'test/integration/images.test.ts', // seconds
];
// Every test file is a process of its own that loads its modules afresh (and spawns gategrid's
// CLI, which keeps the same cache itself: harness/cli/main.ts): V8's code cache, shared in the
// system's temporary folder, measured 70 → 52 s of CPU for the unit files.
const compileCache = process.env.NODE_DISABLE_COMPILE_CACHE ? {} : { NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE ?? path.join(os.tmpdir(), 'node-compile-cache') };

const rank = (file) => {
  const i = order.findIndex((f) => file.endsWith(f));
  if (i !== -1) return i;
  return /(^|\/)test\/integration\//.test(file) ? order.length : order.indexOf('<unit>');
};

export default {
  files: ['test/**/*.test.ts'],
  extensions: ['ts'],
  timeout: '30m',
  serial: false,
  concurrency: 2,
  workerThreads: false,
  environmentVariables: compileCache,
  sortTestFiles: (a, b) => rank(a) - rank(b) || a.localeCompare(b),
};
