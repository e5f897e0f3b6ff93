/**
 * Phases two and three: the deployment of OUR downstream pipeline's deploy job in the
 * target environment (matched by `deployable.pipeline.id`, job name and SHA, so another
 * pipeline deploying meanwhile is never mistaken for ours), then the health endpoint.
 */
import { err, ok } from 'neverthrow';
import type { GitLabDeployment, GitLabJob } from '../../_internal/schemas.js';
import type { DeploymentFilters } from '../../gitlab-client.js';
import {
  counted,
  culprit,
  emitOnce,
  FINISHED,
  type FollowContext,
  type FollowState,
  isoNow,
  manualInstruction,
  observeJob,
  type Step,
  type Terminal,
} from './follow-state.js';
import { checkHealth, shaMatches } from './health.js';
import { deploymentHistory, expectedFinishAt } from './learn.js';
import type { ObservedJob } from './types.js';

const listOpts = (ctx: FollowContext, perPage: number) => ({
  perPage,
  maxPages: 1,
  onLimit: 'partial' as const,
  ...(ctx.signal ? { signal: ctx.signal } : {}),
});

function deploymentApiUrl(ctx: FollowContext, projectId: number, id: number): string {
  return `${ctx.client.gitlabUrl}/api/v4/projects/${projectId}/deployments/${id}`;
}

/** What a finished-but-unsuccessful deploy job means, naming the job that caused it. */
async function jobFailure(ctx: FollowContext, s: FollowState, job: ObservedJob): Promise<Step> {
  if (job.status === 'skipped' && s.downstream) {
    // Skipped: an earlier job failed. Name that job, not the deploy job.
    const jobs = await counted(s, ctx.client.pipelineJobs(s.downstream.projectId, job.pipelineId, listOpts(ctx, 100)));
    if (jobs.isErr()) return err(jobs.error);
    const bad = culprit(jobs.value.items);
    const failing = bad ? observeJob(ctx, s.downstream.projectId, bad) : job;
    return ok({
      outcome: 'failure',
      reason: 'job-failed',
      message: `Deploy job "${job.name}" was skipped because job "${failing.name}" ended ${failing.status}.`,
      failingJob: failing,
    });
  }
  return ok({
    outcome: 'failure',
    reason: job.status === 'canceled' ? 'deployment-canceled' : 'deployment-failed',
    message: `Deploy job "${job.name}" ended ${job.status}${job.failureReason ? ` (${job.failureReason})` : ''}; ${ctx.environment} does not run ${ctx.expectedSha}.`,
    failingJob: job,
  });
}

function pinDeployment(ctx: FollowContext, s: FollowState, d: GitLabDeployment): void {
  s.deployment = {
    id: d.id,
    iid: d.iid,
    status: d.status,
    sha: d.sha,
    ref: d.ref,
    environment: d.environment.name,
    createdAt: d.created_at,
    updatedAt: d.updated_at,
    finishedAt: d.deployable?.finished_at ?? null,
    apiUrl: deploymentApiUrl(ctx, s.targetProjectId ?? 0, d.id),
    observedAt: isoNow(ctx),
  };
}

/** Finds the deploy job when no deployment names it yet: in our downstream pipeline or a child of it. */
async function findDeployJob(ctx: FollowContext, s: FollowState): Promise<Step | GitLabJob | undefined> {
  const ds = s.downstream;
  if (!ds) return undefined;
  for (const pipelineId of [...s.pipelineIds]) {
    const jobs = await counted(s, ctx.client.pipelineJobs(ds.projectId, pipelineId, listOpts(ctx, 100)));
    if (jobs.isErr()) return err(jobs.error);
    const job = jobs.value.items.find((j) => ctx.deployJobs.includes(j.name));
    if (job) return job;
  }
  // Child pipelines of ours in the target project may hold the deploy job.
  const bridges = await counted(s, ctx.client.pipelineBridges(ds.projectId, ds.id, listOpts(ctx, 50)));
  if (bridges.isErr()) return err(bridges.error);
  for (const b of bridges.value.items) {
    const d = b.downstream_pipeline;
    if (d && (d.project_id ?? ds.projectId) === ds.projectId && !s.pipelineIds.has(d.id)) s.pipelineIds.add(d.id);
  }
  return undefined;
}

/**
 * Only deployments touched since our downstream pipeline was created (GitLab requires
 * `order_by=updated_at` with `updated_after`): ours is among them however busy the
 * environment was before.
 */
function deploymentFilters(ctx: FollowContext, since: string | undefined): DeploymentFilters {
  const t = since ? Date.parse(since) : Number.NaN;
  if (Number.isNaN(t)) return { environment: ctx.environment, order_by: 'id', sort: 'desc' };
  return {
    environment: ctx.environment,
    order_by: 'updated_at',
    sort: 'desc',
    updated_after: new Date(t - 1_000).toISOString(),
  };
}

/**
 * Learns when our still-running deployment should finish: reads the environment's recent
 * successful deployments once (one request; a failed read only means no learning) and
 * anchors their durations at our job's start (see learn.ts).
 */
async function learnExpectedFinish(ctx: FollowContext, s: FollowState, d: GitLabDeployment): Promise<void> {
  if (!ctx.learn || FINISHED.has(d.status) || d.status === 'blocked' || !s.downstream) return;
  if (!s.history) {
    const filters: DeploymentFilters = {
      environment: ctx.environment,
      status: 'success',
      order_by: 'id',
      sort: 'desc',
    };
    const recent = await counted(s, ctx.client.deployments(s.downstream.projectId, filters, listOpts(ctx, 5)));
    s.history = deploymentHistory(recent.isOk() ? recent.value.items : []);
  }
  s.expectedFinishAt = expectedFinishAt(s.history, d, ctx.now(), 2 * ctx.minDelayMs);
}

/** One poll of the deployment phase. */
export async function pollDeployment(ctx: FollowContext, s: FollowState): Promise<Step> {
  const ds = s.downstream;
  if (!ds) return ok(undefined);
  const list = await counted(
    s,
    ctx.client.deployments(ds.projectId, deploymentFilters(ctx, ds.createdAt), listOpts(ctx, 20)),
  );
  if (list.isErr()) return err(list.error);
  const d = list.value.items.find(
    (x) => x.deployable && s.pipelineIds.has(x.deployable.pipeline.id) && ctx.deployJobs.includes(x.deployable.name),
  );
  if (!d?.deployable) return diagnoseMissing(ctx, s);
  const job = observeJob(ctx, ds.projectId, d.deployable);
  s.job = job;
  pinDeployment(ctx, s, d);
  if (!shaMatches(d.sha, ctx.expectedSha)) {
    return ok({
      outcome: 'failure',
      reason: 'sha-mismatch',
      message: `Our downstream pipeline deploys ${d.sha} to ${ctx.environment}, not the expected ${ctx.expectedSha} (R3: release moved?).`,
      failingJob: job,
    });
  }
  if (job.status === 'running' || job.startedAt !== null) {
    emitOnce(ctx, s, `job:${job.id}`, {
      type: 'job-started',
      at: isoNow(ctx),
      target: ctx.target,
      job: job.name,
      webUrl: job.webUrl,
    });
  }
  await learnExpectedFinish(ctx, s, d);
  if (d.status === 'running') {
    emitOnce(ctx, s, `deploy-running:${d.id}`, {
      type: 'deployment-running',
      at: isoNow(ctx),
      target: ctx.target,
      deploymentId: d.id,
      sha: d.sha,
    });
  }
  if (FINISHED.has(d.status)) {
    emitOnce(ctx, s, `deploy-finished:${d.id}`, {
      type: 'deployment-finished',
      at: isoNow(ctx),
      target: ctx.target,
      deploymentId: d.id,
      status: d.status,
    });
  }
  if (d.status === 'success') {
    if (!ctx.health) return ok({ outcome: 'success' });
    s.phase = 'health';
    return pollHealth(ctx, s);
  }
  if (d.status === 'blocked') {
    return ok({
      outcome: 'awaiting_human',
      reason: 'deployment-blocked',
      instruction: manualInstruction(job, true),
      job,
    });
  }
  if (FINISHED.has(d.status))
    return jobFailure(ctx, s, { ...job, status: d.status === 'failed' ? job.status : d.status });
  if (job.status === 'manual') {
    return ok({ outcome: 'awaiting_human', reason: 'manual-job', instruction: manualInstruction(job, false), job });
  }
  if (FINISHED.has(job.status) && job.status !== 'success') return jobFailure(ctx, s, job);
  return ok(undefined);
}

/** No deployment of ours in the environment yet: look at the deploy job to tell waiting from failure. */
async function diagnoseMissing(ctx: FollowContext, s: FollowState): Promise<Step> {
  const found = await findDeployJob(ctx, s);
  if (found !== undefined && 'isOk' in found) return found;
  if (found === undefined) {
    const ds = await counted(s, ctx.client.pipeline(s.downstream?.projectId ?? 0, s.downstream?.id ?? 0));
    if (ds.isErr()) return err(ds.error);
    if (!FINISHED.has(ds.value.status)) return ok(undefined);
    const failure: Terminal = {
      outcome: 'failure',
      reason: 'deploy-job-missing',
      message: `Downstream pipeline ${ds.value.id} in ${ctx.target} ended ${ds.value.status} without a job named ${ctx.deployJobs.join(' or ')} (check the service descriptor, D5).`,
      failingJob: undefined,
    };
    return ok(failure);
  }
  const job = observeJob(ctx, s.downstream?.projectId ?? found.pipeline.project_id ?? 0, found);
  s.job = job;
  if (job.status === 'manual') {
    return ok({ outcome: 'awaiting_human', reason: 'manual-job', instruction: manualInstruction(job, false), job });
  }
  if (FINISHED.has(job.status) && job.status !== 'success') return jobFailure(ctx, s, job);
  if (job.status === 'success') {
    return ok({
      outcome: 'failure',
      reason: 'deployment-not-found',
      message: `Deploy job "${job.name}" succeeded but no deployment of it to "${ctx.environment}" was found (check the environment in the service descriptor, D5).`,
      failingJob: job,
    });
  }
  return ok(undefined);
}

/** One poll of the health (and stability) phase. */
export async function pollHealth(ctx: FollowContext, s: FollowState): Promise<Step> {
  const spec = ctx.health;
  if (!spec) return ok({ outcome: 'success' });
  const h = await checkHealth(spec, ctx.expectedSha, {
    fetch: ctx.fetch,
    now: ctx.now,
    signal: ctx.signal,
    headers: ctx.healthHeaders,
    deploymentId: s.deployment?.id,
  });
  s.health = h;
  if (!h.ok) {
    if (s.healthOkSince !== undefined) {
      return ok({
        outcome: 'failure',
        reason: 'health-unstable',
        message: `Health of ${ctx.target} went bad ${ctx.now() - s.healthOkSince} ms after it first reported ${ctx.expectedSha}: ${h.problem ?? 'not ok'}.`,
        failingJob: undefined,
      });
    }
    ctx.emit({
      type: 'health-not-ok',
      at: h.observedAt,
      target: ctx.target,
      url: h.url,
      problem: h.problem ?? 'not ok',
    });
    return ok(undefined);
  }
  if (s.healthOkSince === undefined) {
    s.healthOkSince = ctx.now();
    ctx.emit({ type: 'health-ok', at: h.observedAt, target: ctx.target, url: h.url, version: h.version });
  }
  if (ctx.now() - s.healthOkSince >= ctx.stableForMs) return ok({ outcome: 'success' });
  s.phase = 'stable';
  return ok(undefined);
}
