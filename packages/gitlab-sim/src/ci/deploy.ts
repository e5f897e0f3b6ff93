/** Environments and deployments: created with their jobs, moved along as the jobs run. */
import type { SimProject, SimState } from '../state.js';
import { environmentSlug } from './config-keywords.js';
import {
  type DeploymentStatus,
  type EnvironmentSpec,
  projectCi,
  type SimDeployment,
  type SimEnvironment,
  type SimJob,
  type SimPipeline,
} from './model.js';

/** GitLab's Environment#guess_tier. */
export function guessTier(name: string): string {
  if (/(dev|review|trunk)/i.test(name)) return 'development';
  if (/(test|tst|int|ac(ce|)pt|qa|qc|control|quality)/i.test(name)) return 'testing';
  if (/(st(a|)g|mod(e|)l|pre|demo|non)/i.test(name)) return 'staging';
  if (/(pr(o|)d|live)/i.test(name)) return 'production';
  return 'other';
}

/** Finds or creates the environment a job names; updates its URL and tier when given. */
export function ensureEnvironment(
  state: SimState,
  project: SimProject,
  spec: EnvironmentSpec,
  at: string,
): SimEnvironment {
  const ci = projectCi(project);
  let env = ci.environments.find((e) => e.name === spec.name);
  if (!env) {
    env = {
      id: state.nextId('environment'),
      projectId: project.id,
      name: spec.name,
      slug: environmentSlug(spec.name),
      externalUrl: spec.url ?? null,
      state: 'available',
      tier: spec.tier ?? guessTier(spec.name),
      createdAt: at,
      updatedAt: at,
    };
    ci.environments.push(env);
    return env;
  }
  if (spec.url && spec.url !== env.externalUrl) env.externalUrl = spec.url;
  if (spec.tier && spec.tier !== env.tier) env.tier = spec.tier;
  env.updatedAt = at;
  return env;
}

/** Creates the deployment of a job that deploys (`environment: action: start`), status `created`. */
export function createDeployment(
  state: SimState,
  project: SimProject,
  pipeline: SimPipeline,
  job: SimJob,
  at: string,
): SimDeployment | undefined {
  if (!job.environment) return undefined;
  const env = ensureEnvironment(state, project, job.environment, at);
  if (job.environment.action !== 'start') return undefined;
  const ci = projectCi(project);
  const dep: SimDeployment = {
    id: state.nextId('deployment'),
    iid: state.nextId(`deployment-iid-${project.id}`),
    projectId: project.id,
    environmentId: env.id,
    ref: pipeline.ref,
    tag: pipeline.tag,
    sha: pipeline.sha,
    status: 'created',
    createdAt: at,
    updatedAt: at,
    finishedAt: null,
    userId: job.userId,
    jobId: job.id,
    pipelineId: pipeline.id,
  };
  ci.deployments.push(dep);
  job.deploymentId = dep.id;
  return dep;
}

/** Mirrors a job's new status onto its deployment and environment. */
export function syncDeployment(project: SimProject, job: SimJob, at: string): void {
  const ci = projectCi(project);
  const env = job.environment ? ci.environments.find((e) => e.name === job.environment?.name) : undefined;
  if (env && job.environment?.action === 'stop') {
    if (job.status === 'running') env.state = 'stopping';
    if (job.status === 'success') env.state = 'stopped';
    if (job.status === 'failed' || job.status === 'canceled') env.state = 'available';
    env.updatedAt = at;
  }
  const dep = job.deploymentId === null ? undefined : ci.deployments.find((d) => d.id === job.deploymentId);
  if (!dep) return;
  const next = deploymentStatusFor(job, dep.status);
  if (next === dep.status) return;
  dep.status = next;
  dep.updatedAt = at;
  if (next === 'success' || next === 'failed' || next === 'canceled') dep.finishedAt = at;
  if (env && next === 'running' && env.state !== 'available') env.state = 'available';
  if (env) env.updatedAt = at;
}

function deploymentStatusFor(job: SimJob, current: DeploymentStatus): DeploymentStatus {
  switch (job.status) {
    case 'running':
      return 'running';
    case 'success':
      return 'success';
    case 'failed':
      return 'failed';
    case 'canceled':
      return 'canceled';
    case 'skipped':
      return 'skipped';
    case 'manual':
      return job.approvalRequired ? 'blocked' : 'created';
    default:
      return current === 'blocked' ? 'created' : current;
  }
}

/** The last successful deployment of an environment (by finish time), as `last_deployment` reports it. */
export function lastSuccessfulDeployment(project: SimProject, env: SimEnvironment): SimDeployment | undefined {
  const done = projectCi(project).deployments.filter((d) => d.environmentId === env.id && d.status === 'success');
  done.sort((a, b) => (a.finishedAt ?? '').localeCompare(b.finishedAt ?? '') || a.id - b.id);
  return done[done.length - 1];
}
