import { ApiError, forbidden, invalidParam, json, missingParam, paginate, validationError } from '../_internal/http.js';
import type { RequestContext, Router } from '../_internal/router.js';
import { retryPipeline } from '../ci/actions.js';
import { pipelineBasic, pipelineDetail } from '../ci/entities.js';
import {
  engineOf,
  entityCtx,
  enumParam,
  pipelineParam,
  recordNotFound,
  sortBy,
  timeParam,
} from '../ci/http-helpers.js';
import { type PipelineVariable, projectCi, type SimPipeline } from '../ci/model.js';
import { ACCESS, type SimProject } from '../state.js';
import { protectionFor } from './branches.js';
import type { ResourceDeps } from './deps.js';

const STATUSES = [
  'created',
  'waiting_for_resource',
  'preparing',
  'waiting_for_callback',
  'pending',
  'running',
  'success',
  'failed',
  'canceling',
  'canceled',
  'skipped',
  'manual',
  'scheduled',
] as const;
const SOURCES = [
  'push',
  'web',
  'trigger',
  'schedule',
  'api',
  'external',
  'pipeline',
  'chat',
  'webide',
  'merge_request_event',
  'external_pull_request_event',
  'parent_pipeline',
  'ondemand_dast_scan',
  'ondemand_dast_validation',
  'security_orchestration_policy',
] as const;

function readVariables(raw: unknown): PipelineVariable[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw invalidParam('variables');
  return raw.map((v) => {
    if (!v || typeof v !== 'object' || typeof (v as { key?: unknown }).key !== 'string') {
      throw new ApiError(400, { error: 'variables[key] is missing' });
    }
    const o = v as { key: string; value?: unknown; variable_type?: unknown };
    const type = o.variable_type ?? 'env_var';
    if (type !== 'env_var' && type !== 'file')
      throw new ApiError(400, { error: 'variables[variable_type] does not have a valid value' });
    return { key: o.key, value: o.value === undefined || o.value === null ? '' : String(o.value), variable_type: type };
  });
}

function mayUseVariables(ctx: RequestContext, project: SimProject): boolean {
  const min = project.pipelineVariablesMinimumRole;
  return min >= ACCESS.developer && !!ctx.user && ctx.state.accessLevel(project, ctx.user.id) >= min;
}

/** GitLab's `allowed_to_write_ref?`: on a protected branch, the user must be allowed to push or merge there. */
function mayRunOnRef(ctx: RequestContext, project: SimProject, ref: string): boolean {
  const rule = protectionFor(project, ref);
  if (!rule) return true;
  const level = ctx.user ? ctx.state.accessLevel(project, ctx.user.id) : 0;
  const allowed = (min: number) => min > 0 && level >= min;
  return allowed(rule.pushAccessLevel) || allowed(rule.mergeAccessLevel);
}

function filterPipelines(ctx: RequestContext, project: SimProject): SimPipeline[] {
  const q = ctx.query;
  const scope = enumParam(q, 'scope', ['running', 'pending', 'finished', 'branches', 'tags'] as const);
  const status = enumParam(q, 'status', STATUSES);
  const source = enumParam(q, 'source', SOURCES);
  const orderBy = enumParam(q, 'order_by', ['id', 'status', 'ref', 'updated_at', 'user_id'] as const) ?? 'id';
  const sort = enumParam(q, 'sort', ['asc', 'desc'] as const) ?? 'desc';
  const [ua, ub, created_a, created_b] = ['updated_after', 'updated_before', 'created_after', 'created_before'].map(
    (n) => timeParam(q, n),
  );
  // Realistic: GitLab versions before these filters existed accept and ignore them.
  const [ca, cb] = ctx.state.realistic.ignoreCreatedFilters ? [undefined, undefined] : [created_a, created_b];
  const ref = q.get('ref');
  const sha = q.get('sha');
  const name = q.get('name');
  const username = q.get('username');
  let list = projectCi(project).pipelines.filter((p) => {
    if (source ? p.source !== source : p.source === 'parent_pipeline') return false;
    if (status && p.status !== status) return false;
    if (scope === 'running' && p.status !== 'running') return false;
    if (scope === 'pending' && p.status !== 'pending') return false;
    if (scope === 'finished' && !['success', 'failed', 'canceled', 'skipped'].includes(p.status)) return false;
    if (scope === 'branches' && p.tag) return false;
    if (scope === 'tags' && !p.tag) return false;
    if (ref !== undefined && p.ref !== ref) return false;
    if (sha !== undefined && p.sha !== sha) return false;
    if (name !== undefined && p.name !== name) return false;
    if (username !== undefined && ctx.state.user(p.userId)?.username !== username) return false;
    const u = Date.parse(p.updatedAt);
    const c = Date.parse(p.createdAt);
    if ((ua !== undefined && u < ua) || (ub !== undefined && u > ub)) return false;
    if ((ca !== undefined && c < ca) || (cb !== undefined && c > cb)) return false;
    return true;
  });
  if (scope === 'branches' || scope === 'tags') {
    const latest = new Map<string, SimPipeline>();
    for (const p of list) if ((latest.get(p.ref)?.id ?? 0) < p.id) latest.set(p.ref, p);
    list = [...latest.values()];
  }
  const key = (p: SimPipeline): string | number =>
    orderBy === 'id' ? p.id : orderBy === 'user_id' ? p.userId : orderBy === 'updated_at' ? p.updatedAt : p[orderBy];
  return sortBy(list, key, sort === 'desc');
}

/** Pipelines: create, list, get, latest, variables, cancel, retry. */
export function registerPipelines(router: Router, _deps: ResourceDeps): void {
  router.on('POST', '/projects/:id/pipeline', async (ctx) => {
    const project = ctx.services.project(ctx);
    ctx.services.requireAccess(ctx, project, ACCESS.developer);
    const ref = ctx.body.ref;
    if (ref === undefined || ref === null || ref === '') throw missingParam('ref');
    if (typeof ref !== 'string') throw invalidParam('ref');
    const variables = readVariables(ctx.body.variables);
    const inputs = ctx.body.inputs ?? {};
    if (typeof inputs !== 'object' || Array.isArray(inputs) || inputs === null) throw invalidParam('inputs');
    if (ctx.state.realistic.protectedOrchestrationRef && !mayRunOnRef(ctx, project, ref)) {
      throw validationError({
        base: [
          `You do not have sufficient permission to run a pipeline on '${ref}'. Please select a different branch or contact your administrator for assistance.`,
        ],
      });
    }
    if (variables.length && !mayUseVariables(ctx, project)) {
      throw validationError({ base: ['Insufficient permissions to set pipeline variables'] });
    }
    const engine = engineOf(ctx);
    const limit = engine.settings.pipelineCreationLimitPerMinute;
    const since = ctx.clock.now() - 60_000;
    const recent = projectCi(project).pipelines.filter(
      (p) => p.source === 'api' && p.userId === ctx.user?.id && Date.parse(p.createdAt) > since,
    );
    if (limit > 0 && recent.length >= limit) {
      // Application rate limit on pipeline creation: a 400, not a 429, and no RateLimit headers.
      throw validationError({ base: ['Too many pipelines created in the last minute. Try again later.'] });
    }
    const result = await engine.createPipeline(project, {
      ref,
      userId: ctx.user?.id ?? 0,
      source: 'api',
      inputs: inputs as Record<string, unknown>,
      variables,
    });
    if ('errors' in result) throw validationError({ base: result.errors });
    return json(pipelineDetail(entityCtx(ctx), result.pipeline), 201);
  });

  router.on('GET', '/projects/:id/pipelines', (ctx) => {
    const project = ctx.services.project(ctx);
    const list = filterPipelines(ctx, project);
    const ectx = entityCtx(ctx);
    const page = paginate(list, ctx.query, ctx.url);
    return { ...page, body: page.body.map((p) => ({ ...pipelineBasic(ectx, p), name: p.name })) };
  });

  router.on('GET', '/projects/:id/pipelines/latest', (ctx) => {
    const project = ctx.services.project(ctx);
    const ref = ctx.query.get('ref') ?? project.defaultBranch;
    const latest = projectCi(project)
      .pipelines.filter((p) => p.ref === ref && p.source !== 'parent_pipeline')
      .sort((a, b) => b.id - a.id)[0];
    if (!latest) throw recordNotFound();
    return json(pipelineDetail(entityCtx(ctx), latest));
  });

  router.on('GET', '/projects/:id/pipelines/:pipeline_id', (ctx) => {
    const project = ctx.services.project(ctx);
    return json(pipelineDetail(entityCtx(ctx), pipelineParam(ctx, project)));
  });

  router.on('GET', '/projects/:id/pipelines/:pipeline_id/variables', (ctx) => {
    const project = ctx.services.project(ctx);
    ctx.services.requireAccess(ctx, project, ACCESS.developer);
    const p = pipelineParam(ctx, project);
    // Realistic: a Developer may not read the variables of a pipeline someone else started.
    if (ctx.state.realistic.variablesNeedMaintainer && p.userId !== ctx.user?.id) {
      ctx.services.requireAccess(ctx, project, ACCESS.maintainer);
    }
    return json(p.variables.map((v) => ({ variable_type: v.variable_type, key: v.key, value: v.value })));
  });

  router.on('POST', '/projects/:id/pipelines/:pipeline_id/cancel', (ctx) => {
    const project = ctx.services.project(ctx);
    if (!ctx.user || ctx.state.accessLevel(project, ctx.user.id) < ACCESS.developer) throw forbidden();
    const p = pipelineParam(ctx, project);
    engineOf(ctx).lifecycle.cancelPipeline(p, ctx.clock.now());
    return json(pipelineDetail(entityCtx(ctx), p), 201);
  });

  router.on('POST', '/projects/:id/pipelines/:pipeline_id/retry', (ctx) => {
    const project = ctx.services.project(ctx);
    if (!ctx.user || ctx.state.accessLevel(project, ctx.user.id) < ACCESS.developer) throw forbidden();
    const p = pipelineParam(ctx, project);
    const engine = engineOf(ctx);
    retryPipeline(engine.lifecycle, ctx.state, p, ctx.user.id, ctx.clock.now());
    return json(pipelineDetail(entityCtx(ctx), p), 201);
  });
}
