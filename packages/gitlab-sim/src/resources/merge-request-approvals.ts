import { ApiError, json, unauthorized } from '../_internal/http.js';
import { approvalsLeft } from '../_internal/merge-requests.js';
import { Params } from '../_internal/params.js';
import type { RequestContext, Router } from '../_internal/router.js';
import { ACCESS, type SimMergeRequest, type SimProject } from '../state.js';
import type { ResourceDeps } from './deps.js';
import { userBasic } from './entities.js';
import { findMergeRequest } from './merge-requests.js';

/**
 * The approval state: CE's fields (`approved`, `approved_by`, `user_has_approved`,
 * `user_can_approve`) plus EE's `approvals_required` and `approvals_left`.
 */
function approvalsEntity(ctx: RequestContext, project: SimProject, mr: SimMergeRequest): Record<string, unknown> {
  const userId = ctx.user?.id;
  const left = approvalsLeft(mr);
  // Realistic: the Free tier's answer has no approval rules, hence no `approvals_required` / `approvals_left`.
  const ce = ctx.state.realistic.omitOptionalFields && !ctx.state.instance.enterprise;
  return {
    id: mr.id,
    iid: mr.iid,
    project_id: project.id,
    title: mr.title,
    description: mr.description,
    state: mr.state,
    created_at: mr.createdAt,
    updated_at: mr.updatedAt,
    merge_status: 'can_be_merged',
    approved: mr.approvalsRequired > 0 ? left === 0 : mr.approvedBy.length > 0,
    ...(ce ? {} : { approvals_required: mr.approvalsRequired, approvals_left: left }),
    require_password_to_approve: false,
    approved_by: mr.approvedBy.map((a) => ({
      user: userBasic(ctx.state.user(a.userId), ctx.baseUrl),
      approved_at: a.at,
    })),
    suggested_approvers: [],
    approvers: [],
    approver_groups: [],
    user_has_approved: userId !== undefined && mr.approvedBy.some((a) => a.userId === userId),
    user_can_approve:
      userId !== undefined &&
      !mr.approvedBy.some((a) => a.userId === userId) &&
      ctx.state.accessLevel(project, userId) >= ACCESS.developer,
    approval_rules_left: [],
    has_approval_rules: mr.approvalsRequired > 0,
    merge_request_approvers_available: false,
    multiple_approval_rules_available: false,
    invalid_approvers_rules: [],
  };
}

/** EE's project approval rule entity, for the one rule the simulator keeps. */
function ruleEntity(project: SimProject): Record<string, unknown> {
  return {
    id: project.id * 100 + 1,
    name: 'Any approver',
    rule_type: 'any_approver',
    eligible_approvers: [],
    approvals_required: project.approvalsBeforeMerge ?? 0,
    users: [],
    groups: [],
    contains_hidden_groups: false,
    protected_branches: [],
    applies_to_all_protected_branches: false,
  };
}

/**
 * GET …/approvals, POST …/approve and …/unapprove; and the project's approval rule (EE
 * `GET`/`POST /projects/:id/approval_rules`, one any-approver rule), which new MRs and open MRs follow.
 */
export function registerMergeRequestApprovals(router: Router, _deps: ResourceDeps): void {
  router.on('GET', '/projects/:id/approval_rules', (ctx) => {
    const project = ctx.services.project(ctx);
    return json(project.approvalsBeforeMerge ? [ruleEntity(project)] : []);
  });
  router.on('POST', '/projects/:id/approval_rules', (ctx) => {
    const project = ctx.services.project(ctx);
    ctx.services.requireAccess(ctx, project, ACCESS.maintainer);
    const p = new Params(ctx.body);
    p.require(['name', 'approvals_required']);
    const required = p.int('approvals_required') ?? 0;
    if (required < 0)
      throw new ApiError(400, { message: { approvals_required: ['must be greater than or equal to 0'] } });
    project.approvalsBeforeMerge = required;
    for (const mr of project.mergeRequests) if (mr.state === 'opened') mr.approvalsRequired = required;
    return json(ruleEntity(project), 201);
  });
  router.on('GET', '/projects/:id/merge_requests/:merge_request_iid/approvals', (ctx) => {
    const project = ctx.services.project(ctx);
    return json(approvalsEntity(ctx, project, findMergeRequest(ctx, project)));
  });
  router.on('POST', '/projects/:id/merge_requests/:merge_request_iid/approve', (ctx) => {
    const project = ctx.services.project(ctx);
    const mr = findMergeRequest(ctx, project);
    if (!ctx.user || ctx.state.accessLevel(project, ctx.user.id) < ACCESS.developer) throw unauthorized();
    const userId = ctx.user.id;
    const sha = new Params(ctx.body).str('sha');
    if (sha !== undefined && sha !== mr.sha) {
      throw new ApiError(409, { message: 'SHA does not match HEAD of source branch' });
    }
    if (mr.approvedBy.some((a) => a.userId === userId)) throw unauthorized();
    mr.approvedBy.push({ userId, at: ctx.clock.iso() });
    return json(approvalsEntity(ctx, project, mr), 201);
  });
  router.on('POST', '/projects/:id/merge_requests/:merge_request_iid/unapprove', (ctx) => {
    const project = ctx.services.project(ctx);
    const mr = findMergeRequest(ctx, project);
    const userId = ctx.user?.id;
    if (userId === undefined || !mr.approvedBy.some((a) => a.userId === userId)) {
      throw new ApiError(404, { message: '404 Not found' });
    }
    mr.approvedBy = mr.approvedBy.filter((a) => a.userId !== userId);
    return json(approvalsEntity(ctx, project, mr), 201);
  });
}
