import { type CommitInfo, commitEntity, logCommits, resolveCommit } from '../_internal/commits.js';
import { diffBetween } from '../_internal/diff.js';
import { runGit } from '../_internal/git.js';
import { json, notFound } from '../_internal/http.js';
import { Params } from '../_internal/params.js';
import type { Router } from '../_internal/router.js';
import type { ResourceDeps } from './deps.js';

/**
 * GET /projects/:id/repository/compare. `straight=true` diffs `from` against `to` directly;
 * the default diffs the merge base against `to`. Commits are `from..to`, oldest first, and
 * `commit` is the newest of them (null when there are none).
 */
export function registerCompare(router: Router, _deps: ResourceDeps): void {
  router.on('GET', '/projects/:id/repository/compare', async (ctx) => {
    const project = ctx.services.project(ctx);
    const p = new Params(ctx.body);
    p.require(['from', 'to']);
    const fromRef = p.str('from') as string;
    const toRef = p.str('to') as string;
    const straight = p.bool('straight') ?? false;
    const [from, to] = await Promise.all([
      resolveCommit(project.repoDir, fromRef),
      resolveCommit(project.repoDir, toRef),
    ]);
    if (!from || !to) throw notFound('Ref');
    let base = from;
    if (!straight) {
      const mb = await runGit(['merge-base', from, to], { cwd: project.repoDir });
      base = mb.code === 0 ? mb.stdout.toString('utf8').trim() : from;
    }
    const commits: CommitInfo[] =
      from === to ? [] : ((await logCommits(project.repoDir, [`${from}..${to}`], { extra: ['--reverse'] })) ?? []);
    const diffs = from === to ? [] : await diffBetween(project.repoDir, base, to);
    const entities = commits.map((c) => commitEntity(c, project, ctx.baseUrl));
    return json({
      commit: entities[entities.length - 1] ?? null,
      commits: entities,
      diffs,
      compare_timeout: false,
      compare_same_ref: from === to,
      web_url: `${ctx.baseUrl}/${project.path}/-/compare/${fromRef}...${toRef}`,
    });
  });
}
