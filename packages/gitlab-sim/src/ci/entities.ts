/** The REST entities of CI objects, shaped like GitLab's Grape entities. */
import type { RequestContext } from '../_internal/router.js';
import { projectBasic, userBasic } from '../resources/entities.js';
import type { SimProject, SimState } from '../state.js';
import { lastSuccessfulDeployment } from './deploy.js';
import { projectCi, type SimDeployment, type SimEnvironment, type SimJob, type SimPipeline } from './model.js';
import { hasWarnings, pipelineDetailedStatus } from './status.js';

/** What entity rendering needs. */
export interface EntityCtx {
  readonly state: SimState;
  readonly baseUrl: string;
  /** Current simulator time (ms), for the duration of running jobs. */
  readonly now: number;
  /** The request being answered (for entities that depend on the current user). */
  readonly request: RequestContext;
}

type Json = Record<string, unknown>;
const secs = (from: string | null, to: string | null): number | null =>
  from && to ? (Date.parse(to) - Date.parse(from)) / 1000 : null;

function projectOf(ctx: EntityCtx, id: number): SimProject {
  const p = ctx.state.findProject(id);
  if (!p) throw new Error(`project ${id} vanished`);
  return p;
}

/** Entities::Ci::PipelineBasic (list items, `job.pipeline`, `downstream_pipeline`). */
export function pipelineBasic(ctx: EntityCtx, p: SimPipeline): Json {
  const project = projectOf(ctx, p.projectId);
  return {
    id: p.id,
    iid: p.iid,
    project_id: p.projectId,
    sha: p.sha,
    ref: p.ref,
    status: p.status,
    source: p.source,
    created_at: p.createdAt,
    updated_at: p.updatedAt,
    web_url: `${ctx.baseUrl}/${project.path}/-/pipelines/${p.id}`,
  };
}

function runningSeconds(jobs: readonly SimJob[]): number | null {
  const spans = jobs
    .filter((j) => j.startedAt && j.finishedAt)
    .map((j) => [Date.parse(j.startedAt as string), Date.parse(j.finishedAt as string)] as const)
    .sort((a, b) => a[0] - b[0]);
  if (!spans.length) return null;
  let total = 0;
  let [start, end] = spans[0] as readonly [number, number];
  for (const [s, e] of spans.slice(1)) {
    if (s > end) {
      total += end - start;
      [start, end] = [s, e];
    } else end = Math.max(end, e);
  }
  return Math.round((total + end - start) / 1000);
}

/** Entities::Ci::PipelineWithMetadata / PipelineDetail (GET one, create, cancel, retry). */
export function pipelineDetail(ctx: EntityCtx, p: SimPipeline): Json {
  const project = projectOf(ctx, p.projectId);
  const jobs = projectCi(project).jobs.filter((j) => j.pipelineId === p.id && !j.retried);
  const finished = p.finishedAt !== null;
  return {
    ...pipelineBasic(ctx, p),
    name: p.name,
    before_sha: '0000000000000000000000000000000000000000',
    tag: p.tag,
    yaml_errors: null,
    user: userBasic(ctx.state.user(p.userId), ctx.baseUrl),
    started_at: p.startedAt,
    finished_at: p.finishedAt,
    committed_at: p.commit.committedDate,
    duration: finished ? runningSeconds(jobs) : null,
    queued_duration: secs(p.createdAt, p.startedAt),
    coverage: null,
    detailed_status: pipelineDetailedStatus(p.status, hasWarnings(jobs), `/${project.path}/-/pipelines/${p.id}`),
    archived: false,
  };
}

function commitEntity(ctx: EntityCtx, project: SimProject, p: SimPipeline): Json {
  const c = p.commit;
  return {
    id: c.id,
    short_id: c.id.slice(0, 8),
    created_at: c.committedDate,
    parent_ids: c.parentIds,
    title: c.title,
    message: c.message,
    author_name: c.authorName,
    author_email: c.authorEmail,
    authored_date: c.authoredDate,
    committer_name: c.committerName,
    committer_email: c.committerEmail,
    committed_date: c.committedDate,
    trailers: {},
    extended_trailers: {},
    web_url: `${ctx.baseUrl}/${project.path}/-/commit/${c.id}`,
  };
}

function jobBasic(ctx: EntityCtx, j: SimJob): Json {
  const project = projectOf(ctx, j.projectId);
  const p = projectCi(project).pipelines.find((x) => x.id === j.pipelineId) as SimPipeline;
  const now = new Date(ctx.now).toISOString();
  return {
    id: j.id,
    status: j.status,
    stage: j.stage,
    name: j.name,
    ref: p.ref,
    tag: p.tag,
    coverage: null,
    allow_failure: j.allowFailure,
    created_at: j.createdAt,
    started_at: j.startedAt,
    finished_at: j.finishedAt,
    erased_at: null,
    duration: j.startedAt ? secs(j.startedAt, j.finishedAt ?? now) : null,
    queued_duration: j.queuedAt ? secs(j.queuedAt, j.startedAt ?? now) : null,
    user: userBasic(ctx.state.user(j.userId), ctx.baseUrl),
    commit: commitEntity(ctx, project, p),
    pipeline: pipelineBasic(ctx, p),
    ...(j.status === 'failed' ? { failure_reason: j.failureReason ?? 'unknown_failure' } : {}),
    web_url: `${ctx.baseUrl}/${project.path}/-/jobs/${j.id}`,
    project: { ci_job_token_scope_enabled: false },
  };
}

/** Entities::Ci::Job (GET job, pipeline jobs, `deployment.deployable`). */
export function jobEntity(ctx: EntityCtx, j: SimJob): Json {
  return {
    ...jobBasic(ctx, j),
    artifacts: [],
    artifacts_expire_at: null,
    tag_list: [],
    runner: j.startedAt ? SIM_RUNNER : null,
    runner_manager: null,
    archived: false,
  };
}

const SIM_RUNNER = {
  id: 1,
  description: 'gitlab-sim runner',
  ip_address: '127.0.0.1',
  active: true,
  is_shared: true,
  name: 'gitlab-sim',
  online: true,
  status: 'online',
};

/** Entities::Ci::Bridge (pipeline bridges): job fields plus `downstream_pipeline`. */
export function bridgeEntity(ctx: EntityCtx, j: SimJob): Json {
  let downstream: Json | null = null;
  if (j.downstreamPipelineId !== null && j.trigger) {
    const target = ctx.state.findProject(j.trigger.project);
    const p = target && projectCi(target).pipelines.find((x) => x.id === j.downstreamPipelineId);
    if (p) downstream = omitWhenRealistic(ctx, pipelineBasic(ctx, p), 'project_id');
  }
  return { ...jobBasic(ctx, j), downstream_pipeline: downstream };
}

/** Entities::EnvironmentBasic (inside a deployment). */
function environmentBasic(env: SimEnvironment): Json {
  return {
    id: env.id,
    name: env.name,
    slug: env.slug,
    external_url: env.externalUrl,
    created_at: env.createdAt,
    updated_at: env.updatedAt,
  };
}

/** Entities::Deployment. */
export function deploymentEntity(ctx: EntityCtx, d: SimDeployment): Json {
  const project = projectOf(ctx, d.projectId);
  const ci = projectCi(project);
  const env = ci.environments.find((e) => e.id === d.environmentId) as SimEnvironment;
  const job = ci.jobs.find((j) => j.id === d.jobId);
  return {
    id: d.id,
    iid: d.iid,
    ref: d.ref,
    sha: d.sha,
    created_at: d.createdAt,
    updated_at: d.updatedAt,
    user: userBasic(ctx.state.user(d.userId), ctx.baseUrl),
    environment: environmentBasic(env),
    deployable: job ? deployableEntity(ctx, job) : null,
    status: d.status,
  };
}

/** A deployment's job; realistic mode drops `pipeline.project_id`, as GitLab's documented example does. */
function deployableEntity(ctx: EntityCtx, job: SimJob): Json {
  const entity = jobEntity(ctx, job);
  return { ...entity, pipeline: omitWhenRealistic(ctx, entity.pipeline as Json, 'project_id') };
}

/**
 * Drops optional fields GitLab's documented responses omit, when the `omitOptionalFields`
 * realistic switch is on (clients must derive or degrade without them).
 */
function omitWhenRealistic(ctx: EntityCtx, entity: Json, ...fields: string[]): Json {
  if (!ctx.state.realistic.omitOptionalFields) return entity;
  const out = { ...entity };
  for (const f of fields) delete out[f];
  return out;
}

function basicProject(ctx: EntityCtx, project: SimProject): Json {
  return projectBasic(project, ctx.request);
}

/** Entities::Environment; `last_deployment` (the last successful one) only for a single environment. */
export function environmentEntity(ctx: EntityCtx, env: SimEnvironment, withLast: boolean): Json {
  const project = projectOf(ctx, env.projectId);
  const out: Json = {
    id: env.id,
    name: env.name,
    slug: env.slug,
    description: null,
    external_url: env.externalUrl,
    created_at: env.createdAt,
    updated_at: env.updatedAt,
    tier: env.tier,
    project: basicProject(ctx, project),
    state: env.state,
    auto_stop_at: null,
    auto_stop_setting: 'always',
  };
  if (withLast) {
    const last = lastSuccessfulDeployment(project, env);
    out.last_deployment = last ? omitWhenRealistic(ctx, deploymentEntity(ctx, last), 'updated_at') : null;
  }
  return out;
}
