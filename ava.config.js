import os from 'node:os';
import path from 'node:path';

// AVA's configuration (a file, not package.json, for sortTestFiles).
//
// Two test files run at once: the suite is CPU-bound on this project's 2-core machines, and two
// files keep both cores busy while a deployment waits (readiness, probes, Tempest, an upgrade's
// restarts). Each run's containers, networks, volumes and namespaces carry its own run id, builds
// of one image are serialised by a lock file, and `gategrid prune` spares live runs. The Kubernetes
// file goes first (its pods get their CPU share beside Docker deployments: scripts/cluster.sh,
// cgroupsPerQOS), the unit files beside it, then the Docker files, longest first, so that no long
// file starts last and runs alone. Figures: warm images, each file beside another as they run here.
const order = [
  'test/integration/kubernetes.test.ts', // ~3.8 min with the cluster's start and stop
  '<unit>', // every file outside test/integration/: ~0.5 min in all
  'test/integration/compute-upgrade.test.ts', // ~6 min beside the Kubernetes file (~4.2 beside a Docker one)
  'test/integration/upgrade.test.ts', // ~3.3 min
  'test/integration/matrix.test.ts', // ~2.5 min
  'test/integration/debugging-loop.test.ts', // ~3 min (identity: stopped after its deploy, then three times over)
  'test/integration/cloud.test.ts', // ~6 min warm (a guest under TCG reached by SSH, resized; Tempest's test_server_basic_ops)
  'test/integration/compute.test.ts', // ~1.7 min
  'test/integration/installed-package.test.ts', // ~1 min warm: npm pack and install, a new project's two cells (its four images cold: a few minutes)
  'test/integration/example-notes.test.ts', // the notes example: its four images cold (PostgreSQL on two suites) then three cells
  'test/integration/core.test.ts', // ~1.7 min
  'test/integration/secrets-everywhere.test.ts', // ~3 min: core/zed with Tempest, kept, searched, then down
  'test/integration/tempest.test.ts', // ~0.7 min
  'test/integration/data-path.test.ts', // ~0.4 min warm (its four images cold: a few minutes)
  'test/integration/guest.test.ts', // ~0.2 min warm
  'test/integration/privileges.test.ts', // seconds
  'test/integration/egress.test.ts', // ~10 s
  'test/integration/secret-in-log.test.ts', // ~10 s
  'test/integration/oom-killed.test.ts', // ~1.5 min (keystone and Tempest smoke; the kernel OOM-kills a service beside them)
  'test/integration/images.test.ts', // seconds
];
// Every test file is a process of its own that loads its modules afresh (and spawns gategrid's
// CLI, which keeps the same cache itself: harness/cli/main.ts): V8's code cache, shared in the
// system's temporary folder: the unit files took 70 → 52 s of CPU with it (41 s with the CLI's lazy imports).
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
