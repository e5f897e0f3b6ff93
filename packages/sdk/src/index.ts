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
export type { HttpRequest, HttpResponse, QueryValue, RequestEvent, TransportDeps } from './_internal/transport.js';
export type { ClientConfig, ClientConfigInput } from './config.js';
export { clientConfigSchema, parseClientConfig, retryPolicySchema } from './config.js';
export type { ErrorCode, ErrorDetailsByCode, GitLabHttpDetails, HotfixError, HotfixErrorOf } from './errors.js';
export { describeError, hotfixError, isHotfixError } from './errors.js';
export type {
  ChangeResult,
  DeploymentFilters,
  GitLabClient,
  GitLabClientDeps,
  PipelineFilters,
  ProjectRef,
} from './gitlab-client.js';
export { createGitLabClient } from './gitlab-client.js';
