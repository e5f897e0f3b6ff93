import { ApiError, badRequest, forbidden, json, paginate } from '../_internal/http.js';
import type { RequestContext, Router } from '../_internal/router.js';
import { playJob, retryJob } from '../ci/actions.js';
import { bridgeEntity, jobEntity } from '../ci/entities.js';
import { engineOf, entityCtx, enumList, jobParam, pipelineParam } from '../ci/http-helpers.js';
import { projectCi, type SimJob } from '../ci/model.js';
import { ACCESS, type SimProject } from '../state.js';
import type { ResourceDeps } from './deps.js';

const JOB_STATUSES = [
  'canceled',
  'canceling',
  'created',
  'failed',
  'manual',
  'pending',
  'preparing',
  'running',
  'scheduled',
  'skipped',
  'success',
  'waiting_for_callback',
  'waiting_for_resource',
];

/** Ci::JobsFinder: newest first; `scope[]=` statuses, or a single `scope` (a status, or `finished`). */
function scoped(ctx: RequestContext, jobs: SimJob[]): SimJob[] {
  const sorted = jobs.sort((a, b) => b.id - a.id);
  if (ctx.query.get('scope') === 'finished') {
    return sorted.filter((j) => ['success', 'failed', 'canceled', 'skipped'].includes(j.status));
  }
  const scope = enumList(ctx.query, 'scope', JOB_STATUSES);
  return scope.length ? sorted.filter((j) => scope.includes(j.status)) : sorted;
}

function requireDeveloper(ctx: RequestContext, project: SimProject): number {
  if (!ctx.user || ctx.state.accessLevel(project, ctx.user.id) < ACCESS.developer) throw forbidden();
  return ctx.user.id;
}

function pipelineOfJob(ctx: RequestContext, project: SimProject, job: SimJob) {
  const p = engineOf(ctx).pipeline(project, job.pipelineId);
  if (!p) throw new ApiError(500, { message: '500 Internal Server Error' });
  return p;
}

/** Jobs and bridges: pipeline jobs, pipeline bridges, project jobs, get, play, cancel, retry. */
export function registerJobs(router: Router, _deps: ResourceDeps): void {
  router.on('GET', '/projects/:id/pipelines/:pipeline_id/jobs', (ctx) => {
    const project = ctx.services.project(ctx);
    const p = pipelineParam(ctx, project);
    const includeRetried = ctx.query.bool('include_retried') ?? false;
    const jobs = projectCi(project).jobs.filter(
      (j) => j.pipelineId === p.id && j.kind === 'build' && (includeRetried || !j.retried),
    );
    const list = scoped(ctx, jobs);
    const ectx = entityCtx(ctx);
    const page = paginate(list, ctx.query, ctx.url);
    return { ...page, body: page.body.map((j) => jobEntity(ectx, j)) };
  });

  router.on('GET', '/projects/:id/pipelines/:pipeline_id/bridges', (ctx) => {
    const project = ctx.services.project(ctx);
    const p = pipelineParam(ctx, project);
    const bridges = projectCi(project).jobs.filter((j) => j.pipelineId === p.id && j.kind === 'bridge' && !j.retried);
    const list = scoped(ctx, bridges);
    const ectx = entityCtx(ctx);
    const page = paginate(list, ctx.query, ctx.url);
    return { ...page, body: page.body.map((j) => bridgeEntity(ectx, j)) };
  });

  router.on('GET', '/projects/:id/jobs', (ctx) => {
    const project = ctx.services.project(ctx);
    const jobs = projectCi(project).jobs.filter((j) => j.kind === 'build');
    const list = scoped(ctx, jobs);
    const ectx = entityCtx(ctx);
    const page = paginate(list, ctx.query, ctx.url);
    return { ...page, body: page.body.map((j) => jobEntity(ectx, j)) };
  });

  router.on('GET', '/projects/:id/jobs/:job_id', (ctx) => {
    const project = ctx.services.project(ctx);
    return json(jobEntity(entityCtx(ctx), jobParam(ctx, project)));
  });

  router.on('GET', '/projects/:id/jobs/:job_id/trace', (ctx) => {
    const project = ctx.services.project(ctx);
    const job = jobParam(ctx, project);
    const log = jobLog(job, !ctx.state.realistic.noInputName);
    return { status: 200, raw: true, body: log, headers: { 'content-type': 'text/plain' } };
  });

  router.on('POST', '/projects/:id/jobs/:job_id/play', (ctx) => {
    const project = ctx.services.project(ctx);
    const userId = requireDeveloper(ctx, project);
    const job = jobParam(ctx, project);
    const lc = engineOf(ctx).lifecycle;
    if (!playJob(lc, pipelineOfJob(ctx, project, job), job, userId, ctx.clock.now()))
      throw badRequest('Unplayable Job');
    return json(jobEntity(entityCtx(ctx), job), 200);
  });

  router.on('POST', '/projects/:id/jobs/:job_id/cancel', (ctx) => {
    const project = ctx.services.project(ctx);
    requireDeveloper(ctx, project);
    const job = jobParam(ctx, project);
    engineOf(ctx).lifecycle.cancelJob(pipelineOfJob(ctx, project, job), job, ctx.clock.now());
    return json(jobEntity(entityCtx(ctx), job), 201);
  });

  router.on('POST', '/projects/:id/jobs/:job_id/retry', (ctx) => {
    const project = ctx.services.project(ctx);
    const userId = requireDeveloper(ctx, project);
    const job = jobParam(ctx, project);
    const engine = engineOf(ctx);
    const p = pipelineOfJob(ctx, project, job);
    const clone = retryJob(engine.lifecycle, ctx.state, p, job, userId, ctx.clock.now());
    if (!clone) throw forbidden('Job is not retryable');
    return json(jobEntity(entityCtx(ctx), clone), 201);
  });
}

/** A plausible job log: nothing before the job starts, then the script lines and the outcome. */
/** The job log; realistic mode prints no script lines, as those carry interpolated inputs. */
function jobLog(job: SimJob, withScript: boolean): string {
  if (!job.startedAt) return '';
  const lines = [
    'Running with gitlab-runner 18.6.0 (gitlab-sim)',
    '  on gitlab-sim runner, system ID: s_sim',
    ...(withScript ? job.script.map((l) => `$ ${l}`) : []),
  ];
  if (job.status === 'success') lines.push('Job succeeded');
  else if (job.status === 'failed') lines.push('ERROR: Job failed: exit code 1');
  else if (job.status === 'canceled') lines.push('ERROR: Job failed: canceled');
  return `${lines.join('\n')}\n`;
}
