import { json, notFound, routeNotFound, unauthorized } from '../_internal/http.js';
import type { RequestContext, Router } from '../_internal/router.js';
import type { SimInstance, SimToken } from '../state.js';
import type { ResourceDeps } from './deps.js';
import { projectEntity } from './entities.js';

/** `major.minor` of a GitLab version string as a number pair (`16.11.2-ee` → [16, 11]). */
function majorMinor(version: string): [number, number] {
  const m = /^(\d+)\.(\d+)/.exec(version);
  return m ? [Number(m[1]), Number(m[2])] : [0, 0];
}

function atLeast(version: string, major: number, minor: number): boolean {
  const [a, b] = majorMinor(version);
  return a > major || (a === major && b >= minor);
}

/**
 * Entities::Metadata as `/metadata` (and, from 15.5, `/version`) answer. Before 15.5 `/version`
 * answered only `version` and `revision`; in realistic mode `kas` lacks the fields GitLab added
 * after the first documented example (`externalK8sProxyUrl`).
 */
function metadataEntity(ctx: RequestContext, instance: SimInstance): Record<string, unknown> {
  const { externalK8sProxyUrl, ...olderKas } = instance.kas;
  const kas = ctx.state.realistic.omitOptionalFields ? olderKas : { ...olderKas, externalK8sProxyUrl };
  return { version: instance.version, revision: instance.revision, kas, enterprise: instance.enterprise };
}

/**
 * Entities::PersonalAccessToken of the token in use. Only a personal (or project/group access)
 * token has one: an OAuth token gets 404, a CI/CD job token 401 (it reaches only the endpoints
 * the job token allowlist names). In realistic mode the fields GitLab added later are absent.
 */
function tokenSelfEntity(ctx: RequestContext, token: SimToken): Record<string, unknown> {
  const entity: Record<string, unknown> = {
    id: ctx.state.tokens.indexOf(token) + 1,
    name: token.name ?? 'sim',
    revoked: token.revoked === true,
    created_at: '2026-01-01T00:00:00.000Z',
    description: null,
    scopes: token.scopes ?? ['api'],
    user_id: token.userId,
    last_used_at: ctx.clock.iso(),
    active: token.revoked !== true,
    expires_at: token.expiresAt ?? null,
  };
  if (ctx.state.realistic.omitOptionalFields) {
    delete entity.description;
    delete entity.last_used_at;
  }
  return entity;
}

/** GET /version, GET /metadata, GET /personal_access_tokens/self, GET /user, GET /projects/:id. */
export function registerCore(router: Router, deps: ResourceDeps): void {
  router.on('GET', '/version', (ctx) => {
    if (!ctx.user) throw unauthorized();
    const instance = ctx.state.instance;
    if (!atLeast(instance.version, 15, 5)) return json({ version: instance.version, revision: instance.revision });
    return json(metadataEntity(ctx, instance));
  });
  router.on('GET', '/metadata', (ctx) => {
    if (!atLeast(ctx.state.instance.version, 15, 2)) throw routeNotFound();
    if (!ctx.user) throw unauthorized();
    return json(metadataEntity(ctx, ctx.state.instance));
  });
  router.on('GET', '/personal_access_tokens/self', (ctx) => {
    if (!atLeast(ctx.state.instance.version, 15, 5)) throw routeNotFound();
    if (!ctx.user || !ctx.token || ctx.token.kind === 'job') throw unauthorized();
    if (ctx.token.kind !== 'personal') throw notFound();
    return json(tokenSelfEntity(ctx, ctx.token));
  });
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
