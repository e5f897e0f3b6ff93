import { createHash } from 'node:crypto';
import { resolveCommit, safeRef } from '../_internal/commits.js';
import { runGit } from '../_internal/git.js';
import { ApiError, json, notFound, paginate } from '../_internal/http.js';
import { Params } from '../_internal/params.js';
import type { RequestContext, Router } from '../_internal/router.js';
import type { SimProject } from '../state.js';
import type { ResourceDeps } from './deps.js';

interface TreeEntry {
  readonly id: string;
  readonly name: string;
  readonly type: 'tree' | 'blob' | 'commit';
  readonly path: string;
  readonly mode: string;
}

async function lsTree(repoDir: string, sha: string, path: string, recursive: boolean): Promise<TreeEntry[]> {
  const spec = path ? [`${path.replace(/\/+$/, '')}/`] : [];
  const run = await runGit(['ls-tree', '-z', ...(recursive ? ['-r', '-t'] : []), sha, '--', ...spec], {
    cwd: repoDir,
  });
  return run.stdout
    .toString('utf8')
    .split('\0')
    .filter(Boolean)
    .map((line) => {
      const [meta, p] = line.split('\t') as [string, string];
      const [mode, type, id] = meta.split(' ') as [string, TreeEntry['type'], string];
      return { id, name: p.split('/').pop() as string, type, path: p, mode };
    });
}

async function fileAt(repoDir: string, sha: string, path: string) {
  if (!safeRef(path)) return undefined;
  const run = await runGit(['ls-tree', '-z', sha, '--', path], { cwd: repoDir });
  const line = run.stdout.toString('utf8').split('\0')[0];
  if (!line) return undefined;
  const [meta, p] = line.split('\t') as [string, string];
  const [mode, type, blob] = meta.split(' ') as [string, string, string];
  if (type !== 'blob' || p !== path) return undefined;
  const content = (await runGit(['cat-file', 'blob', blob], { cwd: repoDir })).stdout;
  return { mode, blob, content };
}

async function fileResponse(ctx: RequestContext, project: SimProject, raw: boolean) {
  const p = new Params(ctx.body);
  if (!raw) p.require(['ref']);
  const ref = p.str('ref') ?? project.defaultBranch;
  const path = ctx.params.file_path as string;
  const sha = await resolveCommit(project.repoDir, ref);
  const file = sha ? await fileAt(project.repoDir, sha, path) : undefined;
  if (!sha || !file) throw notFound('File');
  const last = await runGit(['log', '-1', '--format=%H', sha, '--', path], { cwd: project.repoDir });
  const lastCommit = last.stdout.toString('utf8').trim();
  const sha256 = createHash('sha256').update(file.content).digest('hex');
  const headers: Record<string, string> = {
    'x-gitlab-blob-id': file.blob,
    'x-gitlab-commit-id': sha,
    'x-gitlab-content-sha256': sha256,
    'x-gitlab-encoding': 'base64',
    'x-gitlab-file-name': path.split('/').pop() as string,
    'x-gitlab-file-path': path,
    'x-gitlab-last-commit-id': lastCommit,
    'x-gitlab-ref': ref,
    'x-gitlab-size': String(file.content.length),
    'x-gitlab-execute-filemode': String(file.mode === '100755'),
  };
  if (raw)
    return {
      status: 200,
      raw: true,
      body: file.content,
      headers: { ...headers, 'content-type': 'text/plain; charset=utf-8' },
    };
  return json(
    {
      file_name: path.split('/').pop(),
      file_path: path,
      size: file.content.length,
      encoding: 'base64',
      content_sha256: sha256,
      ref,
      blob_id: file.blob,
      commit_id: sha,
      last_commit_id: lastCommit,
      execute_filemode: file.mode === '100755',
      content: file.content.toString('base64'),
    },
    200,
    headers,
  );
}

/** Repository tree, raw blobs and the files API, read with native git. */
export function registerRepositoryFiles(router: Router, _deps: ResourceDeps): void {
  router.on('GET', '/projects/:id/repository/tree', async (ctx) => {
    const project = ctx.services.project(ctx);
    const ref = ctx.query.get('ref') ?? project.defaultBranch;
    const path = ctx.query.get('path') ?? '';
    const sha = await resolveCommit(project.repoDir, ref);
    if (!sha) throw notFound('Tree');
    const entries = await lsTree(project.repoDir, sha, path, ctx.query.bool('recursive') ?? false);
    if (path && entries.length === 0) throw notFound('Tree');
    if (ctx.query.get('pagination') !== 'keyset') return paginate(entries, ctx.query, ctx.url);
    // Keyset: the page token is the path of the last entry of the previous page.
    const perPage = Math.min(100, Math.max(1, ctx.query.int('per_page') ?? 20));
    const token = ctx.query.get('page_token');
    const start = token ? entries.findIndex((e) => e.path === token) + 1 : 0;
    if (token && start === 0) throw new ApiError(400, { message: 'Invalid page token' });
    const slice = entries.slice(start, start + perPage);
    const headers: Record<string, string> = {};
    if (start + perPage < entries.length && slice.length) {
      const next = new URL(ctx.url);
      next.searchParams.set('page_token', (slice[slice.length - 1] as TreeEntry).path);
      headers.link = `<${next.toString()}>; rel="next"`;
    }
    return json(slice, 200, headers);
  });

  router.on('GET', '/projects/:id/repository/blobs/:sha', async (ctx) => {
    const project = ctx.services.project(ctx);
    const blob = await readBlob(project, ctx.params.sha as string);
    return json({
      size: blob.content.length,
      encoding: 'base64',
      content: blob.content.toString('base64'),
      sha: blob.sha,
    });
  });
  router.on('GET', '/projects/:id/repository/blobs/:sha/raw', async (ctx) => {
    const project = ctx.services.project(ctx);
    const blob = await readBlob(project, ctx.params.sha as string);
    return { status: 200, raw: true, body: blob.content, headers: { 'content-type': 'text/plain; charset=utf-8' } };
  });

  router.on('GET', '/projects/:id/repository/files/:file_path', (ctx) =>
    fileResponse(ctx, ctx.services.project(ctx), false),
  );
  router.on('GET', '/projects/:id/repository/files/:file_path/raw', (ctx) =>
    fileResponse(ctx, ctx.services.project(ctx), true),
  );
}

async function readBlob(project: SimProject, sha: string): Promise<{ sha: string; content: Buffer }> {
  if (!/^[0-9a-f]{4,40}$/i.test(sha)) throw notFound('Blob');
  const type = await runGit(['cat-file', '-t', sha], { cwd: project.repoDir });
  if (type.code !== 0 || type.stdout.toString('utf8').trim() !== 'blob') throw notFound('Blob');
  const full = (await runGit(['rev-parse', sha], { cwd: project.repoDir })).stdout.toString('utf8').trim();
  const content = (await runGit(['cat-file', 'blob', full], { cwd: project.repoDir })).stdout;
  return { sha: full, content };
}
