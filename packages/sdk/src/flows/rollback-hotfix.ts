/**
 * rollbackHotfix: backs a promoted hotfix out of staging (R1, R2) from its evidence
 * bundle: reverts the picks from release, reruns the orchestration pipeline with the
 * same guided inputs where it had been deployed, waits, revalidates, and returns the
 * bundle with the rollback records. Refuses with R3 when release drifted since the pick.
 */
import { type PromotionBundle, parseBundle, sealBundle, type TargetRecord } from '@hotfix-release/evidence';
import { errAsync, type ResultAsync } from 'neverthrow';
import { z } from 'zod';
import { fromBody, must } from '../_internal/must.js';
import { parseOptions } from '../_internal/parse-options.js';
import { systemClock } from '../_internal/waiter.js';
import { type HotfixError, hotfixError, isHotfixError } from '../errors.js';
import type { GitLabClient } from '../gitlab-client.js';
import { assertNoDrift } from '../primitives/assert-no-drift.js';
import type { AwaitClock as WaiterClock } from '../primitives/await-environment/types.js';
import type { RunbookConfig } from '../runbook-config.js';
import type { FlowEvent } from './_promote-options.js';
import { rollbackTarget } from './_rollback-target.js';

const fn = <T>(what: string) => z.custom<T>((v) => typeof v === 'function', { message: `expected ${what}` });

/** Options of `rollbackHotfix`. */
export const rollbackOptionsSchema = z.object({
  /** The promotion's evidence bundle (parsed and validated here). */
  bundle: z.unknown(),
  /** Why the hotfix is backed out (recorded in evidence). */
  reason: z.string().min(1).max(2000),
  /** Only these targets; every target with a pick by default. */
  targets: z.array(z.string().min(1)).optional(),
  maxWaitMs: z
    .number()
    .int()
    .positive()
    .default(30 * 60_000),
  minDelayMs: z.number().int().min(1).default(2_000),
  maxDelayMs: z.number().int().min(1).default(30_000),
  /** Progress: step boundaries and the redeploy's wait events. */
  onEvent: fn<(event: FlowEvent) => void>('a function').optional(),
  /** Time source and sleep for the redeploy wait. */
  clock: z.custom<WaiterClock>((v) => typeof (v as WaiterClock)?.sleep === 'function').optional(),
});

/** Options of `rollbackHotfix` as callers write them. */
export type RollbackOptions = z.input<typeof rollbackOptionsSchema>;

/** What the rollback did per target, and the bundle with its records. */
export interface RollbackResult {
  readonly ok: boolean;
  readonly targets: readonly {
    readonly target: string;
    readonly runbookRef: 'R1' | 'R2';
    readonly ok: boolean;
    readonly message: string;
    readonly error?: HotfixError;
  }[];
  readonly bundle: PromotionBundle;
}

/**
 * Rolls a promotion back per target: R2 (revert, rerun the orchestration pipeline with
 * the same inputs, await, revalidate) where a deployment is recorded, R1 (revert only)
 * where it is not. A target whose release moved since the pick is refused with `drift`
 * (R3): restore release with the repository's recovery process first.
 *
 * Errors: `invalid-input`, `evidence` (the bundle does not parse), transport errors.
 *
 * @example
 * ```ts
 * const r = await rollbackHotfix(client, config, { bundle: JSON.parse(text), reason: 'checkout broken in staging' });
 * ```
 * @see R1 R2 R3 D6
 */
export function rollbackHotfix(
  client: GitLabClient,
  config: RunbookConfig,
  options: RollbackOptions,
): ResultAsync<RollbackResult, HotfixError> {
  const parsed = parseOptions(rollbackOptionsSchema, options, 'rollback');
  if (parsed.isErr()) return errAsync(parsed.error);
  const bundle = parseBundle(parsed.value.bundle);
  if (!bundle.isOk()) {
    return errAsync(
      hotfixError('evidence', `The evidence bundle is not valid: ${bundle.error.message}`, {
        runbookRef: 'R3',
        details: { reason: bundle.error.message },
      }),
    );
  }
  return fromBody(run(client, config, parsed.value, bundle.value));
}

async function run(
  client: GitLabClient,
  config: RunbookConfig,
  o: z.output<typeof rollbackOptionsSchema>,
  bundle: PromotionBundle,
): Promise<RollbackResult> {
  const clock = o.clock ?? systemClock;
  const step = (s: string, status: 'start' | 'done' | 'skipped' | 'failed', message: string, target?: string) =>
    o.onEvent?.({
      type: 'step',
      at: new Date(clock.now()).toISOString(),
      step: s,
      status,
      message,
      ...(target ? { target } : {}),
    });
  const targets: TargetRecord[] = bundle.targets.map((t) => ({ ...t, rollbacks: [...t.rollbacks] }));
  const results: RollbackResult['targets'][number][] = [];
  for (const record of targets) {
    if (!record.pick || (o.targets && !o.targets.includes(record.project))) continue;
    const runbookRef = record.deployment ? 'R2' : 'R1';
    const head = (await must(client.branch(record.project, record.pick.releaseBranch))).commit.id;
    if (head !== record.pick.headAfter) {
      const drift = await must(
        assertNoDrift(client, {
          project: record.project,
          branch: record.pick.releaseBranch,
          releaseBefore: record.pick.headBefore,
          intendedPicks: record.pick.picks.map((p) => p.originalSha),
          releaseNow: head,
        }),
      );
      if (!drift.ok) {
        const error = hotfixError(
          'drift',
          `${record.project}:${record.pick.releaseBranch} moved since the pick (${drift.kinds.join(', ')}); restore release with its recovery process before rolling back (R3).`,
          {
            runbookRef: 'R3',
            details: { kinds: drift.kinds, shas: drift.offendingShas },
          },
        );
        step('rollback', 'failed', error.message, record.project);
        results.push({ target: record.project, runbookRef, ok: false, message: error.message, error });
        continue;
      }
    }
    try {
      const r = await rollbackTarget(
        {
          client,
          config,
          target: record.project,
          nowMs: () => clock.now(),
          step,
          emit: (e) => o.onEvent?.(e),
          wait: { maxWaitMs: o.maxWaitMs, minDelayMs: o.minDelayMs, maxDelayMs: o.maxDelayMs, clock },
        },
        record,
        o.reason,
        runbookRef,
        async () => {},
      );
      record.outcome = 'rolled_back';
      const ok = r.revalidation === null || r.revalidation.passed;
      results.push({
        target: record.project,
        runbookRef,
        ok,
        message: ok ? `reverted as ${r.revertSha.slice(0, 12)}` : 'reverted, but staging did not come back healthy',
      });
    } catch (e) {
      const error = isHotfixError(e) ? e : hotfixError('internal', String(e), { details: { reason: String(e) } });
      results.push({ target: record.project, runbookRef, ok: false, message: error.message, error });
    }
  }
  // The hotfix is no longer in staging: "Validated in Staging" must not stay on the MR (S7, E8).
  const label = bundle.settings.label;
  if (results.some((r) => r.ok)) {
    const { project, iid } = bundle.hotfix.mr;
    const mr = await must(client.mergeRequest(project, iid));
    if (mr.labels.includes(label)) {
      const removed = await client.editMergeRequestLabels(project, iid, { remove: [label] });
      if (removed.isErr() && removed.error.code !== 'outcome-unknown') throw removed.error;
      step('label', 'done', `Removed "${label}" from !${iid}: the hotfix was backed out`);
    }
    const after = await must(client.mergeRequest(project, iid));
    for (const t of targets) {
      if (t.outcome === 'rolled_back' && t.label)
        t.label = {
          ...t.label,
          present: after.labels.includes(label),
          observedAt: new Date(clock.now()).toISOString(),
        };
    }
  }
  const updated: PromotionBundle = {
    ...bundle,
    targets,
    promotedTargets: bundle.promotedTargets.filter((p) => targets.find((t) => t.project === p)?.outcome === 'promoted'),
  };
  const sealed = sealBundle(updated);
  if (!sealed.isOk())
    throw hotfixError('evidence', sealed.error.message, { details: { reason: sealed.error.message } });
  return { ok: results.length > 0 && results.every((r) => r.ok), targets: results, bundle: sealed.value };
}
