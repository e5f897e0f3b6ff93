/**
 * `@hotfix-release/sdk/gitlab`: the GitLab REST v4 answers the SDK reads (each a zod schema
 * that requires the fields we use and keeps the rest, and its type), and the client's request
 * types. Import from here when you call {@link GitLabClient} methods yourself or type a value
 * the SDK hands back from GitLab; the root entry point has the runbook steps.
 *
 * @packageDocumentation
 */
export type { ListOptions, ListResult } from './_internal/paginate.js';
export type {
  GitLabApprovals,
  GitLabBranch,
  GitLabBridge,
  GitLabCommit,
  GitLabCompare,
  GitLabDeployment,
  GitLabDiff,
  GitLabEnvironment,
  GitLabJob,
  GitLabLabel,
  GitLabLabelEvent,
  GitLabMergeRequest,
  GitLabNote,
  GitLabPipeline,
  GitLabPipelineVariable,
  GitLabProject,
  GitLabTreeEntry,
  GitLabUser,
} from './_internal/schemas.js';
export {
  approvalsSchema,
  branchSchema,
  bridgeSchema,
  commitSchema,
  compareSchema,
  deploymentSchema,
  diffSchema,
  environmentDetailSchema,
  jobSchema,
  labelEventSchema,
  labelSchema,
  mergeRequestSchema,
  noteSchema,
  pipelineSchema,
  pipelineVariableSchema,
  projectSchema,
  treeEntrySchema,
  userSchema,
} from './_internal/schemas.js';
export type { HttpRequest, HttpResponse, QueryValue, RequestEvent, TransportDeps } from './_internal/transport.js';
export type {
  ChangeResult,
  DeploymentFilters,
  GitLabClient,
  GitLabClientDeps,
  PipelineFilters,
  ProjectRef,
} from './gitlab-client.js';
// What each kind of token may do on GitLab, and the git user name GitLab expects for it.
export type { GitLabOperation, TokenKind } from './token-kinds.js';
export {
  checkTokenCan,
  gitUsernameFor,
  INSPECTION_OPERATIONS,
  PROMOTION_OPERATIONS,
  ROLLBACK_OPERATIONS,
} from './token-kinds.js';
