import { type ControlCheck, need, outcome, requireTarget, targetHotfix, targetPointer } from './control-context.js';
import { deployedSetNote, judgeDeployedCommits, releaseMergeCommit } from './deployed-commits.js';

/**
 * E1 (S2, S3, R3): the hotfix commits were picked onto release, release head is the last pick, no drift,
 * and (when recorded) the commits the deployment ran beyond the pick's `headBefore` are exactly its picks. In
 * merge-request pick mode release's head may be the release MR's merge commit whose second parent is the last pick. Internal.
 */
export const checkE1: ControlCheck = (ctx) => {
  const t = requireTarget(ctx);
  const releaseBranch = need(ctx, 'releaseBranch');
  const pick = t.pick;
  if (!pick)
    return outcome.fail('no cherry-pick record for this target', targetPointer(ctx, 'pick'), 'a pick record', 'none');
  if (pick.releaseBranch !== releaseBranch) {
    return outcome.fail(
      'the pick went to another branch',
      targetPointer(ctx, 'pick', 'releaseBranch'),
      releaseBranch,
      pick.releaseBranch,
    );
  }
  // The commits of THIS target's hotfix (D4: each repository's MR has its own).
  const { hotfix, pointer } = targetHotfix(ctx);
  for (const [i, commit] of hotfix.commits.entries()) {
    const j = pick.picks.findIndex((p) => p.originalSha === commit.sha);
    if (j < 0)
      return outcome.fail(
        `hotfix commit ${commit.sha.slice(0, 12)} was not picked`,
        `${pointer}/commits/${i}/sha`,
        commit.sha,
        pick.picks.map((p) => p.originalSha),
      );
    const p = pick.picks[j];
    // A pick made without the trailer is recognised by its change; the drift report checked
    // below must then confirm release holds exactly that change.
    if (p && p.via !== 'patch-id' && !p.trailer.includes(commit.sha)) {
      return outcome.fail(
        'the picked commit lacks the cherry-pick trailer naming the original',
        targetPointer(ctx, 'pick', 'picks', j, 'trailer'),
        `(cherry picked from commit ${commit.sha})`,
        p.trailer,
      );
    }
  }
  const last = pick.picks[pick.picks.length - 1];
  // Merge-request pick mode: release's head may be the release MR's merge commit whose second parent is the pick.
  const viaMerge = releaseMergeCommit(pick, t.releaseMergeRequest) !== undefined;
  if (last && pick.headAfter !== last.pickedSha && !viaMerge) {
    return outcome.fail(
      'release head after the pick is not the picked commit',
      targetPointer(ctx, 'pick', 'headAfter'),
      last.pickedSha,
      pick.headAfter,
    );
  }
  if (pick.headBefore === pick.headAfter) {
    return outcome.fail(
      'release did not move',
      targetPointer(ctx, 'pick', 'headAfter'),
      `not ${pick.headBefore}`,
      pick.headAfter,
    );
  }
  for (const [i, c] of t.conflicts.entries()) {
    if (!c.verified)
      return outcome.fail(
        'a conflict resolution was pushed without verifying the tree (D3)',
        targetPointer(ctx, 'conflicts', i, 'verified'),
        true,
        false,
      );
  }
  const drift = t.drift;
  if (!drift)
    return outcome.fail(
      'no drift report: release contents not verified (S3)',
      targetPointer(ctx, 'drift'),
      'a drift report',
      'none',
    );
  const clean =
    drift.ok && drift.kinds.length === 0 && drift.extraCommits.length === 0 && drift.missingCommits.length === 0;
  if (!clean) {
    const pointer =
      drift.extraCommits.length > 0 ? targetPointer(ctx, 'drift', 'extraCommits') : targetPointer(ctx, 'drift', 'ok');
    return outcome.fail(
      `release drifted (${drift.kinds.join(', ') || 'not ok'}): stop (R3)`,
      pointer,
      { extraCommits: [], missingCommits: [] },
      { kinds: drift.kinds, extraCommits: drift.extraCommits, missingCommits: drift.missingCommits },
    );
  }
  if (drift.head !== pick.headAfter) {
    return outcome.fail(
      'the drift report is about another release head',
      targetPointer(ctx, 'drift', 'head'),
      pick.headAfter,
      drift.head,
    );
  }
  // What staging ran beyond the release head the promotion started from is exactly its picks (issue 23).
  if (t.deployedCommits) {
    const judged = judgeDeployedCommits(ctx, pick, t.deployedCommits, t.deployment?.deployment.sha);
    if (judged) return judged;
  }
  const through = viaMerge ? ` (merged through !${t.releaseMergeRequest?.iid})` : '';
  return outcome.pass(
    `release ${pick.releaseBranch} holds exactly the hotfix at ${pick.headAfter.slice(0, 12)}${through}${deployedSetNote(t, pick)}`,
    targetPointer(ctx, 'pick'),
  );
};
