import { badRequest, json, paginate } from '../_internal/http.js';
import type { RequestContext, Router } from '../_internal/router.js';
import { deploymentEntity } from '../ci/entities.js';
import { entityCtx, enumParam, intParam, recordNotFound, sortBy, timeParam } from '../ci/http-helpers.js';
import { type DeploymentStatus, projectCi, type SimDeployment } from '../ci/model.js';
import type { SimProject } from '../state.js';
import type { ResourceDeps } from './deps.js';

const STATUSES = ['created', 'running', 'success', 'failed', 'canceled', 'skipped', 'blocked'] as const;
const FINISHED: readonly DeploymentStatus[] = ['success', 'failed', 'canceled', 'skipped'];

/** GitLab's DeploymentsFinder: filters, their efficiency rules (400s) and ordering (ascending by default). */
function findDeployments(ctx: RequestContext, project: SimProject): SimDeployment[] {
  const q = ctx.query;
  const status = enumParam(q, 'status', STATUSES);
  let orderBy =
    enumParam(q, 'order_by', ['id', 'iid', 'created_at', 'updated_at', 'finished_at', 'ref'] as const) ?? 'id';
  if (orderBy === 'iid' || orderBy === 'created_at') orderBy = 'id';
  const sort = enumParam(q, 'sort', ['asc', 'desc'] as const) ?? 'asc';
  const ua = timeParam(q, 'updated_after');
  const ub = timeParam(q, 'updated_before');
  const fa = timeParam(q, 'finished_after');
  const fb = timeParam(q, 'finished_before');
  const byUpdated = ua !== undefined || ub !== undefined;
  const byFinished = fa !== undefined || fb !== undefined;
  if (byUpdated && byFinished) {
    throw badRequest('Both `updated_at` filter and `finished_at` filter can not be specified');
  }
  if (byUpdated && orderBy !== 'updated_at') throw badRequest('`updated_at` filter requires `updated_at` sort');
  if (byFinished && orderBy !== 'finished_at') throw badRequest('`finished_at` filter requires `finished_at` sort.');
  if (orderBy === 'finished_at' && !(byFinished || (status && FINISHED.includes(status)))) {
    throw badRequest(
      '`finished_at` sort requires `finished_at` filter or a filter with at least one of the finished statuses.',
    );
  }
  if (byFinished && status !== 'success') {
    throw badRequest('`finished_at` filter must be combined with `success` status filter.');
  }
  const envName = q.get('environment');
  const ci = projectCi(project);
  const envIds = envName === undefined ? undefined : ci.environments.filter((e) => e.name === envName).map((e) => e.id);
  const list = ci.deployments.filter((d) => {
    if (envIds && !envIds.includes(d.environmentId)) return false;
    if (status && d.status !== status) return false;
    const u = Date.parse(d.updatedAt);
    if ((ua !== undefined && u < ua) || (ub !== undefined && u >= ub)) return false;
    if (byFinished) {
      const f = d.finishedAt ? Date.parse(d.finishedAt) : Number.NaN;
      if (Number.isNaN(f) || (fa !== undefined && f < fa) || (fb !== undefined && f >= fb)) return false;
    }
    return true;
  });
  const key = (d: SimDeployment): string | number =>
    orderBy === 'updated_at'
      ? d.updatedAt
      : orderBy === 'finished_at'
        ? (d.finishedAt ?? '')
        : orderBy === 'ref'
          ? d.ref
          : d.id;
  return sortBy(list, key, sort === 'desc');
}

/** Deployments: list with GitLab's filters and rules, and get. */
export function registerDeployments(router: Router, _deps: ResourceDeps): void {
  router.on('GET', '/projects/:id/deployments', (ctx) => {
    const project = ctx.services.project(ctx);
    const list = findDeployments(ctx, project);
    const ectx = entityCtx(ctx);
    const page = paginate(list, ctx.query, ctx.url);
    return { ...page, body: page.body.map((d) => deploymentEntity(ectx, d)) };
  });

  router.on('GET', '/projects/:id/deployments/:deployment_id', (ctx) => {
    const project = ctx.services.project(ctx);
    const id = intParam(ctx, 'deployment_id');
    const dep = projectCi(project).deployments.find((d) => d.id === id);
    if (!dep) throw recordNotFound();
    return json(deploymentEntity(entityCtx(ctx), dep));
  });
}
