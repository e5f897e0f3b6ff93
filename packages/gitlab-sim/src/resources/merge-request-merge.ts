import { branchHead } from '../_internal/commits.js';
import { ApiError, json, unauthorized } from '../_internal/http.js';
import { approvalsLeft, mergeMergeRequest } from '../_internal/merge-requests.js';
import { Params } from '../_internal/params.js';
import type { RequestContext, Router } from '../_internal/router.js';
import type { ResourceDeps } from './deps.js';
import { canMerge, headPipelineStatus, isDraft, mergeRequestEntity } from './merge-request-entity.js';
import { findMergeRequest } from './merge-requests.js';

const NOT_ALLOWED = new ApiError(405, { message: '405 Method Not Allowed' });

/**
 * PUT /projects/:id/merge_requests/:merge_request_iid/merge, honouring the project's merge
 * method (`merge`, `rebase_merge`, `ff`) and `squash`.
 */
export function registerMergeRequestMerge(router: Router, _deps: ResourceDeps): void {
  router.on('PUT', '/projects/:id/merge_requests/:merge_request_iid/merge', async (ctx) => {
    const project = ctx.services.project(ctx);
    const mr = findMergeRequest(ctx, project);
    if (!canMerge(ctx, project, mr)) throw unauthorized();
    if (mr.state !== 'opened' || isDraft(mr.title) || approvalsLeft(mr) > 0) throw NOT_ALLOWED;
    // "Pipelines must succeed": 405 while the head pipeline is pending or running, failed, or missing.
    if (project.onlyAllowMergeIfPipelineSucceeds && headPipelineStatus(project, mr.sha) !== 'success')
      throw NOT_ALLOWED;
    const p = new Params(ctx.body);
    const user = ctx.user as NonNullable<RequestContext['user']>;
    const outcome = await ctx.services.withRepoLock(project, async () => {
      const head = (await branchHead(project.repoDir, mr.sourceBranch)) ?? mr.sha;
      const expected = p.str('sha');
      if (expected !== undefined && expected !== head) {
        throw new ApiError(409, { message: `SHA does not match HEAD of source branch: ${head}` });
      }
      const squashMessage = p.str('squash_commit_message');
      const mergeMessage = p.str('merge_commit_message');
      return mergeMergeRequest(project, mr, {
        method: project.mergeMethod,
        squash: p.bool('squash') ?? mr.squash,
        user: { id: user.id, name: user.name, email: user.email, date: ctx.clock.iso() },
        squashAuthor: ctx.state.user(mr.authorId) ?? user,
        ...(squashMessage !== undefined ? { squashCommitMessage: squashMessage } : {}),
        ...(mergeMessage !== undefined ? { mergeCommitMessage: mergeMessage } : {}),
      });
    });
    if (outcome.kind !== 'merged') throw new ApiError(422, { message: 'Branch cannot be merged' });
    return json(await mergeRequestEntity(ctx, project, mr, { detail: true }));
  });
}
