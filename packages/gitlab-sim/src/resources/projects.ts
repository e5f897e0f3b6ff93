import { ApiError, json, notFound, paginate, unauthorized, validationError } from '../_internal/http.js';
import { Params } from '../_internal/params.js';
import { commitFiles, createProject } from '../_internal/repo.js';
import type { RequestContext, Router } from '../_internal/router.js';
import { ACCESS, type SimProject } from '../state.js';
import type { ResourceDeps } from './deps.js';
import { projectBasic, projectEntity, userBasic } from './entities.js';

const MERGE_METHODS = ['merge', 'rebase_merge', 'ff'] as const;

/** The namespace a new project goes to: `namespace_id` as a number of a known namespace, or a path. */
function namespaceFor(ctx: RequestContext, p: Params): string {
  const raw = p.str('namespace_id') ?? p.str('namespace_path');
  if (raw === undefined) return ctx.user?.username ?? 'root';
  if (/^\d+$/.test(raw)) {
    const owner = ctx.state.projects.find((pr) => pr.id === Number(raw));
    if (!owner) throw notFound('Namespace');
    return owner.namespace;
  }
  return raw;
}

/** A member as Entities::Member renders it. */
function memberEntity(ctx: RequestContext, userId: number, level: number): Record<string, unknown> {
  const user = ctx.state.user(userId);
  return {
    ...userBasic(user, ctx.baseUrl),
    access_level: level,
    created_at: '2026-01-01T00:00:00.000Z',
    expires_at: null,
    membership_state: 'active',
  };
}

/** POST/GET /projects and project members. */
export function registerProjects(router: Router, deps: ResourceDeps): void {
  router.on('POST', '/projects', async (ctx) => {
    if (!ctx.user) throw unauthorized();
    const p = new Params(ctx.body);
    const name = p.str('name');
    const path =
      p.str('path') ??
      name
        ?.trim()
        .toLowerCase()
        .replace(/[^a-z0-9_.-]+/g, '-');
    if (name === undefined && p.str('path') === undefined) {
      throw new ApiError(400, { error: 'name, path are missing, at least one parameter must be provided' });
    }
    if (!path || !/^[a-zA-Z0-9_][a-zA-Z0-9_.-]*$/.test(path)) {
      throw validationError({ path: ["can contain only letters, digits, '_', '-' and '.'."] });
    }
    const fullPath = `${namespaceFor(ctx, p)}/${path}`;
    if (ctx.state.findProject(fullPath)) {
      throw validationError({ name: ['has already been taken'], path: ['has already been taken'] });
    }
    const mergeMethod = p.str('merge_method') ?? 'merge';
    if (!(MERGE_METHODS as readonly string[]).includes(mergeMethod))
      throw new ApiError(400, { error: 'merge_method does not have a valid value' });
    const project = await createProject(ctx.state, deps.root, {
      path: fullPath,
      creatorId: ctx.user.id,
      defaultBranch: p.str('default_branch') ?? 'main',
      mergeMethod: mergeMethod as SimProject['mergeMethod'],
    });
    if (p.bool('initialize_with_readme')) {
      await commitFiles(project.repoDir, {
        branch: project.defaultBranch,
        changes: [{ path: 'README.md', content: `# ${name ?? path}\n` }],
        message: 'Initial commit',
        author: { name: ctx.user.name, email: ctx.user.email, date: ctx.clock.iso() },
      });
    }
    return json(projectEntity(project, ctx), 201);
  });

  router.on('GET', '/projects', (ctx) => {
    if (!ctx.user) throw unauthorized();
    const user = ctx.user;
    const search = ctx.query.get('search')?.toLowerCase();
    const minLevel = ctx.query.int('min_access_level') ?? ACCESS.guest;
    const owned = ctx.query.bool('owned');
    let list = ctx.state.projects.filter((pr) => {
      const level = ctx.state.accessLevel(pr, user.id);
      if (level < minLevel) return false;
      if (owned && level < ACCESS.owner) return false;
      return !search || pr.path.toLowerCase().includes(search);
    });
    const orderBy = ctx.query.get('order_by') ?? 'created_at';
    const sort = ctx.query.get('sort') ?? 'desc';
    const key = (pr: SimProject): string | number =>
      orderBy === 'name' || orderBy === 'path' ? pr.path : orderBy === 'id' ? pr.id : `${pr.createdAt}#${pr.id}`;
    list = [...list].sort((a, b) => {
      const ka = key(a);
      const kb = key(b);
      const c = ka < kb ? -1 : ka > kb ? 1 : 0;
      return sort === 'asc' ? c : -c;
    });
    const simple = ctx.query.bool('simple');
    const page = paginate(list, ctx.query, ctx.url);
    return { ...page, body: page.body.map((pr) => (simple ? projectBasic(pr, ctx) : projectEntity(pr, ctx))) };
  });

  // PUT /projects/:id: the merge settings the simulator models (Maintainer and above).
  router.on('PUT', '/projects/:id', (ctx) => {
    const project = ctx.services.project(ctx);
    ctx.services.requireAccess(ctx, project, ACCESS.maintainer);
    const p = new Params(ctx.body);
    p.requireOneOf(['only_allow_merge_if_pipeline_succeeds', 'merge_method']);
    const strict = p.bool('only_allow_merge_if_pipeline_succeeds');
    if (strict !== undefined) project.onlyAllowMergeIfPipelineSucceeds = strict;
    const method = p.str('merge_method');
    if (method !== undefined) {
      if (!(MERGE_METHODS as readonly string[]).includes(method))
        throw new ApiError(400, { error: 'merge_method does not have a valid value' });
      project.mergeMethod = method as SimProject['mergeMethod'];
    }
    return json(projectEntity(project, ctx));
  });

  router.on('GET', '/projects/:id/members', (ctx) => {
    const project = ctx.services.project(ctx);
    const list = [...project.members.entries()].map(([id, level]) => memberEntity(ctx, id, level));
    return paginate(list, ctx.query, ctx.url);
  });
  router.on('GET', '/projects/:id/members/all', (ctx) => {
    const project = ctx.services.project(ctx);
    const list = [...project.members.entries()].map(([id, level]) => memberEntity(ctx, id, level));
    return paginate(list, ctx.query, ctx.url);
  });
  router.on('POST', '/projects/:id/members', (ctx) => {
    const project = ctx.services.project(ctx);
    ctx.services.requireAccess(ctx, project, ACCESS.maintainer);
    const p = new Params(ctx.body);
    p.require(['access_level']);
    if (p.raw('user_id') === undefined && p.raw('username') === undefined) {
      throw new ApiError(400, { error: 'user_id, username are missing, exactly one parameter must be provided' });
    }
    const userId = p.int('user_id');
    const user =
      userId !== undefined ? ctx.state.user(userId) : ctx.state.users.find((u) => u.username === p.str('username'));
    if (!user) throw notFound('User');
    const level = p.int('access_level') as number;
    if (![10, 20, 30, 40, 50].includes(level))
      throw new ApiError(400, { error: 'access_level does not have a valid value' });
    if (project.members.has(user.id)) throw new ApiError(409, { message: 'Member already exists' });
    project.members.set(user.id, level);
    return json(memberEntity(ctx, user.id, level), 201);
  });
  router.on('PUT', '/projects/:id/members/:user_id', (ctx) => {
    const project = ctx.services.project(ctx);
    ctx.services.requireAccess(ctx, project, ACCESS.maintainer);
    const userId = Number(ctx.params.user_id);
    if (!project.members.has(userId)) throw notFound('Member');
    const p = new Params(ctx.body);
    p.require(['access_level']);
    const level = p.int('access_level') as number;
    project.members.set(userId, level);
    return json(memberEntity(ctx, userId, level));
  });
  router.on('DELETE', '/projects/:id/members/:user_id', (ctx) => {
    const project = ctx.services.project(ctx);
    ctx.services.requireAccess(ctx, project, ACCESS.maintainer);
    const userId = Number(ctx.params.user_id);
    if (!project.members.has(userId)) throw notFound('Member');
    project.members.delete(userId);
    return { status: 204 };
  });
}
