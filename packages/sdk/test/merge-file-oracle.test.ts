/**
 * The diff3 text merge against `git merge-file` (native git as the oracle): on lines that
 * are distinct, as in real code, it must agree on every case; on highly repetitive lines,
 * where several alignments are equally short, the agreement rate is reported and bounded.
 */
import { describe, expect, it } from 'vitest';
import { mergeFileAgreement } from './support/merge-file.js';

describe('mergeText against git merge-file', () => {
  it('agrees on every random merge of distinct lines', () => {
    const tally = mergeFileAgreement(7, 300, false);
    console.info(`merge-file, distinct lines: ${tally.agree}/${tally.total} agree`);
    expect(tally.examples).toEqual([]);
    expect(tally.agree).toBe(tally.total);
  });

  it('agrees on at least 99.5% of random merges of highly repetitive lines', () => {
    const tally = mergeFileAgreement(11, 600, true);
    console.info(
      `merge-file, repetitive lines: ${tally.agree}/${tally.total} agree; ours clean/git conflict ${tally.oursCleanGitConflict}, ` +
        `ours conflict/git clean ${tally.oursConflictGitClean}, both clean with different text ${tally.bothCleanDifferentText}`,
    );
    expect(tally.agree / tally.total).toBeGreaterThanOrEqual(0.995);
  });
});
