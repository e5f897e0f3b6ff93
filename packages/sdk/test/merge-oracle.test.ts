/**
 * Property test with native git as the oracle: seeded random repositories and picks, each
 * run as `git cherry-pick --no-commit` and `git revert --no-commit` + `git write-tree` and as
 * `cherryPickLocal` / `revertLocal`. Every clean native result must give the identical tree;
 * every native conflict a conflict on the same paths. Conflicts where git differs are allowed
 * only when we flagged them `unsupported` (similarity or directory renames); a wrong clean
 * tree always fails. `bench/merge-property.ts` runs thousands of the same cases.
 */
import { describe, expect, it } from 'vitest';
import { runOracle } from './support/oracle.js';

const SEED = 20261130;
const CASES = 100;

describe('cherryPickLocal and revertLocal against native git', () => {
  it(`agree with git on ${CASES} seeded random picks and reverts`, { timeout: 120_000 }, async () => {
    const tally = await runOracle(SEED, CASES);
    console.info(
      `merge oracle: ${tally.cases} cases, ${tally.sameTree} identical trees, ${tally.sameConflict} same conflicts, ` +
        `${tally.unsupported} known-unsupported ${JSON.stringify(tally.unsupportedReasons)}, ${tally.failures.length} failures`,
    );
    expect(tally.failures).toEqual([]);
    expect(tally.sameTree + tally.sameConflict + tally.unsupported).toBe(2 * CASES);
    expect(tally.sameTree).toBeGreaterThan(CASES);
    expect(tally.unsupported).toBeLessThan(tally.cases * 0.15);
  });
});
