/**
 * triggerAndAwaitTargets (D4): S4–S6 for several targets with a concurrency limit,
 * each target's result kept on its own so one failing target never hides another's.
 */
import { errAsync, ResultAsync } from 'neverthrow';
import { z } from 'zod';
import { zodIssues } from '../_internal/zod-issues.js';
import { type HotfixError, hotfixError } from '../errors.js';
import type { GitLabClient } from '../gitlab-client.js';
import type { RunbookConfig } from '../runbook-config.js';
import type { AwaitOutcome } from './await-environment/types.js';
import { type AwaitEnvironmentOptions, awaitEnvironment } from './await-environment.js';
import { guidedAction, refuseCutOffInValues } from './trigger-guided-release/guard.js';
import {
  type TriggeredPipeline,
  type TriggerGuidedReleaseOptions,
  triggerGuidedRelease,
} from './trigger-guided-release.js';

/** Options of `triggerAndAwaitTargets`. */
export const triggerAndAwaitTargetsOptionsSchema = z.object({
  /** Each target with the commit that must reach its environment. Listed once each. */
  targets: z
    .array(z.object({ target: z.string().min(1), expectedSha: z.string().min(7) }))
    .min(1)
    .refine((ts) => new Set(ts.map((t) => t.target)).size === ts.length, 'each target may be listed once'),
  /** Targets promoted at the same time. */
  concurrency: z.number().int().min(1).max(20).default(2),
});

/** Options as callers write them; `trigger` and `await` hold the per-target options shared by all targets. */
export type TriggerAndAwaitTargetsOptions = z.input<typeof triggerAndAwaitTargetsOptionsSchema> & {
  readonly trigger?: Omit<TriggerGuidedReleaseOptions, 'target'>;
  readonly await: Omit<AwaitEnvironmentOptions, 'target' | 'pipeline' | 'expectedSha'>;
};

/** One target's result: the pipeline (when created) and the outcome, or the error that stopped it. */
export interface TargetResult {
  readonly target: string;
  readonly expectedSha: string;
  readonly pipeline: TriggeredPipeline | undefined;
  readonly outcome: AwaitOutcome | undefined;
  readonly error: HotfixError | undefined;
}

/** Every target's result, in the order given, and which targets were promoted (E4 holds). */
export interface MultiTargetResult {
  readonly results: readonly TargetResult[];
  /** Targets whose outcome is `success`: exactly what was promoted (D4). */
  readonly promoted: readonly string[];
  readonly allSucceeded: boolean;
}

/**
 * Triggers and awaits each target (S4–S6 repeated per repository, D4), at most
 * `concurrency` at a time. A target's error or failure is recorded in its own result
 * and never stops or hides the others. Errors of the whole call, before any request:
 * `forbidden-action` (S5) and `invalid-input`.
 *
 * @example
 * ```ts
 * const r = await triggerAndAwaitTargets(client, config, {
 *   targets: [{ target: 'evenergi/charging-api', expectedSha: a }, { target: 'evenergi/billing-service', expectedSha: b }],
 *   await: { maxWaitMs: 20 * 60_000 },
 * });
 * if (r.isOk()) console.log(r.value.promoted);
 * ```
 * @see D4 S4 S5 S6 E4
 */
export function triggerAndAwaitTargets(
  client: GitLabClient,
  config: RunbookConfig,
  options: TriggerAndAwaitTargetsOptions,
): ResultAsync<MultiTargetResult, HotfixError> {
  const action = guidedAction(config);
  if (action.isErr()) return errAsync(action.error);
  const crafted = refuseCutOffInValues(options, config.orchestration.cutOffAction, 'options');
  if (crafted) return errAsync(crafted);
  const parsed = triggerAndAwaitTargetsOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const issues = zodIssues(parsed.error);
    return errAsync(
      hotfixError(
        'invalid-input',
        `Invalid triggerAndAwaitTargets options: ${issues.map((i) => `${i.pointer}: ${i.message}`).join('; ')}`,
        {
          details: { pointer: issues[0]?.pointer ?? '', issues },
        },
      ),
    );
  }
  const { targets, concurrency } = parsed.data;
  const one = async (t: { target: string; expectedSha: string }): Promise<TargetResult> => {
    const base = { target: t.target, expectedSha: t.expectedSha };
    const p = await triggerGuidedRelease(client, config, { ...options.trigger, target: t.target });
    if (p.isErr()) return { ...base, pipeline: undefined, outcome: undefined, error: p.error };
    const a = await awaitEnvironment(client, config, {
      ...options.await,
      target: t.target,
      expectedSha: t.expectedSha,
      pipeline: { id: p.value.id, projectId: p.value.projectId },
    });
    return a.isErr()
      ? { ...base, pipeline: p.value, outcome: undefined, error: a.error }
      : { ...base, pipeline: p.value, outcome: a.value, error: undefined };
  };
  const run = async (): Promise<MultiTargetResult> => {
    const results: TargetResult[] = new Array(targets.length);
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < targets.length; i = next++) {
        const t = targets[i];
        if (t) results[i] = await one(t);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, targets.length) }, worker));
    const promoted = results.filter((r) => r.outcome?.outcome === 'success').map((r) => r.target);
    return { results, promoted, allSucceeded: promoted.length === results.length };
  };
  return ResultAsync.fromPromise(run(), (e) =>
    hotfixError('internal', `triggerAndAwaitTargets failed: ${String(e)}`, { details: { reason: String(e) } }),
  );
}
