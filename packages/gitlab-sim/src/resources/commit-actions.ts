import { type CommitInfo, commitEntity, commitTitle, logCommits, readCommit } from '../_internal/commits.js';
import { ApiError, forbidden, json, notFound } from '../_internal/http.js';
import { Params } from '../_internal/params.js';
import { type ApplyOutcome, applyCommit } from '../_internal/pick.js';
import type { RequestContext, Router } from '../_internal/router.js';
import { ACCESS, type SimMergeRequest, type SimProject } from '../state.js';
import { canPush } from './branches.js';
import type { ResourceDeps } from './deps.js';

const FAILURE_TEXT =
  "Can't perform this action automatically. It may have already been done, or a more recent commit may have updated some of this content. Please perform this action locally.";

function mergedRequestFor(project: SimProject, sha: string): SimMergeRequest | undefined {
  return project.mergeRequests.find((mr) => mr.state === 'merged' && mr.mergeCommitSha === sha);
}

/**
 * GitLab's default cherry-pick message (`Commit#cherry_pick_message`): the original message, a
 * blank line, `(cherry picked from commit <sha>)`, and for an MR merge commit the MR's commits.
 */
export async function cherryPickMessage(project: SimProject, commit: CommitInfo): Promise<string> {
  const lines = [`(cherry picked from commit ${commit.id})`];
  const mr = mergedRequestFor(project, commit.id);
  if (mr) {
    const commits = (await logCommits(project.repoDir, [`${mr.diffBaseSha}..${mr.sha}`])) ?? [];
    if (commits.length) {
      lines.push('');
      for (const c of [...commits].reverse()) lines.push(`${c.id.slice(0, 8)} ${commitTitle(c.message)}`);
    }
  }
  return `${commit.message.trimEnd()}\n\n${lines.join('\n')}`;
}

/** GitLab's default revert message (`Commit#revert_message`). */
export function revertMessage(project: SimProject, commit: CommitInfo): string {
  const mr = mergedRequestFor(project, commit.id);
  const description = mr ? `This reverts merge request !${mr.iid}` : `This reverts commit ${commit.id}`;
  return `Revert "${commitTitle(commit.message).trim()}"\n\n${description}`;
}

function failure(
  op: 'cherry-pick' | 'revert',
  kind: 'conflict' | 'empty' | 'diverged',
  isMr: boolean,
  dryRun: boolean,
): ApiError {
  const what = isMr ? 'Merge request' : 'Commit';
  const body: Record<string, unknown> =
    kind === 'diverged'
      ? { message: `${what} ${op} failed: the branch changed while the ${op} was running` }
      : { message: `${what} ${op} failed: ${FAILURE_TEXT}`, error_code: kind };
  if (dryRun) body.dry_run = 'error';
  return new ApiError(400, body);
}

async function handle(ctx: RequestContext, op: 'cherry-pick' | 'revert') {
  const project = ctx.services.project(ctx);
  const p = new Params(ctx.body);
  p.require(['branch'], { allowBlank: false });
  const branch = p.str('branch') as string;
  ctx.services.requireAccess(ctx, project, ACCESS.developer);
  if (!canPush(ctx, project, branch)) throw forbidden();
  const commit = await readCommit(project.repoDir, ctx.params.sha as string);
  if (!commit) throw notFound('Commit');
  const dryRun = p.bool('dry_run') ?? false;
  const user = ctx.user as NonNullable<RequestContext['user']>;
  const now = ctx.clock.iso();
  const committer = { name: user.name, email: user.email, date: now };
  const message =
    op === 'cherry-pick'
      ? (p.str('message') ?? (await cherryPickMessage(project, commit)))
      : revertMessage(project, commit);
  const author =
    op === 'cherry-pick'
      ? { name: commit.authorName, email: commit.authorEmail, date: commit.authoredDate }
      : committer;
  const outcome: ApplyOutcome = await ctx.services.withRepoLock(project, () =>
    applyCommit(project.repoDir, { mode: op, commit, branch, message, author, committer, dryRun }),
  );
  const isMr = mergedRequestFor(project, commit.id) !== undefined;
  switch (outcome.kind) {
    case 'no-branch':
      throw notFound('Branch');
    case 'dry-run-ok':
      return json({ dry_run: 'success' });
    case 'applied': {
      const created = (await readCommit(project.repoDir, outcome.sha)) as CommitInfo;
      return json(commitEntity(created, project, ctx.baseUrl), 201);
    }
    default:
      throw failure(op, outcome.kind, isMr, dryRun);
  }
}

/** POST /projects/:id/repository/commits/:sha/cherry_pick and /revert, computed by native git. */
export function registerCommitActions(router: Router, _deps: ResourceDeps): void {
  router.on('POST', '/projects/:id/repository/commits/:sha/cherry_pick', (ctx) => handle(ctx, 'cherry-pick'));
  router.on('POST', '/projects/:id/repository/commits/:sha/revert', (ctx) => handle(ctx, 'revert'));
}
