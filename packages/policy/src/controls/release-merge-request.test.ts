/** E1 in merge-request pick mode (issue 19): release's head may be the release MR's merge commit over the pick. */
import type { ReleaseMergeRequestRecord } from '@hotfix-release/evidence';
import { describe, expect, it } from 'vitest';
import { A, checkValue, failing, fakeSha, mutateTarget } from '../../test/policy-fixtures.js';

const result = (r: Awaited<ReturnType<typeof checkValue>>, id: string) =>
  r.results.find((c) => c.id === id && c.target === A);

/**
 * Turns the fixture's pick into one that landed through a release MR: the picked commit is `picked` (on the
 * pick branch), release's head (`headAfter`, what staging ran) the MR's merge commit with parents `parents`.
 */
function throughMergeRequest(picked: string, second: (headBefore: string) => string) {
  return mutateTarget((t) => {
    const pick = t.pick!;
    const merge = pick.headAfter;
    pick.picks[0]!.pickedSha = picked;
    const record: ReleaseMergeRequestRecord = {
      apiUrl: 'https://gitlab.example.com/api/v4/projects/fleet%2Fcharging-api/merge_requests/9',
      observedAt: pick.observedAt,
      iid: 9,
      webUrl: 'https://gitlab.example.com/fleet/charging-api/-/merge_requests/9',
      sourceBranch: 'hotfix-release/pick/fleet-charging-api-7-0123456789',
      targetBranch: pick.releaseBranch,
      state: 'merged',
      sourceSha: picked,
      approvals: { observedAt: pick.observedAt, approvedBy: ['bob'], approvalsLeft: 0 },
      pipeline: null,
      reported: { mergeCommitSha: merge, squashCommitSha: null, mergedBy: 'root', mergedAt: pick.observedAt },
      observed: {
        releaseHead: merge,
        method: 'merge-commit',
        mergeCommitParents: [pick.headBefore, second(pick.headBefore)],
      },
    };
    t.releaseMergeRequest = record;
    if (t.deployedCommits)
      t.deployedCommits.commits = [
        { sha: picked, title: 'pick' },
        { sha: merge, title: 'Merge' },
      ];
  });
}

describe('E1: a pick that arrived through the release merge request', () => {
  it('passes when the merge commit carries exactly the pick as its second parent, and counts it in the deployed set', async () => {
    const picked = fakeSha('pick-on-the-pick-branch');
    const r = await checkValue(throughMergeRequest(picked, () => picked)());
    expect(failing(r)).toEqual([]);
    expect(result(r, 'E1')?.message).toMatch(
      /merged through !9.*staging ran exactly its 1 pick\(s\) and the release MR's merge commit/,
    );
  });

  it('fails when the merge commit brought anything but the pick (its second parent is another commit)', async () => {
    const picked = fakeSha('pick-on-the-pick-branch');
    const r = await checkValue(throughMergeRequest(picked, () => fakeSha('someone-elses-branch'))());
    expect(failing(r)).toContain(`E1@${A}`);
    expect(result(r, 'E1')?.message).toBe('release head after the pick is not the picked commit');
  });
});
