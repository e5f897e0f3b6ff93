import { errAsync, okAsync, type ResultAsync } from 'neverthrow';
import { type HotfixError, hotfixError } from '../errors.js';
import type { GitLabClient, ProjectRef } from '../gitlab-client.js';
import { fromBody, must } from './must.js';
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
  /** Paths the commit's diff names (old and new), when the caller read the diff (see withChangedPaths). */
  readonly changedPaths?: readonly string[];
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

/**
 * The plan with each pick's changed paths, from its diff (GET .../commits/:sha/diff): what a local
 * resolution (D3) reads ahead. With a client that remembers diffs for the run, the pick's later
 * scan and drift check (S2, S3) read the same answer without asking GitLab again.
 */
export function withChangedPaths(
  client: GitLabClient,
  project: ProjectRef,
  plan: PickPlan,
): ResultAsync<PickPlan, HotfixError> {
  const work = async (): Promise<PickPlan> => {
    const picks: PlannedPick[] = [];
    for (const p of plan.picks) {
      const diff = await must(client.commitDiff(project, p.sha, { maxPages: 10 }));
      picks.push({ ...p, changedPaths: [...new Set(diff.items.flatMap((f) => [f.old_path, f.new_path]))] });
    }
    return { ...plan, picks };
  };
  return fromBody(work());
}
