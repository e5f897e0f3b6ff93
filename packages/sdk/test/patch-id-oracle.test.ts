/**
 * Patch-id parity with native `git patch-id --stable` as a property test on generated diffs
 * (renames, mode changes, binary files, symlinks, gitlinks, CRLF, latin1, no final newline).
 */
import { describe, expect, it } from 'vitest';
import { createGitdirStore } from '../src/_internal/object-store.js';
import { patchIdOfGitLabDiffs } from '../src/_internal/patch-id/gitlab-patch.js';
import { patchIdOfTrees } from '../src/_internal/patch-id/tree-patch.js';
import { patchId } from '../src/_internal/patch-id.js';
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
