/**
 * The release merge request of merge-request pick mode (issue 19, S2): where release refuses this
 * user's pushes but accepts merge requests, the hotfix is picked onto a reserved branch
 * (`hotfix-release/pick/...`) and reaches release through a merge request. Everything here is
 * idempotent: the branch name is deterministic, an existing MR is found by its source branch and a
 * marker in its description, and no POST or PUT is ever sent twice blindly.
 */
import { createHash } from 'node:crypto';
import { err, ok, type Result } from 'neverthrow';
import { z } from 'zod';
import { must } from '../_internal/must.js';
import * as s from '../_internal/schemas.js';
import type { HotfixError } from '../errors.js';
import type { GitLabClient } from '../gitlab-client.js';

/** The branch prefix reserved for pick branches (the release lock uses `hotfix-release/lock/`). */
export const PICK_BRANCH_PREFIX = 'hotfix-release/pick/';

/** The hotfix MR a pick branch is for. */
export interface PickBranchKey {
  readonly mr: { readonly project: string; readonly iid: number };
  readonly target: string;
  readonly releaseBranch: string;
}

/** A readable slug of a project path for a branch name. */
function slug(path: string): string {
  return path
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
}

/**
 * The pick branch of one (hotfix MR, target, release branch): the same inputs always give the same
 * name, so a rerun finds the branch (and the MR from it) an earlier run made.
 */
export function pickBranchName(key: PickBranchKey, suffix = ''): string {
  const id = `${key.mr.project}!${key.mr.iid}|${key.target}|${key.releaseBranch}`;
  const hash = createHash('sha256').update(id).digest('hex').slice(0, 10);
  return `${PICK_BRANCH_PREFIX}${slug(key.mr.project)}-${key.mr.iid}-${hash}${suffix}`;
}

/** The marker in the release MR's description that says which pick it carries (never a secret). */
export function pickMarker(key: PickBranchKey, kind: 'pick' | 'revert' = 'pick'): string {
  return `<!-- hotfix-release:${kind} ${key.mr.project}!${key.mr.iid} -> ${key.target}:${key.releaseBranch} -->`;
}

const userRef = z.object({ username: z.string() }).nullable().optional();

/** The release MR as the SDK reads it: GitLab's MR entity, fields beyond the CE minimum optional. */
export const releaseMergeRequestSchema = s.mergeRequestSchema.extend({
  merged_by: userRef,
  merge_user: userRef,
  has_conflicts: z.boolean().optional(),
  merge_error: z.string().nullable().optional(),
  head_pipeline: z
    .object({ id: z.number(), status: z.string(), sha: z.string(), web_url: z.string().optional() })
    .nullable()
    .optional(),
});

/** A release MR as GitLab reported it. */
export type ReleaseMergeRequest = z.output<typeof releaseMergeRequestSchema>;

const route = '/projects/:id/merge_requests';

/** GET one MR (the detailed entity, with `head_pipeline`). */
export function readReleaseMergeRequest(client: GitLabClient, project: string, iid: number) {
  return client.request(
    { method: 'GET', route: `${route}/:iid`, params: { id: project, iid } },
    releaseMergeRequestSchema,
  );
}

/**
 * The MR that carries this pick, found by its source branch and the marker in its description: an
 * open one first, else the newest merged one, else the newest closed one; undefined when none.
 */
export async function findReleaseMergeRequest(
  client: GitLabClient,
  project: string,
  sourceBranch: string,
  targetBranch: string,
  marker: string,
): Promise<Result<ReleaseMergeRequest | undefined, HotfixError>> {
  const listed = await client.request(
    {
      method: 'GET',
      route,
      params: { id: project },
      query: { source_branch: sourceBranch, target_branch: targetBranch, state: 'all', per_page: 100 },
    },
    z.array(releaseMergeRequestSchema),
  );
  if (listed.isErr()) return err(listed.error);
  // The filters are checked locally too: an instance that ignores one must not hand us another MR.
  const ours = listed.value
    .filter((m) => m.source_branch === sourceBranch && m.target_branch === targetBranch)
    .filter((m) => (m.description ?? '').includes(marker))
    .sort((a, b) => b.iid - a.iid);
  const best =
    ours.find((m) => m.state === 'opened') ?? ours.find((m) => m.state === 'merged') ?? ours.find(() => true);
  if (!best) return ok(undefined);
  const full = await readReleaseMergeRequest(client, project, best.iid);
  return full.isErr() ? err(full.error) : ok(full.value);
}

const branchCreated = z.object({ name: z.string(), commit: z.object({ id: z.string() }) });

/**
 * The pick branch, created from `ref` when missing; returns its head. A create whose answer was lost,
 * or that GitLab refuses because the branch exists, is settled by reading the branch again.
 */
export async function ensurePickBranch(
  client: GitLabClient,
  project: string,
  branch: string,
  ref: string,
): Promise<Result<{ head: string; created: boolean }, HotfixError>> {
  const found = await client.branch(project, branch);
  if (found.isOk()) return ok({ head: found.value.commit.id, created: false });
  if (found.error.code !== 'gitlab-not-found') return err(found.error);
  const made = await client.request(
    { method: 'POST', route: '/projects/:id/repository/branches', params: { id: project }, body: { branch, ref } },
    branchCreated,
  );
  if (made.isOk()) return ok({ head: made.value.commit.id, created: true });
  const again = await client.branch(project, branch);
  return again.isOk() ? ok({ head: again.value.commit.id, created: false }) : err(made.error);
}

/** What the release MR is opened with. */
export interface OpenReleaseMergeRequest {
  readonly project: string;
  readonly sourceBranch: string;
  readonly targetBranch: string;
  readonly title: string;
  readonly description: string;
  readonly labels: readonly string[];
  readonly marker: string;
}

/**
 * Opens the release MR (POST, never re-sent): a refusal because one is already open for the branch,
 * or a lost answer, is settled by finding the MR by its branch and marker.
 */
export async function openReleaseMergeRequest(
  client: GitLabClient,
  o: OpenReleaseMergeRequest,
): Promise<Result<ReleaseMergeRequest, HotfixError>> {
  const made = await client.request(
    {
      method: 'POST',
      route,
      params: { id: o.project },
      body: {
        source_branch: o.sourceBranch,
        target_branch: o.targetBranch,
        title: o.title,
        description: o.description,
        ...(o.labels.length ? { labels: o.labels.join(',') } : {}),
        remove_source_branch: true,
      },
    },
    releaseMergeRequestSchema,
  );
  if (made.isOk()) return ok(made.value);
  const found = await findReleaseMergeRequest(client, o.project, o.sourceBranch, o.targetBranch, o.marker);
  if (found.isOk() && found.value) return ok(found.value);
  return err(made.error);
}

/** What a merge attempt came to. */
export type MergeAttempt =
  | { readonly kind: 'merged'; readonly mr: ReleaseMergeRequest }
  /** GitLab refused: 401/403 (this user may not merge), 405/406/422 (not mergeable now), 409 (the head moved). */
  | { readonly kind: 'refused'; readonly status: number; readonly message: string };

/**
 * PUT …/merge with the `sha` guard (GitLab merges only that head of the source branch). Sent once; a
 * lost answer is settled by reading the MR back. Refusals are outcomes, other failures errors.
 */
export async function mergeReleaseMergeRequest(
  client: GitLabClient,
  project: string,
  iid: number,
  sha: string,
): Promise<Result<MergeAttempt, HotfixError>> {
  const r = await client.request(
    {
      method: 'PUT',
      route: `${route}/:iid/merge`,
      params: { id: project, iid },
      body: { sha, should_remove_source_branch: true },
    },
    releaseMergeRequestSchema,
  );
  if (r.isOk()) return ok(await settleMerged(client, project, r.value));
  const e = r.error;
  if (e.code === 'gitlab-unauthorized' || e.code === 'gitlab-forbidden' || e.code === 'gitlab-http') {
    return ok({ kind: 'refused', status: e.details.status, message: e.details.gitlabMessage });
  }
  if (e.code === 'outcome-unknown' || e.code === 'gitlab-unavailable') {
    const back = await readReleaseMergeRequest(client, project, iid);
    if (back.isOk() && back.value.state === 'merged') return ok({ kind: 'merged', mr: back.value });
  }
  return err(e);
}

/** GitLab may answer the merge before the MR reads `merged` (a merge in progress): read it back a few times. */
async function settleMerged(client: GitLabClient, project: string, mr: ReleaseMergeRequest): Promise<MergeAttempt> {
  let current = mr;
  for (let i = 0; i < 5 && current.state !== 'merged'; i++) {
    await client.clock.sleep(1_000);
    current = await must(readReleaseMergeRequest(client, project, mr.iid));
  }
  if (current.state === 'merged') return { kind: 'merged', mr: current };
  return { kind: 'refused', status: 202, message: `the merge was accepted but the MR still reads ${current.state}` };
}
