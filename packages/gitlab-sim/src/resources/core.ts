import { json, unauthorized } from '../_internal/http.js';
import type { Router } from '../_internal/router.js';
import type { ResourceDeps } from './deps.js';
import { projectEntity } from './entities.js';

/** GET /version, GET /user, GET /projects/:id. */
export function registerCore(router: Router, deps: ResourceDeps): void {
  router.on('GET', '/version', () =>
    json({ version: '18.6.0-sim', revision: 'sim', kas: { enabled: false }, enterprise: false }),
  );
  router.on('GET', '/user', (ctx) => {
    if (!ctx.user) throw unauthorized();
    const u = ctx.user;
    return json({
      id: u.id,
      username: u.username,
      name: u.name,
      state: 'active',
      locked: false,
      avatar_url: null,
      web_url: `${deps.getBaseUrl()}/${u.username}`,
      email: u.email,
      is_admin: u.id === 1,
      created_at: '2026-01-01T00:00:00.000Z',
    });
  });
  router.on('GET', '/projects/:id', (ctx) => {
    const project = ctx.services.project(ctx);
    return json(projectEntity(project, ctx));
  });
}
