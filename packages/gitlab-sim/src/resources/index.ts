import type { Router } from '../_internal/router.js';
import { registerCi } from './ci.js';
import { registerCore } from './core.js';
import type { ResourceDeps } from './deps.js';
import { registerScmResources } from './scm-routes.js';

/**
 * Registers every REST resource on `api` (paths under /api/v4) and every non-API
 * route (health endpoints and the like) on `ext`.
 */
export function registerResources(api: Router, ext: Router, deps: ResourceDeps): void {
  registerCore(api, deps);
  registerScmResources(api, deps);
  registerCi(api, ext, deps);
}
