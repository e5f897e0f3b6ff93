import { branchHead, commitEntity, isAncestor, listBranches, readCommit, safeRef } from '../_internal/commits.js';
import { git, runGit } from '../_internal/git.js';
import { ApiError, forbidden, json, notFound, paginate } from '../_internal/http.js';
import { Params } from '../_internal/params.js';
import type { RequestContext, Router } from '../_internal/router.js';
import { ACCESS, type SimProject, type SimProtectedBranch } from '../state.js';
import type { ResourceDeps } from './deps.js';

/** The protected-branch rule that applies to a branch (exact name or `*` wildcard), if any. */
export function protectionFor(project: SimProject, branch: string): SimProtectedBranch | undefined {
  const exact = project.protectedBranches.get(branch);
  if (exact) return exact;
  for (const rule of project.protectedBranches.values()) {
    if (!rule.name.includes('*')) continue;
    const re = new RegExp(`^${rule.name.split('*').map(escapeRe).join('.*')}$`);
    if (re.test(branch)) return rule;
  }
  return undefined;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Whether the request's user may push to the branch (protected-branch push level). */
export function canPush(ctx: RequestContext, project: SimProject, branch: string): boolean {
  if (!ctx.user) return false;
  const level = ctx.state.accessLevel(project, ctx.user.id);
  const rule = protectionFor(project, branch);
  if (rule?.pushAccessLevel === 0) return false;
  return level >= (rule ? rule.pushAccessLevel : ACCESS.developer);
}

/** Entities::Branch (branch.json). */
export async function branchEntity(
  ctx: RequestContext,
  project: SimProject,
  name: string,
  sha: string,
): Promise<Record<string, unknown>> {
  const commit = await readCommit(project.repoDir, sha);
  const rule = protectionFor(project, name);
  const defaultHead = await branchHead(project.repoDir, project.defaultBranch);
  const merged =
    name !== project.defaultBranch &&
    defaultHead !== undefined &&
    (await isAncestor(project.repoDir, sha, defaultHead));
  return {
    name,
    commit: commit ? commitEntity(commit, project, ctx.baseUrl) : null,
    merged,
    protected: rule !== undefined,
    developers_can_push: rule ? rule.pushAccessLevel <= ACCESS.developer : false,
    developers_can_merge: rule ? rule.mergeAccessLevel <= ACCESS.developer : false,
    can_push: canPush(ctx, project, name),
    default: name === project.defaultBranch,
    web_url: `${ctx.baseUrl}/${project.path}/-/tree/${name}`,
  };
}

function matchesSearch(name: string, search: string): boolean {
  const s = search.toLowerCase();
  const n = name.toLowerCase();
  if (s.startsWith('^') && s.endsWith('$')) return n === s.slice(1, -1);
  if (s.startsWith('^')) return n.startsWith(s.slice(1));
  if (s.endsWith('$')) return n.endsWith(s.slice(0, -1));
  return n.includes(s);
}

/** /projects/:id/repository/branches: list, get, create, delete. */
export function registerBranches(router: Router, _deps: ResourceDeps): void {
  router.on('GET', '/projects/:id/repository/branches', async (ctx) => {
    const project = ctx.services.project(ctx);
    const search = ctx.query.get('search');
    const all = (await listBranches(project.repoDir)).filter((b) => !search || matchesSearch(b.name, search));
    const page = paginate(all, ctx.query, ctx.url);
    const body = await Promise.all(page.body.map((b) => branchEntity(ctx, project, b.name, b.sha)));
    return { ...page, body };
  });

  router.on('GET', '/projects/:id/repository/branches/:branch', async (ctx) => {
    const project = ctx.services.project(ctx);
    const name = ctx.params.branch as string;
    const sha = await branchHead(project.repoDir, name);
    if (!sha) throw notFound('Branch');
    return json(await branchEntity(ctx, project, name, sha));
  });

  router.on('POST', '/projects/:id/repository/branches', async (ctx) => {
    const project = ctx.services.project(ctx);
    ctx.services.requireAccess(ctx, project, ACCESS.developer);
    const p = new Params(ctx.body);
    p.require(['branch', 'ref']);
    const name = p.str('branch') as string;
    const ref = p.str('ref') as string;
    const valid =
      safeRef(name) && (await runGit(['check-ref-format', '--branch', name], { cwd: project.repoDir })).code === 0;
    if (!valid) throw new ApiError(400, { message: 'Branch name is invalid' });
    if (protectionFor(project, name) && !canPush(ctx, project, name)) {
      throw forbidden('You are not allowed to create protected branches on this project.');
    }
    return ctx.services.withRepoLock(project, async () => {
      if (await branchHead(project.repoDir, name)) throw new ApiError(400, { message: 'Branch already exists' });
      const target = await readCommit(project.repoDir, ref);
      if (!target) throw new ApiError(400, { message: `Invalid reference name: ${ref}` });
      await git(['update-ref', `refs/heads/${name}`, target.id, '0'.repeat(40)], { cwd: project.repoDir });
      return json(await branchEntity(ctx, project, name, target.id), 201);
    });
  });

  router.on('DELETE', '/projects/:id/repository/branches/:branch', async (ctx) => {
    const project = ctx.services.project(ctx);
    ctx.services.requireAccess(ctx, project, ACCESS.developer);
    const name = ctx.params.branch as string;
    return ctx.services.withRepoLock(project, async () => {
      const sha = await branchHead(project.repoDir, name);
      if (!sha) throw notFound('Branch');
      if (name === project.defaultBranch)
        throw new ApiError(405, { message: 'The default branch of a project cannot be deleted.' });
      if (protectionFor(project, name)) throw forbidden();
      await git(['update-ref', '-d', `refs/heads/${name}`, sha], { cwd: project.repoDir });
      return { status: 204 };
    });
  });
}
