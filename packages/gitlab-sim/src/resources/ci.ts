import type { Router } from '../_internal/router.js';
import { CiEngine } from '../ci/engine.js';
import { registerDeployments } from './deployments.js';
import type { ResourceDeps } from './deps.js';
import { registerEnvironments } from './environments.js';
import { registerHealth } from './health.js';
import { registerJobs } from './jobs.js';
import { registerPipelines } from './pipelines.js';

/** Creates the CI engine and registers every CI route: pipelines, jobs, environments, deployments, health. */
export function registerCi(api: Router, ext: Router, deps: ResourceDeps): CiEngine {
  const engine = new CiEngine(deps.state, deps.clock, deps.getBaseUrl, (p, fn) => deps.services.withRepoLock(p, fn));
  deps.services.ext.ci = engine;
  registerPipelines(api, deps);
  registerJobs(api, deps);
  registerEnvironments(api, deps);
  registerDeployments(api, deps);
  registerHealth(ext, deps);
  return engine;
}
