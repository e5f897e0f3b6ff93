/**
 * The one parameter of the end-to-end test matrix: `HOTFIX_SIM_MODE` chooses the simulator mode
 * every harness starts (`cooperative`, the default, or `realistic`; see
 * packages/gitlab-sim/README.md). Harnesses spread `simModeOptions` into `startGitLabSim`, and a
 * test that cannot pass against a realistic GitLab yet is declared with `itFailsInRealistic`,
 * naming the issue that fixes it: in realistic mode it runs as an expected failure (`it.fails`,
 * never skipped), so it turns red as soon as it starts passing.
 */
import { type GitLabSimOptions, parseSimMode, type SimMode } from '@hotfix-release/gitlab-sim';
import { it } from 'vitest';

/** The simulator mode of this test run (read once, from `HOTFIX_SIM_MODE`). */
export const SIM_MODE: SimMode = parseSimMode(process.env.HOTFIX_SIM_MODE);

/** What a harness adds to its `startGitLabSim` options so the run's mode applies. */
export const simModeOptions: Pick<GitLabSimOptions, 'realistic'> = { realistic: SIM_MODE.realistic };

/** The words every expected-failure title carries; `scripts/test-realistic.mjs` counts them. */
export const EXPECTED_FAILURE_MARK = 'expected to fail in realistic mode';

/** A test function as `it` and `it.fails` take it. */
type TestBody = () => unknown;

/**
 * Declares a test that passes in the cooperative mode and is expected to fail in the realistic
 * mode until `issue` is done: `it` in the cooperative mode, `it.fails` (title suffixed with the
 * issue and the reason) in the realistic mode.
 */
export function itFailsInRealistic(
  issue: number,
  because: string,
): (name: string, fn: TestBody, timeout?: number) => void {
  return (name, fn, timeout) => {
    if (SIM_MODE.name === 'realistic') {
      it.fails(`${name} [${EXPECTED_FAILURE_MARK} until issue ${issue}: ${because}]`, fn, timeout);
    } else {
      it(name, fn, timeout);
    }
  };
}
