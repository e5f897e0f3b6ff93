import { errAsync, okAsync, type ResultAsync } from 'neverthrow';
import { type HotfixError, hotfixError } from '../errors.js';
import type { GitLabClient, ProjectRef } from '../gitlab-client.js';
import type { GitLabMergeRequest } from './schemas.js';

/** How the MR landed, and therefore what to cherry-pick (S2). */
export type MergeMethod = 'merge-commit' | 'squash' | 'fast-forward';

/** One commit to pick, in the order to pick it. */
export interface PlannedPick {
  readonly sha: string;
  readonly title: string;
  readonly parentIds: readonly string[];
  /** Parent number to diff against for a merge commit (GitLab's mainline), else undefined. */
  readonly mainline?: 1;
}

/** What the MR's merge method means for the pick. */
export interface PickPlan {
  readonly method: MergeMethod;
  readonly picks: readonly PlannedPick[];
}

/**
 * Decides which commit(s) carry the MR's change: the squash commit; the merge commit
 * (mainline parent 1); or, for a fast-forward merge, the MR's own commits oldest first.
 */
export function resolvePickPlan(
  client: GitLabClient,
  project: ProjectRef,
  mr: GitLabMergeRequest,
): ResultAsync<PickPlan, HotfixError> {
  if (mr.state !== 'merged') {
    return errAsync(
      hotfixError('mr-not-merged', `!${mr.iid} is ${mr.state}, not merged: finish development and review first.`, {
        runbookRef: 'D1',
        details: { project: String(project), iid: mr.iid, state: mr.state },
      }),
    );
  }
  const one = (sha: string, method: MergeMethod) =>
    client.commit(project, sha).map(
      (c): PickPlan => ({
        method,
        picks: [
          {
            sha: c.id,
            title: c.title,
            parentIds: c.parent_ids,
            ...(c.parent_ids.length > 1 ? { mainline: 1 as const } : {}),
          },
        ],
      }),
    );
  if (mr.squash_commit_sha) return one(mr.squash_commit_sha, 'squash');
  if (mr.merge_commit_sha) return one(mr.merge_commit_sha, 'merge-commit');
  return client.mergeRequestCommits(project, mr.iid, { maxPages: 5 }).andThen((list) => {
    if (list.items.length === 0) {
      return errAsync(
        hotfixError('mr-not-merged', `!${mr.iid} is merged but lists no commits to pick.`, {
          runbookRef: 'S2',
          details: { project: String(project), iid: mr.iid, state: mr.state },
        }),
      );
    }
    const oldestFirst = [...list.items].reverse();
    return okAsync<PickPlan>({
      method: 'fast-forward',
      picks: oldestFirst.map((c) => ({ sha: c.id, title: c.title, parentIds: c.parent_ids })),
    });
  });
}
