import {
  branchHead,
  type CommitInfo,
  commitDetailEntity,
  commitEntity,
  commitStats,
  EMPTY_TREE,
  logCommits,
  readCommit,
} from '../_internal/commits.js';
import { diffBetween } from '../_internal/diff.js';
import { runGit } from '../_internal/git.js';
import { ApiError, forbidden, invalidParam, json, notFound, paginate } from '../_internal/http.js';
import { Params } from '../_internal/params.js';
import { commitFiles, type FileChange } from '../_internal/repo.js';
import type { RequestContext, Router } from '../_internal/router.js';
import { ACCESS, type SimProject } from '../state.js';
import { canPush } from './branches.js';
import type { ResourceDeps } from './deps.js';

const ACTIONS = ['create', 'update', 'delete', 'move', 'chmod'] as const;

function isoParam(ctx: RequestContext, name: string): string | undefined {
  const v = ctx.query.get(name);
  if (v === undefined) return undefined;
  if (Number.isNaN(Date.parse(v))) throw invalidParam(name);
  return new Date(v).toISOString();
}

/** The last CI pipeline for a commit, if the CI engine registered a lookup in `services.ext`. */
export function lastPipelineFor(ctx: RequestContext, project: SimProject, sha: string): unknown {
  const lookup = ctx.services.ext.lastPipelineForSha as
    | ((project: SimProject, sha: string, ctx: RequestContext) => unknown)
    | undefined;
  return lookup ? (lookup(project, sha, ctx) ?? null) : null;
}

async function listCommits(ctx: RequestContext, project: SimProject) {
  const q = ctx.query;
  const extra: string[] = [];
  const since = isoParam(ctx, 'since');
  const until = isoParam(ctx, 'until');
  if (since) extra.push(`--since=${since}`);
  if (until) extra.push(`--until=${until}`);
  if (q.bool('first_parent')) extra.push('--first-parent');
  if (q.get('order') === 'topo') extra.push('--topo-order');
  const author = q.get('author');
  if (author) extra.push(`--author=${author}`);
  const all = q.bool('all');
  if (all) extra.push('--all');
  const revs = all ? [] : [q.get('ref_name') ?? project.defaultBranch];
  const page = Math.max(1, q.int('page') ?? 1);
  const perPage = Math.min(100, Math.max(1, q.int('per_page') ?? 20));
  const path = q.get('path');
  const found =
    (await logCommits(project.repoDir, revs, {
      skip: (page - 1) * perPage,
      max: perPage + 1,
      paths: path ? [path] : [],
      extra,
    })) ?? [];
  // paginate() slices by page; pad the skipped part so it sees the real offsets without totals.
  const padded: (CommitInfo | undefined)[] = [...new Array((page - 1) * perPage), ...found];
  const res = paginate(padded, ctx.query, ctx.url, { withTotals: false });
  const withStats = q.bool('with_stats');
  const trailers = q.bool('trailers') ?? false;
  const body = await Promise.all(
    (res.body as CommitInfo[]).map(async (c) => {
      const e = commitEntity(c, project, ctx.baseUrl, { trailers });
      if (withStats) e.stats = await commitStats(project.repoDir, c);
      return e;
    }),
  );
  return { ...res, body };
}

async function blobAt(repoDir: string, rev: string, path: string): Promise<{ mode: string; sha: string } | undefined> {
  const run = await runGit(['ls-tree', '-z', rev, '--', path], { cwd: repoDir });
  const line = run.stdout.toString('utf8').split('\0')[0];
  if (!line) return undefined;
  const [meta, p] = line.split('\t') as [string, string];
  const [mode, type, sha] = meta.split(' ') as [string, string, string];
  return type === 'blob' && p === path ? { mode, sha } : undefined;
}

async function readBlob(repoDir: string, sha: string): Promise<Buffer> {
  return (await runGit(['cat-file', 'blob', sha], { cwd: repoDir })).stdout;
}

const FILE_CHANGED = 'You are attempting to update a file that has changed since you started editing it.';

/**
 * GitLab's optimistic lock of a commit action (`Files::MultiService#validate_file_status`): an
 * update, move or delete naming `last_commit_id` is refused (400) when the last commit that touched
 * the file on the branch is another one. Since GitLab 15.10 a `last_commit_id` that is not in the
 * repository is not checked (gitlab-org/gitlab#438657), and neither is one on create or chmod.
 */
async function checkLastCommit(repoDir: string, parent: string | undefined, path: string, a: Params): Promise<void> {
  const action = a.str('action');
  const given = a.str('last_commit_id');
  if (!given || !parent || !['update', 'move', 'delete'].includes(action ?? '')) return;
  const known = await runGit(['cat-file', '-e', `${given}^{commit}`], { cwd: repoDir });
  if (known.code !== 0) return;
  const last = await runGit(['log', '-1', '--format=%H', parent, '--', path], { cwd: repoDir });
  const lastSha = last.stdout.toString('utf8').trim();
  const full = await runGit(['rev-parse', `${given}^{commit}`], { cwd: repoDir });
  if (lastSha && lastSha !== full.stdout.toString('utf8').trim()) throw new ApiError(400, { message: FILE_CHANGED });
}

/** Turns GitLab commit `actions` into file changes, checking them against the parent tree. */
async function toChanges(repoDir: string, parent: string | undefined, actions: unknown): Promise<FileChange[]> {
  if (!Array.isArray(actions) || actions.length === 0) throw new ApiError(400, { error: 'actions is missing' });
  const changes: FileChange[] = [];
  for (const [i, raw] of actions.entries()) {
    const a = new Params((raw ?? {}) as Record<string, unknown>);
    const action = a.str('action');
    if (!action || !(ACTIONS as readonly string[]).includes(action)) {
      throw new ApiError(400, { error: `actions[${i}][action] does not have a valid value` });
    }
    const path = a.str('file_path');
    if (!path) throw new ApiError(400, { error: `actions[${i}][file_path] is missing` });
    const encoding = a.str('encoding') ?? 'text';
    const text = a.str('content');
    const content = text === undefined ? undefined : Buffer.from(text, encoding === 'base64' ? 'base64' : 'utf8');
    const existing = parent ? await blobAt(repoDir, parent, path) : undefined;
    await checkLastCommit(repoDir, parent, action === 'move' ? (a.str('previous_path') ?? path) : path, a);
    const exec = a.bool('execute_filemode');
    const mode = (m?: string): '100644' | '100755' =>
      exec === undefined ? (m === '100755' ? '100755' : '100644') : exec ? '100755' : '100644';
    if (action === 'create') {
      if (existing) throw new ApiError(400, { message: 'A file with this name already exists' });
      changes.push({ path, content: content ?? '', mode: mode() });
    } else if (action === 'update' || action === 'chmod') {
      if (!existing) throw new ApiError(400, { message: "A file with this name doesn't exist" });
      const body = action === 'chmod' || content === undefined ? await readBlob(repoDir, existing.sha) : content;
      changes.push({ path, content: body, mode: mode(existing.mode) });
    } else if (action === 'delete') {
      if (!existing) throw new ApiError(400, { message: "A file with this name doesn't exist" });
      changes.push({ path, content: null });
    } else {
      const previous = a.str('previous_path');
      if (!previous) throw new ApiError(400, { error: `actions[${i}][previous_path] is missing` });
      const old = parent ? await blobAt(repoDir, parent, previous) : undefined;
      if (!old) throw new ApiError(400, { message: "A file with this name doesn't exist" });
      if (existing && previous !== path) throw new ApiError(400, { message: 'A file with this name already exists' });
      changes.push({ path: previous, content: null });
      changes.push({ path, content: content ?? (await readBlob(repoDir, old.sha)), mode: mode(old.mode) });
    }
  }
  return changes;
}

/** /projects/:id/repository/commits: list, get, create, diff. Cherry-pick/revert live in commit-actions.ts. */
export function registerCommits(router: Router, _deps: ResourceDeps): void {
  router.on('GET', '/projects/:id/repository/commits', async (ctx) => {
    const project = ctx.services.project(ctx);
    return listCommits(ctx, project);
  });

  router.on('GET', '/projects/:id/repository/commits/:sha', async (ctx) => {
    const project = ctx.services.project(ctx);
    const c = await readCommit(project.repoDir, ctx.params.sha as string);
    if (!c) throw notFound('Commit');
    const stats = ctx.query.bool('stats') ?? true;
    return json(
      await commitDetailEntity(c, project, ctx.baseUrl, { stats, lastPipeline: lastPipelineFor(ctx, project, c.id) }),
    );
  });

  router.on('GET', '/projects/:id/repository/commits/:sha/diff', async (ctx) => {
    const project = ctx.services.project(ctx);
    const c = await readCommit(project.repoDir, ctx.params.sha as string);
    if (!c) throw notFound('Commit');
    const diffs = await diffBetween(project.repoDir, c.parentIds[0] ?? EMPTY_TREE, c.id);
    return paginate(diffs, ctx.query, ctx.url);
  });

  router.on('POST', '/projects/:id/repository/commits', async (ctx) => {
    const project = ctx.services.project(ctx);
    ctx.services.requireAccess(ctx, project, ACCESS.developer);
    const p = new Params(ctx.body);
    p.require(['branch', 'commit_message', 'actions']);
    const branch = p.str('branch') as string;
    if (!canPush(ctx, project, branch)) throw forbidden('You are not allowed to push into this branch');
    const user = ctx.user as NonNullable<RequestContext['user']>;
    return ctx.services.withRepoLock(project, async () => {
      const head = await branchHead(project.repoDir, branch);
      let parent = head;
      const startBranch = p.str('start_branch');
      const startSha = p.str('start_sha');
      if (!head || p.bool('force')) {
        if (startBranch) {
          parent = await branchHead(project.repoDir, startBranch);
          if (!parent) throw new ApiError(400, { message: `Invalid start branch name: ${startBranch}` });
        } else if (startSha) {
          parent = (await readCommit(project.repoDir, startSha))?.id;
          if (!parent) throw new ApiError(400, { message: `Invalid start sha: ${startSha}` });
        } else if (!head) {
          const refs = await runGit(['for-each-ref', '--count=1', 'refs/heads/'], { cwd: project.repoDir });
          const empty = refs.stdout.length === 0;
          if (!empty)
            throw new ApiError(400, { message: 'You can only create or edit files when you are on a branch' });
        }
      } else if (startBranch || startSha) {
        throw new ApiError(400, {
          message: `A branch called '${branch}' already exists. Switch to that branch in order to make changes`,
        });
      }
      const changes = await toChanges(project.repoDir, parent, p.raw('actions'));
      const when = ctx.clock.iso();
      const sha = await commitFiles(project.repoDir, {
        branch,
        parent: parent ?? null,
        changes,
        message: p.str('commit_message') as string,
        author: { name: p.str('author_name') ?? user.name, email: p.str('author_email') ?? user.email, date: when },
        committer: { name: user.name, email: user.email, date: when },
        noRef: true,
      });
      const moved = await runGit(['update-ref', `refs/heads/${branch}`, sha, head ?? '0'.repeat(40)], {
        cwd: project.repoDir,
      });
      if (moved.code !== 0) throw new ApiError(400, { message: 'Could not update branch: it changed meanwhile' });
      const c = (await readCommit(project.repoDir, sha)) as CommitInfo;
      return json(await commitDetailEntity(c, project, ctx.baseUrl), 201);
    });
  });
}
