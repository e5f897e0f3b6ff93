export type { Clock } from './clock.js';
export type { ClientConfigInput } from './config.js';
export { parseClientConfig } from './config.js';
export type { ErrorCode, ErrorDetailsByCode, GitLabHttpDetails, HotfixError } from './errors.js';
export { describeError, isHotfixError } from './errors.js';
export type { PromotionTargetResult } from './flows/_promote-target.js';
export type { FlowHooks, StopReason } from './flows/_runner.js';
export type { PlannedStep, PromotionPlan } from './flows/plan-hotfix.js';
export { planHotfix } from './flows/plan-hotfix.js';
export type { FlowEvent, PromoteOptions, PromotionResult } from './flows/promote-hotfix.js';
export { promoteHotfix } from './flows/promote-hotfix.js';
export { resumeHotfix } from './flows/resume-hotfix.js';
export type { RollbackOptions, RollbackResult } from './flows/rollback-hotfix.js';
export { rollbackHotfix } from './flows/rollback-hotfix.js';
export type { GitLabClient } from './gitlab-client.js';
export { createGitLabClient } from './gitlab-client.js';
export type { AssertNoDriftOptions, DriftReport } from './primitives/assert-no-drift.js';
export { assertNoDrift } from './primitives/assert-no-drift.js';
export type { AwaitOutcome } from './primitives/await-environment/types.js';
export type { AwaitEnvironmentOptions } from './primitives/await-environment.js';
export { awaitEnvironment } from './primitives/await-environment.js';
export type { CherryPickLocalOptions, LocalPickResult } from './primitives/cherry-pick-local.js';
export { cherryPickLocal } from './primitives/cherry-pick-local.js';
export type { CherryPickOptions, PickOutcome } from './primitives/cherry-pick-to-release.js';
export { cherryPickToRelease } from './primitives/cherry-pick-to-release.js';
export type { DiagnoseFinding, DiagnoseOptions, DiagnoseReport, DiagnoseStatus } from './primitives/diagnose.js';
export { diagnose } from './primitives/diagnose.js';
export type { PreflightOptions, PreflightReport } from './primitives/preflight.js';
export { preflight } from './primitives/preflight.js';
export type { LiveFacts, LiveFactsRequest } from './primitives/read-live-facts.js';
export { readLiveFacts } from './primitives/read-live-facts.js';
export type { LabelResult, ValidationNoteInput } from './primitives/record-validation.js';
export { labelValidated, writeValidationNote } from './primitives/record-validation.js';
export type {
  ConflictContext,
  ConflictResolver,
  ConflictToResolve,
  ContinueConflictOptions,
  KnownFacts,
  ResolveConflictOptions,
  ResolveConflictOutcome,
} from './primitives/resolve-conflict.js';
export { continueConflictResolution, resolveConflict } from './primitives/resolve-conflict.js';
export type { RevertOptions, RevertOutcome } from './primitives/revert-from-release.js';
export { revertFromRelease, revertsCommit } from './primitives/revert-from-release.js';
export { revertLocal } from './primitives/revert-local.js';
export type { CustomSmokeCheck, SmokeCheckResult } from './primitives/run-smoke-checks.js';
export { runSmokeChecks } from './primitives/run-smoke-checks.js';
export type { MultiTargetResult, TriggerAndAwaitTargetsOptions } from './primitives/trigger-and-await-targets.js';
export { triggerAndAwaitTargets } from './primitives/trigger-and-await-targets.js';
export type {
  GuidedPipelineRequest,
  PipelineSendIntent,
  TriggeredPipeline,
  TriggerGuidedReleaseOptions,
} from './primitives/trigger-guided-release.js';
export { triggerGuidedRelease } from './primitives/trigger-guided-release.js';
export type { OrchestratorProfile, RunbookConfig, RunbookConfigInput } from './runbook-config.js';
export { orchestratorFor, parseRunbookConfig, projectInputValue, serviceFor } from './runbook-config.js';
export type { UnsafePathReason } from './safe-path.js';
export { checkRepoPath, UnsafeWriteError, writeFileInside } from './safe-path.js';
