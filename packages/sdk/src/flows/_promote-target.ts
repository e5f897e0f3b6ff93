/**
 * One target's part of a promotion (S2–S7 for one repository, D4): the promotion's step
 * list on the flow runner. Every step re-reads GitLab through an idempotent primitive, so
 * a resumed run finds what an earlier run did instead of doing it again.
 */
import type { TargetRecord } from '@hotfix-release/evidence';
import { type HotfixError, isHotfixError } from '../errors.js';
import type { ConflictFile } from '../primitives/_pick-conflicts.js';
import type { SmokeCheckResult } from '../primitives/run-smoke-checks.js';
import type { PromotionContext } from './_promotion-context.js';
import {
  type RollbackContext,
  rollbackRefFromGitLab,
  rollbackSteps,
  unreadableDeployment,
} from './_rollback-target.js';
import { type FlowStep, finishTarget, runSteps, type Stop, type StopReason } from './_runner.js';
import { deployStep, triggerStep } from './_step-deploy.js';
import { driftStep } from './_step-pick.js';
import { pickOrMergeRequestStep } from './_step-pick-mr.js';
import { enumerateStep, noteStep, smokeStep } from './_step-validate.js';

/** One target's result. */
export interface PromotionTargetResult {
  readonly target: string;
  /** The MR this target promotes, `group/project!iid` (D4: each repository's MR has its own targets). */
  readonly hotfix?: string;
  readonly outcome: TargetRecord['outcome'];
  readonly reason?: StopReason;
  readonly message: string;
  readonly error?: HotfixError;
  readonly conflicts?: readonly ConflictFile[];
  /** What the operator must do, for `awaiting-human`. */
  readonly instruction?: string;
  readonly record: TargetRecord;
  /** The validation results of a target that passed them (for the label step). */
  readonly checks?: readonly SmokeCheckResult[];
}

/** A promotion of one target, in runbook order. The label (E8) is written once for all targets. */
export const promotionSteps: readonly FlowStep<PromotionContext>[] = [
  pickOrMergeRequestStep,
  driftStep,
  triggerStep,
  deployStep,
  enumerateStep,
  smokeStep,
  noteStep,
];

/** Runs S2–S7 for one target and returns its outcome; never throws for a target-level stop. */
export async function promoteTarget(
  ctx: PromotionContext,
  previous: TargetRecord | undefined,
): Promise<PromotionTargetResult> {
  const { target, state } = ctx;
  const stopped = await runSteps(ctx.runner, promotionSteps, ctx, previous);
  if (!stopped) {
    const message = `${target} runs ${state.expectedSha.slice(0, 12)} in staging, validated`;
    // The label (E8) and the outcome are written by the caller once every target is validated.
    return {
      target,
      outcome: 'promoted',
      message,
      record: state.record,
      ...(state.checks ? { checks: state.checks } : {}),
    };
  }
  const end = stopped.rollback ? await backOut(ctx, stopped, stopped.rollback) : stopped;
  await finishTarget(ctx.runner, target, state.record, end.outcome, end.message);
  const { reason, outcome, message, error, conflicts, instruction } = end;
  return {
    target,
    outcome,
    reason,
    message,
    record: state.record,
    ...(error ? { error } : {}),
    ...(conflicts ? { conflicts } : {}),
    ...(instruction ? { instruction } : {}),
  };
}

/** D6: the rollback steps on the same runner; the stop stands when they went through, theirs when not. */
async function backOut(ctx: PromotionContext, stopped: Stop, rollback: NonNullable<Stop['rollback']>): Promise<Stop> {
  // Whether the pick reached staging is GitLab's to say, not the step's belief (R1 or R2); unreadable: R3, nothing touched.
  let runbookRef: 'R1' | 'R2';
  try {
    const picked = ctx.state.record.pick?.picks.map((p) => p.pickedSha) ?? [];
    runbookRef = (await rollbackRefFromGitLab(ctx.client, ctx.config, ctx.target, picked)).runbookRef;
  } catch (e) {
    if (!isHotfixError(e)) throw e;
    const error = unreadableDeployment(ctx.target, e);
    return { ...stopped, message: `${stopped.message} ${error.message}`, error };
  }
  const rctx: RollbackContext = {
    client: ctx.client,
    config: ctx.config,
    target: ctx.target,
    runbookRef,
    reason: rollback.why,
    record: ctx.state.record,
    clock: ctx.clock,
    wait: {
      maxWaitMs: ctx.settings.maxWaitMs,
      minDelayMs: ctx.settings.minDelayMs,
      maxDelayMs: ctx.settings.maxDelayMs,
    },
    runner: ctx.runner,
    state: {},
  };
  return (await runSteps(ctx.runner, rollbackSteps, rctx, undefined)) ?? stopped;
}
