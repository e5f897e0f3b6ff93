export type { ListOptions, ListResult } from './_internal/paginate.js';
export type { MergeMethod, PickPlan, PlannedPick } from './_internal/pick-plan.js';
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
export type { Clock } from './clock.js';
export type { ClientConfig, ClientConfigInput } from './config.js';
export { clientConfigSchema, parseClientConfig, retryPolicySchema } from './config.js';
export type { ErrorCode, ErrorDetailsByCode, GitLabHttpDetails, HotfixError, HotfixErrorOf } from './errors.js';
export { describeError, hotfixError, isHotfixError } from './errors.js';
export type { PromotionTargetResult } from './flows/_promote-target.js';
export type { FlowHooks, StopReason } from './flows/_runner.js';
export type { PlannedStep, PromotionPlan } from './flows/plan-hotfix.js';
export { planHotfix } from './flows/plan-hotfix.js';
export type { FlowEvent, PromoteOptions, PromotionResult } from './flows/promote-hotfix.js';
export { promoteHotfix, promoteOptionsSchema, SDK_VERSION } from './flows/promote-hotfix.js';
export { resumeHotfix } from './flows/resume-hotfix.js';
export type { RollbackOptions, RollbackResult } from './flows/rollback-hotfix.js';
export { rollbackHotfix, rollbackOptionsSchema } from './flows/rollback-hotfix.js';
export type {
  ChangeResult,
  DeploymentFilters,
  GitLabClient,
  GitLabClientDeps,
  PipelineFilters,
  ProjectRef,
} from './gitlab-client.js';
export { createGitLabClient } from './gitlab-client.js';
export type { ConflictFile } from './primitives/_pick-conflicts.js';
export type {
  AssertNoDriftOptions,
  DriftKind,
  DriftReport,
  PathDrift,
  ReleaseCommit,
} from './primitives/assert-no-drift.js';
export { assertNoDrift, assertNoDriftOptionsSchema } from './primitives/assert-no-drift.js';
export type {
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
  CherryPickLocalOptions,
  LocalConflict,
  LocalConflictReason,
  LocalEntry,
  LocalPickResult,
  LocalPickStats,
} from './primitives/cherry-pick-local.js';
export { cherryPickLocal } from './primitives/cherry-pick-local.js';
export type { AppliedPick, CherryPickOptions, PickOutcome } from './primitives/cherry-pick-to-release.js';
export { cherryPickOptionsSchema, cherryPickToRelease } from './primitives/cherry-pick-to-release.js';
export type { PreflightFinding, PreflightOptions, PreflightReport, PreflightTarget } from './primitives/preflight.js';
export { preflight, preflightOptionsSchema } from './primitives/preflight.js';
export type { LiveFacts, LiveFactsRequest } from './primitives/read-live-facts.js';
export { readLiveFacts } from './primitives/read-live-facts.js';
export type { LabelResult, ValidationNote, ValidationNoteInput } from './primitives/record-validation.js';
export {
  labelValidated,
  neutralizeQuickActions,
  renderValidationNote,
  writeValidationNote,
} from './primitives/record-validation.js';
export type {
  ConflictContext,
  ConflictResolver,
  ConflictSide,
  ConflictToResolve,
  ContinueConflictOptions,
  ResolveConflictOptions,
  ResolveConflictOutcome,
  ResolverAnswer,
  ResolveStats,
} from './primitives/resolve-conflict.js';
export {
  continueConflictOptionsSchema,
  continueConflictResolution,
  resolveConflict,
  resolveConflictOptionsSchema,
} from './primitives/resolve-conflict.js';
export type { AppliedRevert, RevertOptions, RevertOutcome } from './primitives/revert-from-release.js';
export { revertFromRelease, revertOptionsSchema, revertsCommit } from './primitives/revert-from-release.js';
export { revertLocal } from './primitives/revert-local.js';
export type { CustomSmokeCheck, SmokeCheckResult } from './primitives/run-smoke-checks.js';
export { readJsonPath, runSmokeChecks } from './primitives/run-smoke-checks.js';
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
export type {
  GuidedPipelineRequest,
  TriggeredPipeline,
  TriggerGuidedReleaseOptions,
} from './primitives/trigger-guided-release.js';
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
export type { UnsafePathReason } from './safe-path.js';
export { checkRepoPath, UnsafeWriteError, writeFileInside } from './safe-path.js';
