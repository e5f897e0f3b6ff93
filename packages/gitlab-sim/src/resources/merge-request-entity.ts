import { branchHead } from '../_internal/commits.js';
import { runGit } from '../_internal/git.js';
import { approvalsLeft, refreshOpenMergeRequest } from '../_internal/merge-requests.js';
import type { RequestContext } from '../_internal/router.js';
import { projectCi } from '../ci/model.js';
import { ACCESS, type SimMergeRequest, type SimProject } from '../state.js';
import { protectionFor } from './branches.js';
import { lastPipelineFor } from './commits.js';
import { userBasic } from './entities.js';
import { findLabel, labelBasic } from './labels.js';

const DRAFT = /^\s*(\[draft\]|\(draft\)|draft:|draft\s-\s|draft\s|wip:|\[wip\]|wip\s)/i;

/** Whether a title marks the MR as a draft, as GitLab's draft prefixes do. */
export function isDraft(title: string): boolean {
  return DRAFT.test(title);
}

async function hasConflicts(project: SimProject, mr: SimMergeRequest): Promise<boolean> {
  if (mr.state !== 'opened') return false;
  const target = await branchHead(project.repoDir, mr.targetBranch);
  const source = (await branchHead(project.repoDir, mr.sourceBranch)) ?? mr.sha;
  if (!target) return false;
  const run = await runGit(['merge-tree', '--write-tree', '--no-messages', target, source], { cwd: project.repoDir });
  return run.code === 1;
}

const RUNNING = new Set(['created', 'waiting_for_resource', 'preparing', 'pending', 'running', 'scheduled']);

/** The status of the newest pipeline of a commit (the MR's head pipeline), if any. */
export function headPipelineStatus(project: SimProject, sha: string): string | undefined {
  return projectCi(project)
    .pipelines.filter((p) => p.sha === sha)
    .sort((a, b) => b.id - a.id)[0]?.status;
}

/** Whether the user may merge into the MR's target branch (protected-branch merge level). */
export function canMerge(ctx: RequestContext, project: SimProject, mr: SimMergeRequest): boolean {
  if (!ctx.user) return false;
  const level = ctx.state.accessLevel(project, ctx.user.id);
  const rule = protectionFor(project, mr.targetBranch);
  if (rule?.mergeAccessLevel === 0) return false;
  return level >= (rule ? rule.mergeAccessLevel : ACCESS.developer);
}

/**
 * Entities::MergeRequestBasic (list items) or, with `detail`, Entities::MergeRequest
 * (single GET, create, update, merge).
 */
export async function mergeRequestEntity(
  ctx: RequestContext,
  project: SimProject,
  mr: SimMergeRequest,
  opts: { detail: boolean; labelDetails?: boolean },
): Promise<Record<string, unknown>> {
  await refreshOpenMergeRequest(project, mr);
  const user = (id: number | null) => (id === null ? null : userBasic(ctx.state.user(id), ctx.baseUrl));
  const conflicts = await hasConflicts(project, mr);
  const draft = isDraft(mr.title);
  let detailed = 'mergeable';
  if (mr.state !== 'opened') detailed = 'not_open';
  else if (draft) detailed = 'draft_status';
  else if (conflicts) detailed = 'conflict';
  else if (approvalsLeft(mr) > 0) detailed = 'not_approved';
  else if (project.onlyAllowMergeIfPipelineSucceeds) {
    const status = headPipelineStatus(project, mr.sha);
    if (status !== 'success') detailed = status && RUNNING.has(status) ? 'ci_still_running' : 'ci_must_pass';
  }
  const merger = mr.state === 'merged' ? user(mr.mergeUserId) : null;
  const closedEvent = mr.state === 'closed' ? mr.updatedAt : null;
  const entity: Record<string, unknown> = {
    id: mr.id,
    iid: mr.iid,
    project_id: project.id,
    title: mr.title,
    description: mr.description,
    state: mr.state,
    created_at: mr.createdAt,
    updated_at: mr.updatedAt,
    merged_by: merger,
    merge_user: merger,
    merged_at: mr.mergedAt,
    closed_by: mr.state === 'closed' ? user(mr.authorId) : null,
    closed_at: closedEvent,
    target_branch: mr.targetBranch,
    source_branch: mr.sourceBranch,
    user_notes_count: mr.notes.filter((n) => !n.system).length,
    upvotes: 0,
    downvotes: 0,
    author: user(mr.authorId),
    assignees: [],
    assignee: null,
    reviewers: [],
    source_project_id: project.id,
    target_project_id: project.id,
    labels: opts.labelDetails
      ? mr.labels.map((name) => findLabel(project, name)).flatMap((l) => (l ? [labelBasic(l)] : []))
      : [...mr.labels],
    draft,
    imported: false,
    imported_from: 'none',
    work_in_progress: draft,
    milestone: null,
    merge_when_pipeline_succeeds: false,
    merge_status: conflicts ? 'cannot_be_merged' : 'can_be_merged',
    detailed_merge_status: detailed,
    merge_after: null,
    sha: mr.sha,
    merge_commit_sha: mr.mergeCommitSha,
    squash_commit_sha: mr.squashCommitSha,
    discussion_locked: null,
    should_remove_source_branch: null,
    force_remove_source_branch: false,
    prepared_at: mr.createdAt,
    allow_collaboration: false,
    allow_maintainer_to_push: false,
    reference: `!${mr.iid}`,
    references: { short: `!${mr.iid}`, relative: `!${mr.iid}`, full: `${project.path}!${mr.iid}` },
    web_url: `${ctx.baseUrl}/${project.path}/-/merge_requests/${mr.iid}`,
    time_stats: { time_estimate: 0, total_time_spent: 0, human_time_estimate: null, human_total_time_spent: null },
    squash: mr.squash,
    squash_on_merge: mr.squash,
    task_completion_status: { count: 0, completed_count: 0 },
    has_conflicts: conflicts,
    blocking_discussions_resolved: true,
    approvals_before_merge: null,
  };
  if (!opts.detail) return entity;
  const changes = await runGit(['diff', '--name-only', '-M', mr.diffBaseSha, mr.sha], { cwd: project.repoDir });
  const count = changes.stdout.toString('utf8').split('\n').filter(Boolean).length;
  const headPipeline = lastPipelineFor(ctx, project, mr.sha);
  return {
    ...entity,
    subscribed: false,
    changes_count: String(count),
    latest_build_started_at: null,
    latest_build_finished_at: null,
    first_deployed_to_production_at: null,
    pipeline: headPipeline,
    head_pipeline: headPipeline,
    diff_refs: { base_sha: mr.diffBaseSha, head_sha: mr.sha, start_sha: mr.diffStartSha },
    merge_error: null,
    first_contribution: false,
    user: { can_merge: canMerge(ctx, project, mr) },
  };
}
