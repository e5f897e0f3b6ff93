import { ApiError, json, notFound, paginate } from '../_internal/http.js';
import { Params } from '../_internal/params.js';
import type { RequestContext, Router } from '../_internal/router.js';
import { ACCESS, type SimProject, type SimProtectedBranch } from '../state.js';
import type { ResourceDeps } from './deps.js';

const DESCRIPTIONS: Record<number, string> = {
  0: 'No one',
  30: 'Developers + Maintainers',
  40: 'Maintainers',
  60: 'Admins',
};

function ruleId(project: SimProject, name: string): number {
  return project.id * 1000 + [...project.protectedBranches.keys()].indexOf(name) + 1;
}

function accessLevels(project: SimProject, name: string, level: number, offset: number): Record<string, unknown>[] {
  return [
    {
      id: ruleId(project, name) * 10 + offset,
      access_level: level,
      access_level_description: DESCRIPTIONS[level] ?? 'Maintainers',
      deploy_key_id: null,
      user_id: null,
      group_id: null,
    },
  ];
}

/** Entities::ProtectedBranch. */
function protectedEntity(project: SimProject, rule: SimProtectedBranch): Record<string, unknown> {
  return {
    id: ruleId(project, rule.name),
    name: rule.name,
    push_access_levels: accessLevels(project, rule.name, rule.pushAccessLevel, 1),
    merge_access_levels: accessLevels(project, rule.name, rule.mergeAccessLevel, 2),
    unprotect_access_levels: [],
    allow_force_push: rule.allowForcePush,
    code_owner_approval_required: false,
  };
}

function level(p: Params, name: string): number {
  const v = p.int(name) ?? ACCESS.maintainer;
  if (![0, 30, 40, 60].includes(v)) throw new ApiError(400, { error: `${name} does not have a valid value` });
  return v;
}

function find(ctx: RequestContext, project: SimProject): SimProtectedBranch {
  const rule = project.protectedBranches.get(ctx.params.name as string);
  if (!rule) throw notFound();
  return rule;
}

/**
 * /projects/:id/protected_branches. The rules live in state; the repository's pre-receive
 * hook enforces them on smart-HTTP pushes (see `pushEnv`), REST writes check `canPush`.
 */
export function registerProtectedBranches(router: Router, _deps: ResourceDeps): void {
  router.on('GET', '/projects/:id/protected_branches', (ctx) => {
    const project = ctx.services.project(ctx);
    const search = ctx.query.get('search');
    const rules = [...project.protectedBranches.values()].filter((r) => !search || r.name.includes(search));
    const page = paginate(rules, ctx.query, ctx.url);
    return { ...page, body: page.body.map((r) => protectedEntity(project, r)) };
  });
  router.on('GET', '/projects/:id/protected_branches/:name', (ctx) => {
    const project = ctx.services.project(ctx);
    return json(protectedEntity(project, find(ctx, project)));
  });
  router.on('POST', '/projects/:id/protected_branches', (ctx) => {
    const project = ctx.services.project(ctx);
    ctx.services.requireAccess(ctx, project, ACCESS.maintainer);
    const p = new Params(ctx.body);
    p.require(['name']);
    const name = p.str('name') as string;
    if (project.protectedBranches.has(name)) {
      throw new ApiError(409, { message: `Protected branch '${name}' already exists` });
    }
    const rule: SimProtectedBranch = {
      name,
      pushAccessLevel: level(p, 'push_access_level'),
      mergeAccessLevel: level(p, 'merge_access_level'),
      allowForcePush: p.bool('allow_force_push') ?? false,
    };
    project.protectedBranches.set(name, rule);
    return json(protectedEntity(project, rule), 201);
  });
  router.on('PATCH', '/projects/:id/protected_branches/:name', (ctx) => {
    const project = ctx.services.project(ctx);
    ctx.services.requireAccess(ctx, project, ACCESS.maintainer);
    const rule = find(ctx, project);
    const p = new Params(ctx.body);
    const force = p.bool('allow_force_push');
    if (force !== undefined) rule.allowForcePush = force;
    return json(protectedEntity(project, rule));
  });
  router.on('DELETE', '/projects/:id/protected_branches/:name', (ctx) => {
    const project = ctx.services.project(ctx);
    ctx.services.requireAccess(ctx, project, ACCESS.maintainer);
    find(ctx, project);
    project.protectedBranches.delete(ctx.params.name as string);
    return { status: 204 };
  });
}
