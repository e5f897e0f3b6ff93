import type { RequestContext, Router } from '../_internal/router.js';
import { CiEngine } from '../ci/engine.js';
import { pipelineBasic, pipelineDetail } from '../ci/entities.js';
import { entityCtx } from '../ci/http-helpers.js';
import { projectCi } from '../ci/model.js';
import type { SimProject } from '../state.js';
import { registerDeployments } from './deployments.js';
import type { ResourceDeps } from './deps.js';
import { registerEnvironments } from './environments.js';
import { registerHealth } from './health.js';
import { registerJobs } from './jobs.js';
import { registerPipelines } from './pipelines.js';

/**
 * The newest pipeline for a commit: a commit's `last_pipeline` (PipelineBasic) or an MR's
 * `head_pipeline` (pipeline detail), looked up by the repository resources through `services.ext`.
 */
function lastPipelineForSha(project: SimProject, sha: string, ctx: RequestContext): unknown {
  const latest = projectCi(project)
    .pipelines.filter((p) => p.sha === sha)
    .sort((a, b) => b.id - a.id)[0];
  if (!latest) return null;
  const ectx = entityCtx(ctx);
  return ctx.route.includes('merge_requests') ? pipelineDetail(ectx, latest) : pipelineBasic(ectx, latest);
}

/** Creates the CI engine and registers every CI route: pipelines, jobs, environments, deployments, health. */
export function registerCi(api: Router, ext: Router, deps: ResourceDeps): CiEngine {
  const engine = new CiEngine(deps.state, deps.clock, deps.getBaseUrl, (p, fn) => deps.services.withRepoLock(p, fn));
  deps.services.ext.ci = engine;
  deps.services.ext.lastPipelineForSha = lastPipelineForSha;
  registerPipelines(api, deps);
  registerJobs(api, deps);
  registerEnvironments(api, deps);
  registerDeployments(api, deps);
  registerHealth(ext, deps);
  return engine;
}
