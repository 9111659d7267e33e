/** One test's outcome as a runner's results file says it: what JUnit and TAP are read into. */
export interface RunnerTest {
  name: string;
  status: 'passed' | 'failed' | 'error' | 'skipped';
  durationMs: number;
  message?: string;
}
