import { cherryPickBenchmark } from './cherry-pick.js';
import { policyBenchmark } from './policy.js';
import { pollingBenchmark } from './polling.js';

/** One benchmark: runs, measures against a baseline in the same run, returns rows for a table. */
export interface Benchmark {
  readonly description: string;
  run(args: readonly string[]): Promise<{ rows: Record<string, unknown>[]; [key: string]: unknown }>;
}

/** Every benchmark `pnpm bench <name>` knows. */
export const benchmarks: Record<string, Benchmark> = {
  'cherry-pick': cherryPickBenchmark,
  policy: policyBenchmark,
  polling: pollingBenchmark,
};
