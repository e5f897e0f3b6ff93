/**
 * The one parameter of the end-to-end test matrix: `HOTFIX_SIM_MODE` chooses the simulator mode
 * every harness starts (`cooperative`, the default, or `realistic`; see
 * packages/gitlab-sim/README.md). Harnesses spread `simModeOptions` into `startGitLabSim`. A file
 * whose tests cannot all pass against a realistic GitLab yet takes its `it` from
 * `itWithRealisticFailures`, listing those tests with the issue that fixes them: in realistic mode
 * they run as expected failures (`it.fails`, never skipped), so each turns red once it passes.
 */
import { type GitLabSimOptions, parseSimMode, type SimMode } from '@hotfix-release/gitlab-sim';
import { afterAll, it, type TestFunction } from 'vitest';

/** The simulator mode of this test run (read once, from `HOTFIX_SIM_MODE`). */
export const SIM_MODE: SimMode = parseSimMode(process.env.HOTFIX_SIM_MODE);

/** What a harness adds to its `startGitLabSim` options so the run's mode applies. */
export const simModeOptions: Pick<GitLabSimOptions, 'realistic'> = { realistic: SIM_MODE.realistic };

/** The words every expected-failure title carries; `scripts/test-realistic.mjs` counts them. */
export const EXPECTED_FAILURE_MARK = 'expected to fail in realistic mode';

/** A test body as `it` takes it. */
type TestBody = TestFunction;

/** Tests of one file that cannot pass in realistic mode yet, and the issue that fixes them. */
export interface ExpectedRealisticFailure {
  /** The issue whose work makes these tests pass in realistic mode. */
  readonly issue: number;
  /** Why they fail: the GitLab behaviour they still rely on. */
  readonly because: string;
  /** Their exact titles, or `all` for every test of the file. */
  readonly tests: readonly string[] | 'all';
}

/** The file's `it`: plain `it` (and `it.concurrent`), switching listed tests to `it.fails` in realistic mode. */
export interface RealisticAwareIt {
  (name: string, fn: TestBody, timeout?: number): void;
  /** The same for `it.concurrent` tests. */
  concurrent(name: string, fn: TestBody, timeout?: number): void;
}

/**
 * The `it` of an end-to-end file whose listed tests are expected to fail in realistic mode: in
 * the cooperative mode every test runs as declared; in the realistic mode a listed test runs as
 * `it.fails`, its title suffixed with the issue and the reason (so it turns red once it passes).
 * A listed title that the file never declares fails the file, so a rename cannot drop a mark.
 */
export function itWithRealisticFailures(expected: readonly ExpectedRealisticFailure[]): RealisticAwareIt {
  const realistic = SIM_MODE.name === 'realistic';
  const declared = new Set<string>();
  const marked = (name: string) => expected.find((e) => e.tests === 'all' || e.tests.includes(name));
  const title = (name: string, e: ExpectedRealisticFailure) =>
    `${name} [${EXPECTED_FAILURE_MARK} until issue ${e.issue}: ${e.because}]`;
  const declare = (name: string, fn: TestBody, timeout?: number) => {
    declared.add(name);
    const e = realistic ? marked(name) : undefined;
    if (e) it.fails(title(name, e), fn, timeout);
    else it(name, fn, timeout);
  };
  declare.concurrent = (name: string, fn: TestBody, timeout?: number) => {
    declared.add(name);
    const e = realistic ? marked(name) : undefined;
    if (e) it.concurrent.fails(title(name, e), fn, timeout);
    else it.concurrent(name, fn, timeout);
  };
  afterAll(() => {
    const missing = expected.flatMap((e) => (e.tests === 'all' ? [] : e.tests.filter((t) => !declared.has(t))));
    if (missing.length)
      throw new Error(`expected realistic-mode failures name tests this file does not declare: ${missing.join('; ')}`);
  });
  return declare;
}
