import { branchHead, commitEntity, logCommits, readCommit } from '../_internal/commits.js';
import { diffBetween } from '../_internal/diff.js';
import { runGit } from '../_internal/git.js';
import { ApiError, json, notFound, paginate } from '../_internal/http.js';
import { changeLabels, openMergeRequest, refreshOpenMergeRequest } from '../_internal/merge-requests.js';
import { Params } from '../_internal/params.js';
import type { RequestContext, Router } from '../_internal/router.js';
import type { CiEngine } from '../ci/engine.js';
import { ACCESS, type SimMergeRequest, type SimProject } from '../state.js';
import type { ResourceDeps } from './deps.js';
import { ensureLabel } from './labels.js';
import { mergeRequestEntity } from './merge-request-entity.js';

/** The `:merge_request_iid` MR of a project, or GitLab's 404. */
export function findMergeRequest(ctx: RequestContext, project: SimProject): SimMergeRequest {
  const raw = ctx.params.merge_request_iid as string;
  const mr = /^\d+$/.test(raw) ? project.mergeRequests.find((m) => m.iid === Number(raw)) : undefined;
  if (!mr) throw notFound('Merge Request');
  return mr;
}

const EDIT_PARAMS = [
  'assignee_id',
  'assignee_ids',
  'reviewer_ids',
  'description',
  'labels',
  'add_labels',
  'remove_labels',
  'milestone_id',
  'remove_source_branch',
  'allow_collaboration',
  'allow_maintainer_to_push',
  'squash',
  'target_branch',
  'title',
  'state_event',
  'discussion_locked',
  'merge_after',
];

function matchesLabels(mr: SimMergeRequest, wanted: string[] | undefined): boolean {
  if (!wanted || wanted.length === 0) return true;
  if (wanted.length === 1 && wanted[0]?.toLowerCase() === 'none') return mr.labels.length === 0;
  if (wanted.length === 1 && wanted[0]?.toLowerCase() === 'any') return mr.labels.length > 0;
  return wanted.every((l) => mr.labels.includes(l));
}

function listFilter(ctx: RequestContext): (mr: SimMergeRequest) => boolean {
  const q = ctx.query;
  const state = q.get('state') ?? 'all';
  const labels = q
    .all('labels')
    .flatMap((l) => l.split(','))
    .map((l) => l.trim())
    .filter(Boolean);
  const target = q.get('target_branch');
  const source = q.get('source_branch');
  const search = q.get('search')?.toLowerCase();
  const iids = q.all('iids').map(Number);
  const authorId = q.int('author_id');
  const createdAfter = q.get('created_after');
  const updatedAfter = q.get('updated_after');
  return (mr) =>
    (state === 'all' || mr.state === state) &&
    matchesLabels(mr, labels) &&
    (!target || mr.targetBranch === target) &&
    (!source || mr.sourceBranch === source) &&
    (!search || `${mr.title}\n${mr.description}`.toLowerCase().includes(search)) &&
    (iids.length === 0 || iids.includes(mr.iid)) &&
    (authorId === undefined || mr.authorId === authorId) &&
    (!createdAfter || mr.createdAt >= new Date(createdAfter).toISOString()) &&
    (!updatedAfter || mr.updatedAt >= new Date(updatedAfter).toISOString());
}

/** Merge requests: create, get, list, edit, commits, changes and diffs. */
export function registerMergeRequests(router: Router, _deps: ResourceDeps): void {
  router.on('POST', '/projects/:id/merge_requests', async (ctx) => {
    const project = ctx.services.project(ctx);
    ctx.services.requireAccess(ctx, project, ACCESS.developer);
    const p = new Params(ctx.body);
    p.require(['source_branch', 'target_branch', 'title'], { allowBlank: false });
    const source = p.str('source_branch') as string;
    const target = p.str('target_branch') as string;
    if (source === target) {
      throw new ApiError(400, { message: ["You can't use same project/branch for source and target"] });
    }
    const missing: string[] = [];
    if (!(await branchHead(project.repoDir, source))) missing.push(`Source branch "${source}" does not exist`);
    if (!(await branchHead(project.repoDir, target))) missing.push(`Target branch "${target}" does not exist`);
    if (missing.length) throw new ApiError(400, { message: missing });
    const open = project.mergeRequests.find(
      (m) => m.state === 'opened' && m.sourceBranch === source && m.targetBranch === target,
    );
    if (open) {
      throw new ApiError(409, {
        message: [`Another open merge request already exists for this source branch: !${open.iid}`],
      });
    }
    const user = ctx.user as NonNullable<RequestContext['user']>;
    const at = ctx.clock.iso();
    const mr = await openMergeRequest(ctx.state, project, {
      sourceBranch: source,
      targetBranch: target,
      title: p.str('title') as string,
      description: p.str('description') ?? '',
      authorId: user.id,
      squash: p.bool('squash') ?? false,
      at,
    });
    const labels = p.list('labels') ?? [];
    if (labels.length) changeLabels(mr, { add: labels.map((l) => ensureLabel(ctx.state, project, l)) }, user.id, at);
    // "Pipelines must succeed": the MR's own pipeline runs on its source branch (merge request pipelines).
    if (project.onlyAllowMergeIfPipelineSucceeds) {
      const ci = ctx.services.ext.ci as CiEngine | undefined;
      await ci?.createPipeline(project, { ref: source, userId: user.id, source: 'merge_request_event' });
    }
    return json(await mergeRequestEntity(ctx, project, mr, { detail: true }), 201);
  });

  router.on('GET', '/projects/:id/merge_requests', async (ctx) => {
    const project = ctx.services.project(ctx);
    const orderBy = ctx.query.get('order_by') ?? 'created_at';
    const sort = ctx.query.get('sort') ?? 'desc';
    const key = (mr: SimMergeRequest): string =>
      orderBy === 'updated_at'
        ? mr.updatedAt
        : orderBy === 'merged_at'
          ? (mr.mergedAt ?? '')
          : orderBy === 'title'
            ? mr.title
            : mr.createdAt;
    const list = project.mergeRequests.filter(listFilter(ctx)).sort((a, b) => {
      const c = key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a.id - b.id;
      return sort === 'asc' ? c : -c;
    });
    const page = paginate(list, ctx.query, ctx.url);
    if (ctx.query.get('view') === 'simple') {
      const keys = ['id', 'iid', 'project_id', 'title', 'description', 'state', 'created_at', 'updated_at', 'web_url'];
      const simple = await Promise.all(
        page.body.map(async (mr) => {
          const full = await mergeRequestEntity(ctx, project, mr, { detail: false });
          return Object.fromEntries(keys.map((k) => [k, full[k]]));
        }),
      );
      return { ...page, body: simple };
    }
    const labelDetails = ctx.query.bool('with_labels_details') ?? false;
    const body = await Promise.all(
      page.body.map((mr) => mergeRequestEntity(ctx, project, mr, { detail: false, labelDetails })),
    );
    return { ...page, body };
  });

  router.on('GET', '/projects/:id/merge_requests/:merge_request_iid', async (ctx) => {
    const project = ctx.services.project(ctx);
    return json(await mergeRequestEntity(ctx, project, findMergeRequest(ctx, project), { detail: true }));
  });

  router.on('PUT', '/projects/:id/merge_requests/:merge_request_iid', async (ctx) => {
    const project = ctx.services.project(ctx);
    const mr = findMergeRequest(ctx, project);
    ctx.services.requireAccess(ctx, project, ACCESS.developer);
    const p = new Params(ctx.body);
    p.requireOneOf(EDIT_PARAMS);
    const user = ctx.user as NonNullable<RequestContext['user']>;
    const at = ctx.clock.iso();
    const title = p.str('title');
    if (title !== undefined) {
      if (!title.trim()) throw new ApiError(400, { message: { title: ["can't be blank"] } });
      mr.title = title;
    }
    const description = p.str('description');
    if (description !== undefined) mr.description = description;
    const squash = p.bool('squash');
    if (squash !== undefined && mr.state !== 'merged') mr.squash = squash;
    const stateEvent = p.str('state_event');
    if (stateEvent === 'close' && mr.state === 'opened') mr.state = 'closed';
    else if (stateEvent === 'reopen' && mr.state === 'closed') mr.state = 'opened';
    else if (stateEvent !== undefined && stateEvent !== 'close' && stateEvent !== 'reopen') {
      throw new ApiError(400, { error: 'state_event does not have a valid value' });
    }
    const set = p.list('labels');
    if (set !== undefined) {
      changeLabels(mr, { set: set.filter(Boolean).map((l) => ensureLabel(ctx.state, project, l)) }, user.id, at);
    }
    const remove = p.list('remove_labels');
    if (remove?.length) changeLabels(mr, { remove }, user.id, at);
    const add = p.list('add_labels');
    if (add?.length) {
      changeLabels(mr, { add: add.filter(Boolean).map((l) => ensureLabel(ctx.state, project, l)) }, user.id, at);
    }
    mr.updatedAt = at;
    return json(await mergeRequestEntity(ctx, project, mr, { detail: true }));
  });

  router.on('GET', '/projects/:id/merge_requests/:merge_request_iid/commits', async (ctx) => {
    const project = ctx.services.project(ctx);
    const mr = findMergeRequest(ctx, project);
    await refreshOpenMergeRequest(project, mr);
    const commits = (await logCommits(project.repoDir, [`${mr.diffBaseSha}..${mr.sha}`])) ?? [];
    const page = paginate(commits, ctx.query, ctx.url);
    return { ...page, body: page.body.map((c) => commitEntity(c, project, ctx.baseUrl)) };
  });

  router.on('GET', '/projects/:id/merge_requests/:merge_request_iid/changes', async (ctx) => {
    const project = ctx.services.project(ctx);
    const mr = findMergeRequest(ctx, project);
    await refreshOpenMergeRequest(project, mr);
    const entity = await mergeRequestEntity(ctx, project, mr, { detail: true });
    const changes = await diffBetween(project.repoDir, mr.diffBaseSha, mr.sha);
    return json({ ...entity, changes, overflow: false });
  });

  router.on('GET', '/projects/:id/repository/commits/:sha/merge_requests', async (ctx) => {
    const project = ctx.services.project(ctx);
    const commit = await readCommit(project.repoDir, ctx.params.sha as string);
    if (!commit) throw notFound('Commit');
    const related: SimMergeRequest[] = [];
    for (const mr of project.mergeRequests) {
      if ([mr.sha, mr.mergeCommitSha, mr.squashCommitSha].includes(commit.id)) related.push(mr);
      else {
        const range = await runGit(['rev-list', `${mr.diffBaseSha}..${mr.sha}`], { cwd: project.repoDir });
        if (range.stdout.toString('utf8').split('\n').includes(commit.id)) related.push(mr);
      }
    }
    const page = paginate(related, ctx.query, ctx.url);
    const body = await Promise.all(page.body.map((mr) => mergeRequestEntity(ctx, project, mr, { detail: false })));
    return { ...page, body };
  });

  router.on('GET', '/projects/:id/merge_requests/:merge_request_iid/diffs', async (ctx) => {
    const project = ctx.services.project(ctx);
    const mr = findMergeRequest(ctx, project);
    await refreshOpenMergeRequest(project, mr);
    return paginate(await diffBetween(project.repoDir, mr.diffBaseSha, mr.sha), ctx.query, ctx.url);
  });
}
