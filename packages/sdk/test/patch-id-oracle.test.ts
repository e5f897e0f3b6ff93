/**
 * Patch-id parity with native `git patch-id --stable` as a property test on generated diffs
 * (renames, mode changes, binary files, symlinks, gitlinks, CRLF, latin1, no final newline);
 * and, on generated release histories, the already-applied answer against `git cherry` and the
 * content identity against `git diff -U0`.
 */
import { describe, expect, it } from 'vitest';
import { compareChanges } from '../src/_internal/change-identity.js';
import { createGitdirStore } from '../src/_internal/object-store.js';
import { patchIdOfGitLabDiffs } from '../src/_internal/patch-id/gitlab-patch.js';
import { patchIdOfTrees } from '../src/_internal/patch-id/tree-patch.js';
import { patchId } from '../src/_internal/patch-id.js';
import { carriesSameChange } from '../src/_internal/release-scan.js';
import { cherryCases, gitLabDiff, localBlobReader } from './support/cherry-oracle.js';
import { gitOk } from './support/native-git.js';
import { patchIdCases } from './support/patch-id-oracle.js';

const { gitdir, cases } = patchIdCases(424242, 120);

describe('patchId against git patch-id --stable', () => {
  it('equals git on `git show` text of every generated commit', () => {
    const wrong = cases.filter((c) => patchId(c.show) !== c.showId).map((c) => c.commit);
    expect(wrong).toEqual([]);
  });

  it('equals git diff --no-renames --full-index | git patch-id when computed from local trees', async () => {
    const store = createGitdirStore({ gitdir });
    const wrong: string[] = [];
    for (const c of cases) {
      const commit = await store.readCommit(c.commit);
      const parent = await store.readCommit(commit.parents[0]!);
      if ((await patchIdOfTrees(store, parent.tree, commit.tree)) !== c.treeId) wrong.push(c.commit);
    }
    console.info(`patch-id from local trees: ${cases.length - wrong.length}/${cases.length} equal to git`);
    expect(wrong).toEqual([]);
  });

  it('equals git on GitLab-shaped per-file diffs whenever the payload holds what git hashes', () => {
    let exact = 0;
    const wrong: string[] = [];
    for (const c of cases) {
      const result = patchIdOfGitLabDiffs(c.gitlab);
      if (!result.exact) continue;
      exact++;
      if (result.id !== c.gitlabId) wrong.push(c.commit);
    }
    console.info(`patch-id from GitLab diffs: ${exact}/${cases.length} exact, ${wrong.length} wrong`);
    expect(wrong).toEqual([]);
    expect(exact).toBeGreaterThan(cases.length / 2);
  });
});

describe('already-applied and content identity against native git', () => {
  const { dir, cases } = cherryCases(2121, 48);
  const reader = localBlobReader(dir);
  const diffOf = (parent: string, commit: string) => gitLabDiff(dir, parent, commit);

  // git cherry hashes a rename as a deletion plus an addition of whole files; GitLab reports
  // renames (always `-M`), so those cases are decided by the content identity and only counted.
  it('answers already-applied as git cherry does, over release since the merge-base', async () => {
    const wrong: string[] = [];
    const renamed: string[] = [];
    for (const c of cases) {
      const original = diffOf(c.pickedParent, c.picked);
      let applied = false;
      for (const candidate of c.candidates) {
        const parent = gitOk(dir, ['rev-parse', `${candidate}^`]).trim();
        const same = await carriesSameChange(
          reader,
          { commit: c.picked, parent: c.pickedParent, files: original },
          { commit: candidate, parent, files: diffOf(parent, candidate) },
        );
        if (same) applied = true;
      }
      const verdict = `${c.variant} ${c.picked}: ours ${applied}, git ${c.gitSaysApplied}`;
      if (applied !== c.gitSaysApplied) (c.renames ? renamed : wrong).push(verdict);
    }
    const count = (v: string) => cases.filter((c) => c.variant === v).length;
    console.info(
      `already-applied: ${cases.length - wrong.length - renamed.length}/${cases.length} equal to git cherry, ` +
        `${renamed.length} differ where a rename is involved ` +
        `(pick ${count('pick')}, reindent ${count('reindent')}, extra-line ${count('extra-line')}, unrelated ${count('unrelated')})`,
    );
    expect(wrong).toEqual([]);
    expect(cases.filter((c) => !c.renames).length).toBeGreaterThanOrEqual(8);
    expect(cases.filter((c) => c.gitSaysApplied).length).toBeGreaterThan(0);
    expect(cases.filter((c) => !c.gitSaysApplied).length).toBeGreaterThan(0);
  });

  it('reports a difference exactly when git diff -U0 of the two changes differs, whitespace included', async () => {
    const wrong: string[] = [];
    for (const c of cases) {
      const cmp = await compareChanges(
        reader,
        { commit: c.picked, parent: c.pickedParent, files: diffOf(c.pickedParent, c.picked) },
        { commit: c.head, parent: c.headParent, files: diffOf(c.headParent, c.head) },
      );
      if (cmp.same === c.gitSaysDiffer) wrong.push(`${c.variant} ${c.picked}: ours same=${cmp.same}`);
    }
    expect(wrong).toEqual([]);
    expect(cases.some((c) => c.variant === 'reindent' && c.gitSaysDiffer)).toBe(true);
    expect(cases.some((c) => c.variant === 'pick' && !c.gitSaysDiffer)).toBe(true);
  });
});
