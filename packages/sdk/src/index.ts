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
export type {
  AwaitClock,
  AwaitFailureReason,
  AwaitObserved,
  AwaitOutcome,
  AwaitPhase,
  ObservedDeployment,
  ObservedHealth,
  ObservedJob,
  ObservedPipeline,
  ReleaseEvent,
} from './primitives/await-environment/types.js';
export type { AwaitEnvironmentOptions } from './primitives/await-environment.js';
export { awaitEnvironment, awaitEnvironmentOptionsSchema } from './primitives/await-environment.js';
export type {
  MultiTargetResult,
  TargetResult,
  TriggerAndAwaitTargetsOptions,
} from './primitives/trigger-and-await-targets.js';
export {
  triggerAndAwaitTargets,
  triggerAndAwaitTargetsOptionsSchema,
} from './primitives/trigger-and-await-targets.js';
export type { GuidedAction, GuidedRequest } from './primitives/trigger-guided-release/guard.js';
export type { TriggeredPipeline, TriggerGuidedReleaseOptions } from './primitives/trigger-guided-release.js';
export { triggerGuidedRelease, triggerGuidedReleaseOptionsSchema } from './primitives/trigger-guided-release.js';
export type { RunbookConfig, RunbookConfigInput, ServiceDescriptor, SmokeCheck } from './runbook-config.js';
export {
  CUT_OFF_ACTION,
  DEPLOY_ACTION,
  healthCheckSchema,
  isCutOffAction,
  normalizeAction,
  parseRunbookConfig,
  runbookConfigSchema,
  serviceDescriptorSchema,
  serviceFor,
  smokeCheckSchema,
} from './runbook-config.js';
