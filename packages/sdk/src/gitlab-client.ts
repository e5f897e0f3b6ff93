/**
 * The SDK's GitLab client: a small typed interface over the transport (and gitbeaker,
 * kept behind it). Every method returns a `ResultAsync` of a zod-validated value or a
 * typed `HotfixError`; nothing throws.
 */

import { err, errAsync, ok, okAsync, type Result, ResultAsync } from 'neverthrow';
import { z } from 'zod';
import { createGitbeaker, viaGitbeaker } from './_internal/gitbeaker.js';
import { type ListOptions, type ListResult, paginate } from './_internal/paginate.js';
import * as s from './_internal/schemas.js';
import { createTransport, type HttpRequest, type QueryValue, type TransportDeps } from './_internal/transport.js';
import { validate } from './_internal/validate.js';
import { type Clock, systemClock } from './clock.js';
import { type ClientConfigInput, parseClientConfig } from './config.js';
import { type HotfixError, hotfixError } from './errors.js';
import type { TokenKind } from './token-kinds.js';

/** A project id or its full path (`group/project`); paths are encoded for you. */
export type ProjectRef = string | number;

/** Filters for listing pipelines (GitLab's names). */
export interface PipelineFilters {
  readonly ref?: string;
  readonly sha?: string;
  readonly status?: string;
  readonly source?: string;
  readonly updated_after?: string;
  readonly created_after?: string;
  readonly created_before?: string;
  readonly order_by?: 'id' | 'status' | 'ref' | 'updated_at' | 'user_id';
  readonly sort?: 'asc' | 'desc';
}

/** Filters for listing deployments (GitLab's names; `updated_after` needs `order_by=updated_at`). */
export interface DeploymentFilters {
  readonly environment?: string;
  readonly status?: string;
  readonly order_by?: 'id' | 'iid' | 'created_at' | 'updated_at' | 'finished_at' | 'ref';
  readonly sort?: 'asc' | 'desc';
  readonly updated_after?: string;
}

/** The result of a cherry-pick or revert call: a new commit, or a clean dry run. */
export type ChangeResult =
  | { readonly kind: 'commit'; readonly commit: s.GitLabCommit }
  | { readonly kind: 'dry-run-clean' };

/** Everything the SDK asks of GitLab. */
export interface GitLabClient {
  /** `<gitlabUrl>` without `/api/v4`. */
  readonly gitlabUrl: string;
  /** The SDK's one clock (`deps.clock`, wall time by default): primitives stamp evidence times with it. */
  readonly clock: Clock;
  /** How the token is sent (`private`, `job` or `oauth`): decides what the token may do and the git push user name. */
  readonly tokenKind: TokenKind;
  /** GET /user. */
  currentUser(): ResultAsync<z.output<typeof s.currentUserSchema>, HotfixError>;
  /** GET /projects/:id. */
  project(project: ProjectRef): ResultAsync<s.GitLabProject, HotfixError>;
  /** GET /projects/:id/merge_requests/:iid. */
  mergeRequest(project: ProjectRef, iid: number): ResultAsync<s.GitLabMergeRequest, HotfixError>;
  /**
   * GET /projects/:id/merge_requests/:iid/commits (newest first, as GitLab lists them). A commit
   * listed without `parent_ids` (GitLab's documented answer has none) is read on its own for them.
   */
  mergeRequestCommits(
    project: ProjectRef,
    iid: number,
    opts?: ListOptions,
  ): ResultAsync<ListResult<s.GitLabCommit>, HotfixError>;
  /** GET /projects/:id/merge_requests/:iid/approvals. */
  approvals(project: ProjectRef, iid: number): ResultAsync<s.GitLabApprovals, HotfixError>;
  /** GET /projects/:id/repository/branches/:branch. */
  branch(project: ProjectRef, branch: string): ResultAsync<s.GitLabBranch, HotfixError>;
  /** GET /projects/:id/repository/commits/:sha. */
  commit(project: ProjectRef, sha: string): ResultAsync<s.GitLabCommit, HotfixError>;
  /** GET /projects/:id/repository/commits (bounded; `ref_name` may be a revision range `a..b`). */
  commits(
    project: ProjectRef,
    query: {
      readonly ref_name?: string;
      readonly since?: string;
      readonly first_parent?: boolean;
      /** Only commits that touch this path. */
      readonly path?: string;
    },
    opts?: ListOptions,
  ): ResultAsync<ListResult<s.GitLabCommit>, HotfixError>;
  /** GET /projects/:id/repository/commits/:sha/diff. */
  commitDiff(project: ProjectRef, sha: string, opts?: ListOptions): ResultAsync<ListResult<s.GitLabDiff>, HotfixError>;
  /** POST /projects/:id/repository/commits/:sha/cherry_pick (never retried). */
  cherryPick(
    project: ProjectRef,
    sha: string,
    branch: string,
    opts?: { readonly dryRun?: boolean; readonly message?: string },
  ): ResultAsync<ChangeResult, HotfixError>;
  /** POST /projects/:id/repository/commits/:sha/revert (never retried). */
  revert(
    project: ProjectRef,
    sha: string,
    branch: string,
    opts?: { readonly dryRun?: boolean },
  ): ResultAsync<ChangeResult, HotfixError>;
  /** GET /projects/:id/repository/compare. */
  compare(
    project: ProjectRef,
    from: string,
    to: string,
    opts?: { readonly straight?: boolean },
  ): ResultAsync<s.GitLabCompare, HotfixError>;
  /** GET /projects/:id/repository/tree (one level of `path` at `ref`). */
  tree(
    project: ProjectRef,
    ref: string,
    path: string,
    opts?: ListOptions,
  ): ResultAsync<ListResult<s.GitLabTreeEntry>, HotfixError>;
  /** GET /projects/:id/repository/blobs/:sha/raw as bytes. */
  rawBlob(project: ProjectRef, sha: string): ResultAsync<Uint8Array, HotfixError>;
  /**
   * POST /api/graphql, a read query: the blobs at `paths` at each of `refs` in one request
   * (`project(fullPath:) { repository { blobs(ref:, paths:) { nodes { path oid rawTextBlob } } } }`,
   * one aliased `blobs` per ref), keyed by ref. Paths that hold no blob at a ref are absent, and
   * `rawTextBlob` is null for binary blobs (read those by id). Errors: `gitlab-not-found` (no
   * GraphQL, or the project is not readable), `response-invalid` (GitLab answered GraphQL errors).
   */
  repositoryBlobs(
    project: string,
    refs: readonly string[],
    paths: readonly string[],
  ): ResultAsync<ReadonlyMap<string, readonly s.GraphqlBlob[]>, HotfixError>;
  /** GET /projects/:id/repository/files/:file_path/raw?ref= as text. */
  rawFile(project: ProjectRef, path: string, ref: string): ResultAsync<string, HotfixError>;
  /** POST /projects/:id/pipeline with `inputs` (typed values) and/or `variables` (never retried). */
  createPipeline(
    project: ProjectRef,
    body: {
      readonly ref: string;
      readonly inputs?: Readonly<Record<string, string | number | boolean | readonly string[]>>;
      readonly variables?: readonly { key: string; value: string; variable_type?: 'env_var' | 'file' }[];
    },
  ): ResultAsync<s.GitLabPipeline, HotfixError>;
  /** GET /projects/:id/pipelines/:pipeline_id. */
  pipeline(project: ProjectRef, id: number): ResultAsync<s.GitLabPipeline, HotfixError>;
  /** GET /projects/:id/pipelines (bounded). */
  pipelines(
    project: ProjectRef,
    filters: PipelineFilters,
    opts?: ListOptions,
  ): ResultAsync<ListResult<s.GitLabPipeline>, HotfixError>;
  /** GET /projects/:id/pipelines/:pipeline_id/variables. */
  pipelineVariables(project: ProjectRef, id: number): ResultAsync<s.GitLabPipelineVariable[], HotfixError>;
  /** GET /projects/:id/pipelines/:pipeline_id/jobs. */
  pipelineJobs(project: ProjectRef, id: number, opts?: ListOptions): ResultAsync<ListResult<s.GitLabJob>, HotfixError>;
  /** GET /projects/:id/pipelines/:pipeline_id/bridges. */
  pipelineBridges(
    project: ProjectRef,
    id: number,
    opts?: ListOptions,
  ): ResultAsync<ListResult<s.GitLabBridge>, HotfixError>;
  /** GET /projects/:id/environments?name=. */
  environmentsByName(project: ProjectRef, name: string): ResultAsync<s.GitLabEnvironment[], HotfixError>;
  /** GET /projects/:id/environments/:environment_id (with `last_deployment`). */
  environment(project: ProjectRef, id: number): ResultAsync<s.GitLabEnvironment, HotfixError>;
  /** GET /projects/:id/deployments (bounded). */
  deployments(
    project: ProjectRef,
    filters: DeploymentFilters,
    opts?: ListOptions,
  ): ResultAsync<ListResult<s.GitLabDeployment>, HotfixError>;
  /** GET /projects/:id/labels?search=. */
  labels(project: ProjectRef, search?: string, opts?: ListOptions): ResultAsync<ListResult<s.GitLabLabel>, HotfixError>;
  /** PUT /projects/:id/merge_requests/:iid with `add_labels` / `remove_labels` (never retried). */
  editMergeRequestLabels(
    project: ProjectRef,
    iid: number,
    change: { readonly add?: readonly string[]; readonly remove?: readonly string[] },
  ): ResultAsync<s.GitLabMergeRequest, HotfixError>;
  /** GET /projects/:id/merge_requests/:iid/notes (bounded). */
  mergeRequestNotes(
    project: ProjectRef,
    iid: number,
    opts?: ListOptions,
  ): ResultAsync<ListResult<s.GitLabNote>, HotfixError>;
  /** POST /projects/:id/merge_requests/:iid/notes (never retried). */
  createMergeRequestNote(project: ProjectRef, iid: number, body: string): ResultAsync<s.GitLabNote, HotfixError>;
  /** GET /projects/:id/merge_requests/:iid/resource_label_events. */
  labelEvents(
    project: ProjectRef,
    iid: number,
    opts?: ListOptions,
  ): ResultAsync<ListResult<s.GitLabLabelEvent>, HotfixError>;
  /** Low-level escape hatch: one request through the same transport, validated with `schema`. */
  request<S extends z.ZodType>(req: HttpRequest, schema: S): ResultAsync<z.output<S>, HotfixError>;
}

const BLOB_FIELDS = 'nodes { path oid rawTextBlob }';

/** One read query for the blobs at `paths` at each ref (aliases r0, r1, ...). */
function graphqlBlobs(
  request: <S extends z.ZodType>(req: HttpRequest, schema: S) => ResultAsync<z.output<S>, HotfixError>,
  project: string,
  refs: readonly string[],
  paths: readonly string[],
): ResultAsync<ReadonlyMap<string, readonly s.GraphqlBlob[]>, HotfixError> {
  const defs = refs.map((_, i) => `$r${i}: String`).join(', ');
  const fields = refs.map((_, i) => `r${i}: blobs(ref: $r${i}, paths: $paths) { ${BLOB_FIELDS} }`).join(' ');
  const query = `query HotfixBlobs($fullPath: ID!, $paths: [String!]!, ${defs}) { project(fullPath: $fullPath) { repository { ${fields} } } }`;
  const variables: Record<string, unknown> = { fullPath: project, paths: [...paths] };
  refs.forEach((r, i) => {
    variables[`r${i}`] = r;
  });
  const route = '/api/graphql (repository.blobs)';
  return request(
    { method: 'POST', route, api: 'graphql', readOnly: true, body: { query, variables } },
    s.graphqlBlobsAnswerSchema,
  ).andThen((answer) => {
    if (answer.errors?.length) {
      const message = answer.errors.map((e) => e.message).join('; ');
      return errAsync(
        hotfixError('response-invalid', `GitLab refused the GraphQL blobs query: ${message}.`, {
          details: { method: 'POST', route, issues: [{ pointer: '/errors', message }] },
        }),
      );
    }
    const repo = answer.data?.project?.repository;
    if (!repo) {
      return errAsync(
        hotfixError('gitlab-not-found', `GraphQL shows no readable repository for ${project}.`, {
          details: { method: 'POST', route, status: 200, gitlabMessage: 'project: null' },
        }),
      );
    }
    return okAsync(new Map(refs.map((r, i) => [r, repo[`r${i}`]?.nodes ?? []])));
  });
}

/** Optional dependencies of the client (injected by tests and by tools embedding the SDK). */
export type GitLabClientDeps = TransportDeps;

/** Fills in the `parent_ids` a list left out by reading each such commit, one at a time (never a burst). */
function withParents(
  listed: ListResult<z.output<typeof s.listedCommitSchema>>,
  read: (sha: string) => ResultAsync<s.GitLabCommit, HotfixError>,
): ResultAsync<ListResult<s.GitLabCommit>, HotfixError> {
  const fill = async (): Promise<Result<ListResult<s.GitLabCommit>, HotfixError>> => {
    const items: s.GitLabCommit[] = [];
    for (const c of listed.items) {
      if (c.parent_ids) {
        items.push({ ...c, parent_ids: c.parent_ids });
        continue;
      }
      const full = await read(c.id);
      if (full.isErr()) return err(full.error);
      items.push({ ...c, parent_ids: full.value.parent_ids });
    }
    return ok({ ...listed, items });
  };
  return new ResultAsync(fill());
}

const changeResultSchema = z.union([
  s.dryRunSchema.transform((): ChangeResult => ({ kind: 'dry-run-clean' })),
  s.commitSchema.transform((commit): ChangeResult => ({ kind: 'commit', commit })),
]);

/**
 * Creates a GitLab client from configuration (validated; a bad field is an
 * `invalid-input` error naming it).
 *
 * @example
 * ```ts
 * const client = createGitLabClient({ gitlabUrl: 'https://gitlab.example.com', token: process.env.GITLAB_TOKEN! });
 * if (client.isOk()) {
 *   const mr = await client.value.mergeRequest('evenergi/charging-api', 42);
 * }
 * ```
 * @see P1 P3 P4
 */
export function createGitLabClient(
  config: ClientConfigInput,
  deps: GitLabClientDeps = {},
): Result<GitLabClient, HotfixError> {
  const parsed = parseClientConfig(config);
  if (parsed.isErr()) return err(parsed.error);
  const cfg = parsed.value;
  const transport = createTransport(cfg, deps);
  const gb = createGitbeaker(transport);
  const defaults = { perPage: cfg.perPage, maxPages: cfg.maxPages };
  const list = <S extends z.ZodType>(
    route: string,
    params: Record<string, string | number>,
    query: Record<string, QueryValue>,
    schema: S,
    opts?: ListOptions,
  ) => paginate(transport, defaults, { route, params, query, schema }, opts);
  const request = <S extends z.ZodType>(req: HttpRequest, schema: S): ResultAsync<z.output<S>, HotfixError> =>
    transport.send(req).andThen((res) => {
      const v = validate(schema, res.body, req.method, req.route);
      return v.isOk() ? okAsync(v.value) : errAsync(v.error);
    });

  const client: GitLabClient = {
    gitlabUrl: cfg.gitlabUrl,
    clock: deps.clock ?? systemClock,
    tokenKind: cfg.tokenKind,
    currentUser: () => viaGitbeaker('GET', '/user', s.currentUserSchema, () => gb.Users.showCurrentUser()),
    project: (p) => viaGitbeaker('GET', '/projects/:id', s.projectSchema, () => gb.Projects.show(p)),
    mergeRequest: (p, iid) =>
      viaGitbeaker('GET', '/projects/:id/merge_requests/:iid', s.mergeRequestSchema, () =>
        gb.MergeRequests.show(p, iid),
      ),
    mergeRequestCommits: (p, iid, opts) =>
      list('/projects/:id/merge_requests/:iid/commits', { id: p, iid }, {}, s.listedCommitSchema, opts).andThen(
        (listed) => withParents(listed, (sha) => client.commit(p, sha)),
      ),
    approvals: (p, iid) =>
      viaGitbeaker('GET', '/projects/:id/merge_requests/:iid/approvals', s.approvalsSchema, () =>
        gb.MergeRequestApprovals.showConfiguration(p, { mergerequestIId: iid }),
      ),
    branch: (p, b) =>
      viaGitbeaker('GET', '/projects/:id/repository/branches/:branch', s.branchSchema, () => gb.Branches.show(p, b)),
    commit: (p, sha) =>
      viaGitbeaker('GET', '/projects/:id/repository/commits/:sha', s.commitSchema, () => gb.Commits.show(p, sha)),
    commits: (p, q, opts) =>
      list(
        '/projects/:id/repository/commits',
        { id: p },
        { ref_name: q.ref_name, since: q.since, first_parent: q.first_parent, path: q.path },
        s.commitSchema,
        opts,
      ),
    commitDiff: (p, sha, opts) =>
      list('/projects/:id/repository/commits/:sha/diff', { id: p, sha }, {}, s.diffSchema, opts),
    cherryPick: (p, sha, branch, opts = {}) =>
      viaGitbeaker('POST', '/projects/:id/repository/commits/:sha/cherry_pick', changeResultSchema, () =>
        gb.Commits.cherryPick(p, sha, branch, {
          ...(opts.dryRun !== undefined ? { dryRun: opts.dryRun } : {}),
          ...(opts.message !== undefined ? { message: opts.message } : {}),
        }),
      ),
    revert: (p, sha, branch, opts = {}) =>
      viaGitbeaker('POST', '/projects/:id/repository/commits/:sha/revert', changeResultSchema, () =>
        gb.Commits.revert(p, sha, branch, opts.dryRun !== undefined ? { dryRun: opts.dryRun } : {}),
      ),
    compare: (p, from, to, opts = {}) =>
      viaGitbeaker('GET', '/projects/:id/repository/compare', s.compareSchema, () =>
        gb.Repositories.compare(p, from, to, opts.straight !== undefined ? { straight: opts.straight } : {}),
      ),
    tree: (p, ref, path, opts) =>
      list('/projects/:id/repository/tree', { id: p }, { ref, path: path || undefined }, s.treeEntrySchema, opts),
    rawBlob: (p, sha) =>
      transport
        .send({
          method: 'GET',
          route: '/projects/:id/repository/blobs/:sha/raw',
          params: { id: p, sha },
          responseType: 'bytes',
        })
        .map((res) => new Uint8Array(res.body as Buffer)),
    repositoryBlobs: (p, refs, paths) => graphqlBlobs(request, p, refs, paths),
    rawFile: (p, path, ref) =>
      transport
        .send({
          method: 'GET',
          route: '/projects/:id/repository/files/:file_path/raw',
          params: { id: p, file_path: path },
          query: { ref },
          responseType: 'bytes',
        })
        .map((res) => (res.body as Buffer).toString('utf8')),
    // Not through gitbeaker: it decamelizes body keys (input names) and does not type `inputs`.
    createPipeline: (p, body) =>
      request({ method: 'POST', route: '/projects/:id/pipeline', params: { id: p }, body }, s.pipelineSchema),
    pipeline: (p, id) =>
      viaGitbeaker('GET', '/projects/:id/pipelines/:pipeline_id', s.pipelineSchema, () => gb.Pipelines.show(p, id)),
    pipelines: (p, f, opts) => list('/projects/:id/pipelines', { id: p }, { ...f }, s.pipelineSchema, opts),
    pipelineVariables: (p, id) =>
      request(
        { method: 'GET', route: '/projects/:id/pipelines/:pipeline_id/variables', params: { id: p, pipeline_id: id } },
        z.array(s.pipelineVariableSchema),
      ),
    pipelineJobs: (p, id, opts) =>
      list('/projects/:id/pipelines/:pipeline_id/jobs', { id: p, pipeline_id: id }, {}, s.jobSchema, opts),
    pipelineBridges: (p, id, opts) =>
      list('/projects/:id/pipelines/:pipeline_id/bridges', { id: p, pipeline_id: id }, {}, s.bridgeSchema, opts),
    environmentsByName: (p, name) =>
      request(
        { method: 'GET', route: '/projects/:id/environments', params: { id: p }, query: { name } },
        z.array(s.environmentDetailSchema),
      ),
    environment: (p, id) =>
      viaGitbeaker('GET', '/projects/:id/environments/:environment_id', s.environmentDetailSchema, () =>
        gb.Environments.show(p, id),
      ),
    deployments: (p, f, opts) => list('/projects/:id/deployments', { id: p }, { ...f }, s.deploymentSchema, opts),
    labels: (p, search, opts) => list('/projects/:id/labels', { id: p }, { search }, s.labelSchema, opts),
    editMergeRequestLabels: (p, iid, change) =>
      request(
        {
          method: 'PUT',
          route: '/projects/:id/merge_requests/:iid',
          params: { id: p, iid },
          body: {
            ...(change.add?.length ? { add_labels: change.add.join(',') } : {}),
            ...(change.remove?.length ? { remove_labels: change.remove.join(',') } : {}),
          },
        },
        s.mergeRequestSchema,
      ),
    mergeRequestNotes: (p, iid, opts) =>
      list(
        '/projects/:id/merge_requests/:iid/notes',
        { id: p, iid },
        { sort: 'asc', order_by: 'created_at' },
        s.noteSchema,
        opts,
      ),
    createMergeRequestNote: (p, iid, body) =>
      request(
        { method: 'POST', route: '/projects/:id/merge_requests/:iid/notes', params: { id: p, iid }, body: { body } },
        s.noteSchema,
      ),
    labelEvents: (p, iid, opts) =>
      list('/projects/:id/merge_requests/:iid/resource_label_events', { id: p, iid }, {}, s.labelEventSchema, opts),
    request,
  };
  return ok(client);
}
