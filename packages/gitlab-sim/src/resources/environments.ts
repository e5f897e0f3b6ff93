import { ApiError, badRequest, json, paginate } from '../_internal/http.js';
import type { Router } from '../_internal/router.js';
import { environmentEntity } from '../ci/entities.js';
import { entityCtx, enumParam, intParam, recordNotFound } from '../ci/http-helpers.js';
import { projectCi } from '../ci/model.js';
import type { ResourceDeps } from './deps.js';

/** Environments: list (no `last_deployment`) and get (with the last successful deployment). */
export function registerEnvironments(router: Router, _deps: ResourceDeps): void {
  router.on('GET', '/projects/:id/environments', (ctx) => {
    const project = ctx.services.project(ctx);
    const name = ctx.query.get('name');
    const search = ctx.query.get('search');
    if (name !== undefined && search !== undefined)
      throw new ApiError(400, { error: 'name, search are mutually exclusive' });
    if (search !== undefined && search.length < 3) throw badRequest('Search query is less than 3 characters');
    const states = enumParam(ctx.query, 'states', ['available', 'stopping', 'stopped'] as const);
    const list = projectCi(project)
      .environments.filter(
        (e) =>
          (name === undefined || e.name === name) &&
          (search === undefined || e.name.includes(search)) &&
          (states === undefined || e.state === states),
      )
      .sort((a, b) => a.id - b.id);
    const ectx = entityCtx(ctx);
    const page = paginate(list, ctx.query, ctx.url);
    return { ...page, body: page.body.map((e) => environmentEntity(ectx, e, false)) };
  });

  router.on('GET', '/projects/:id/environments/:environment_id', (ctx) => {
    const project = ctx.services.project(ctx);
    const id = intParam(ctx, 'environment_id');
    const env = projectCi(project).environments.find((e) => e.id === id);
    if (!env) throw recordNotFound();
    return json(environmentEntity(entityCtx(ctx), env, true));
  });
}
