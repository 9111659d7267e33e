// The command line: its usage text, its options and their parsed values.
import { parseArgs } from 'node:util';

export const USAGE = `gategrid — gating and scenario tests for containerised deployments

usage:
  gategrid --version             the version and the commit it was built from
  gategrid init  [DIR]           a starting point for your own project (default: here): a config
                                 and a catalogue (nginx and Redis from Debian's packages, and their upgrade);
                                 refused where either exists
  gategrid run   [filters] [--out DIR] [--matrix FILE.xlsx] [--keep never|failed|always] [--retries N] [--retry-failed]
                 [--concurrency N] [--fail-fast] [--quiet]
                 [--tempest smoke|none|REGEX] [--no-tempest-rerun] [--revision HASH] [--refresh-images]
                 [--inject-fault CELL:kill=SERVICE[,after=MS][,attempt=N]]
                 [--inject-fault CELL:silent-upgrade=SERVICE[,within=SECONDS]]
                 [--repeat N]     the same cells N times over, one run after another; then each
                                 check's red rate over them (a flake measured)
                 [--stop-after deploy|checks|upgrade|tempest|health]   stop there and keep the cell
                                 (its verdict so far in results.json; not merged into the stability matrix)
  gategrid list  [filters]
  gategrid affected --base REF [filters]
                                 the cells a change touches (since the merge base of REF, the
                                 working tree and untracked files included), each with why;
                                 run --affected REF runs exactly those
  gategrid report [--matrix FILE.xlsx] [--markdown FILE.md] [--html FILE.html] [RESULTS.json ...]
                                 merge runs' results (CI shards, other machines) into the stability
                                 matrix and print it (--markdown: also as Markdown, for a CI
                                 job summary or a review comment; --html: the release managers'
                                 dashboard: history grid, flakiest checks, known failures, what
                                 changed since each red cell's last green run); exit 1 when a
                                 named run has a red blocking cell (merged CI shards gate as one)
  gategrid release-status [--release R] [--matrix FILE.xlsx] [--badges DIR]
                                 each release's go/no-go from the matrix's history against the
                                 config's release criteria, naming what fails (exit 1: a no-go);
                                 --badges: an SVG badge per release and backend
  gategrid stale [filters]       which images of these cells hold Debian packages their suite has
                                 since updated (exit 1 if any); run --refresh-images rebuilds them
  gategrid down  RUN_ID          remove a kept run's containers, networks and volumes
  gategrid forward RUN_ID [--out DIR] [--for SECONDS]
                                 a kept Kubernetes cell's published ports on 127.0.0.1 again (they
                                 were the run's port-forwards), its openrc and clouds.yaml rewritten
                                 where a port moved; until Ctrl-C (or --for, default 8 h)
  gategrid prune [--all]         remove what gategrid runs left behind (crashed, killed or kept runs);
                                 a run whose process still lives on this host is left alone
                                 (--all: that too, everything labelled by gategrid)

filters (each repeatable):
  --scenario NAME|FILE.yaml  --release NAME  --backend docker|kubernetes  --cell SCENARIO/RELEASE/BACKEND
  --shard I/N                a deterministic share of the cells (CI splitting)
  --affected REF             only the cells the change since REF touches (see gategrid affected)
  --debug                    a crash prints its stack trace
  --config FILE              the matrix and its settings (default: ./gategrid.config.yaml, else the repository's)

kubernetes cells (the config's kubernetes section; these override it):
  --kube-provider local|kind|kubeconfig   local: the cluster of npm run cluster -- up (default)
  --kubeconfig FILE  --kube-context NAME  --registry HOST[:PORT]   (the kubeconfig provider)

every run writes <out>/results.json (the source of truth), junit.xml and report.html, and merges
its cells into the shared stability matrix (default: gategrid-out/stability-matrix.xlsx, or
<out>/stability-matrix.xlsx with --out) and rewrites the dashboard beside it (same name, .html).

with no filter, run and list take the matrix of the config file. --revision (in every repro
command) warns when the scenario's recipes changed since the run that printed it.

exit codes: 0 green, 1 red (a cell failed or errored), 2 bad usage or config, 130 interrupted
`;

export const cliOptions = {
  scenario: { type: 'string', multiple: true },
  release: { type: 'string', multiple: true },
  backend: { type: 'string', multiple: true },
  cell: { type: 'string', multiple: true },
  shard: { type: 'string' },
  out: { type: 'string' },
  matrix: { type: 'string' },
  html: { type: 'string' },
  keep: { type: 'string', default: 'never' },
  retries: { type: 'string' },
  config: { type: 'string' },
  'inject-fault': { type: 'string', multiple: true },
  affected: { type: 'string' },
  'stop-after': { type: 'string' },
  repeat: { type: 'string' },
  badges: { type: 'string' },
  for: { type: 'string' },
  base: { type: 'string' },
  tempest: { type: 'string' },
  revision: { type: 'string' },
  'no-tempest-rerun': { type: 'boolean', default: false },
  'refresh-images': { type: 'boolean', default: false },
  concurrency: { type: 'string' },
  'kube-provider': { type: 'string' },
  kubeconfig: { type: 'string' },
  'kube-context': { type: 'string' },
  registry: { type: 'string' },
  markdown: { type: 'string' },
  'fail-fast': { type: 'boolean', default: false },
  'retry-failed': { type: 'boolean', default: false },
  quiet: { type: 'boolean', default: false },
  all: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
  version: { type: 'boolean', default: false },
  debug: { type: 'boolean', default: false },
} as const;

export type CliValues = ReturnType<typeof parse>['values'];

export function parse(argv: string[]) {
  return parseArgs({ args: argv, options: cliOptions, allowPositionals: true, strict: true });
}
