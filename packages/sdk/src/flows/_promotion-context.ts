/**
 * What the promotion steps of one target share: the fixed inputs, the runner, and the
 * state the steps hand on to each other (the target's record grows as steps complete).
 */
import type { PipelineIntent, TargetRecord } from '@hotfix-release/evidence';
import type { PickPlan } from '../_internal/pick-plan.js';
import type { Clock } from '../clock.js';
import type { GitLabClient } from '../gitlab-client.js';
import type { AwaitObserved } from '../primitives/await-environment/types.js';
import type { SmokeCheckResult } from '../primitives/run-smoke-checks.js';
import type { RunbookConfig } from '../runbook-config.js';
import type { PromoteSettings } from './_promote-options.js';
import type { Runner } from './_runner.js';

/** What one step hands on to the next. */
export interface PromotionState {
  readonly record: TargetRecord;
  /** Paths resolved locally (D3), which the drift check accepts as the resolution. */
  resolvedPaths: string[];
  /** Release after the pick: the SHA that must reach staging. */
  expectedSha: string;
  pipeline?: { readonly id: number; readonly projectId: number | string; readonly webUrl: string };
  observed?: AwaitObserved;
  checks?: readonly SmokeCheckResult[];
}

/** The context of one target's promotion steps. */
export interface PromotionContext {
  readonly client: GitLabClient;
  readonly config: RunbookConfig;
  readonly target: string;
  readonly branch: string;
  readonly mr: { readonly project: string; readonly iid: number; readonly webUrl: string };
  readonly plan: PickPlan;
  readonly promotionId: string;
  readonly startedAt: string;
  /** The token's user, as the promotion read it once (GET /user) at its start (a plan reads none). */
  readonly operator?: { readonly username: string; readonly id: number; readonly name?: string | undefined };
  /** The pipeline request a previous run journaled before its POST without a pipeline record after it. */
  readonly pendingPipeline?: PipelineIntent | undefined;
  /** The waits' bounds and the smoke checks, as validated options. */
  readonly settings: Pick<
    PromoteSettings,
    | 'maxWaitMs'
    | 'minDelayMs'
    | 'maxDelayMs'
    | 'stableForMs'
    | 'customChecks'
    | 'checkHeaders'
    | 'resolveConflicts'
    | 'rollbackOnFailure'
    | 'pickMode'
  >;
  readonly clock: Clock;
  readonly runner: Runner;
  readonly state: PromotionState;
}

/** The waits' options as every wait of a promotion takes them. */
export function waitOptions(ctx: PromotionContext) {
  return {
    maxWaitMs: ctx.settings.maxWaitMs,
    minDelayMs: ctx.settings.minDelayMs,
    maxDelayMs: ctx.settings.maxDelayMs,
    clock: ctx.clock,
    ...(ctx.runner.signal ? { signal: ctx.runner.signal } : {}),
  };
}
