/** Job and pipeline actions a user takes through the API: play, retry. */
import type { SimProject, SimState } from '../state.js';
import { createDeployment } from './deploy.js';
import type { Lifecycle } from './lifecycle.js';
import { projectCi, type SimJob, type SimPipeline } from './model.js';

const RETRYABLE = ['success', 'failed', 'canceled'];

/** Starts a manual job (also releases an approval gate). Returns false when the job is not playable. */
export function playJob(lc: Lifecycle, p: SimPipeline, job: SimJob, userId: number, t: number): boolean {
  if (job.status !== 'manual' && job.status !== 'scheduled') return false;
  job.userId = userId;
  lc.enqueue(p, job, t);
  lc.updatePipeline(p, t);
  return true;
}

function resetSkipped(lc: Lifecycle, p: SimPipeline, after: SimJob | undefined): void {
  for (const j of lc.jobsOf(p)) {
    if (j.status !== 'skipped') continue;
    if (after && !(j.stageIdx > after.stageIdx || j.needs?.includes(after.name))) continue;
    j.status = 'created';
    j.finishedAt = null;
  }
}

function cloneJob(
  state: SimState,
  project: SimProject,
  p: SimPipeline,
  job: SimJob,
  userId: number,
  t: number,
): SimJob {
  const at = new Date(t).toISOString();
  job.retried = true;
  const clone: SimJob = {
    ...job,
    id: state.nextId('job'),
    status: 'created',
    createdAt: at,
    updatedAt: at,
    queuedAt: null,
    startedAt: null,
    finishedAt: null,
    userId,
    failureReason: null,
    retried: false,
    deploymentId: null,
    downstreamPipelineId: null,
  };
  projectCi(project).jobs.push(clone);
  createDeployment(state, project, p, clone, at);
  return clone;
}

/** Retries one finished job: a new job with the same definition. Undefined when not retryable. */
export function retryJob(
  lc: Lifecycle,
  state: SimState,
  p: SimPipeline,
  job: SimJob,
  userId: number,
  t: number,
): SimJob | undefined {
  if (job.retried || !RETRYABLE.includes(job.status)) return undefined;
  const clone = cloneJob(state, lc.project(p), p, job, userId, t);
  resetSkipped(lc, p, clone);
  lc.enqueue(p, clone, t);
  lc.process(p, t);
  return clone;
}

/** Retries every failed or canceled job of a pipeline (and the jobs they had skipped). */
export function retryPipeline(lc: Lifecycle, state: SimState, p: SimPipeline, userId: number, t: number): void {
  const failed = lc.jobsOf(p).filter((j) => j.status === 'failed' || j.status === 'canceled');
  if (failed.length === 0) return;
  for (const j of failed) cloneJob(state, lc.project(p), p, j, userId, t);
  resetSkipped(lc, p, undefined);
  lc.process(p, t);
}
