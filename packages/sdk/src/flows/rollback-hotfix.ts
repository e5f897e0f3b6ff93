/**
 * rollbackHotfix: backs a promoted hotfix out of staging (R1, R2) from its evidence
 * bundle: reverts the picks from release, reruns the orchestration pipeline with the
 * same guided inputs where it had been deployed, waits, revalidates, and returns the
 * bundle with the rollback records. Refuses with R3 when release drifted since the pick.
 */
import {
  hotfixRef,
  type PromotionBundle,
  parseBundle,
  projectKey,
  sealBundle,
  type TargetRecord,
} from '@hotfix-release/evidence';
import { errAsync, type ResultAsync } from 'neverthrow';
import { z } from 'zod';
import { fromBody, must } from '../_internal/must.js';
import { parseOptions } from '../_internal/parse-options.js';
import { type Clock, isClock } from '../clock.js';
import { type HotfixError, hotfixError, isHotfixError } from '../errors.js';
import type { GitLabClient } from '../gitlab-client.js';
import { assertNoDrift } from '../primitives/assert-no-drift.js';
import type { RunbookConfig } from '../runbook-config.js';
import { checkTokenCan, ROLLBACK_OPERATIONS } from '../token-kinds.js';
import {
  checkHeadersFor,
  checkHeadersSchema,
  type FlowEvent,
  lockOptionsSchema,
  withHeaders,
} from './_promote-options.js';
import { createLockGuard, type LockGuard } from './_release-lock.js';
import {
  type RollbackContext,
  rollbackRefFromGitLab,
  rollbackSteps,
  unreadableDeployment,
} from './_rollback-target.js';
import {
  CONTINUE,
  createRunner,
  defineStep,
  type FlowHooks,
  noAdoption,
  type Runner,
  runSteps,
  stop,
} from './_runner.js';

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
  /** The flow's clock (the redeploy wait and the records); the client's clock by default. */
  clock: z.custom<Clock>(isClock, { message: 'expected { now(), sleep(ms, signal) }' }).optional(),
  /** Headers for each target's health check (staging behind auth), by target project; values are secrets. */
  checkHeaders: checkHeadersSchema,
  /** The release lock, as for a promotion: wait or refuse, lease (the promotion's own lock is re-adopted). */
  lock: z
    .object({
      wait: z.boolean().optional(),
      maxWaitMs: z.number().int().min(0).max(86_400_000).optional(),
      breakStale: z.boolean().optional(),
    })
    .optional(),
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
 * the same inputs, await, revalidate) where GitLab shows the environment runs the pick or a
 * descendant of it (whatever the bundle believes: a later promotion may have deployed it), R1
 * (revert only) where it does not; an environment that cannot be read is an R3 stop that
 * touches nothing. A target whose release moved since the pick is refused with `drift`
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
  dependencies: FlowHooks = {},
): ResultAsync<RollbackResult, HotfixError> {
  const parsed = parseOptions(rollbackOptionsSchema, options, 'rollback');
  if (parsed.isErr()) return errAsync(parsed.error);
  const can = checkTokenCan(client.tokenKind, ROLLBACK_OPERATIONS, 'rollbackHotfix');
  if (can.isErr()) return errAsync(can.error);
  const bundle = parseBundle(parsed.value.bundle);
  if (!bundle.isOk()) {
    return errAsync(
      hotfixError('evidence', `The evidence bundle is not valid: ${bundle.error.message}`, {
        runbookRef: 'R3',
        details: { reason: bundle.error.message },
      }),
    );
  }
  // The targets asked for, each found in the bundle as GitLab finds paths (case-insensitively); one that is
  // not there is refused before anything is read or changed (never a silent no-op at 3 AM).
  const known = bundle.value.targets.map((t) => t.project);
  const asked = parsed.value.targets?.map((name) => ({
    name,
    found: known.find((p) => projectKey(p) === projectKey(name)),
  }));
  const unknown = asked?.filter((a) => a.found === undefined) ?? [];
  if (unknown.length > 0)
    return errAsync(
      hotfixError(
        'invalid-input',
        `Invalid rollback options: /targets: ${unknown.map((a) => a.name).join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not a target of this bundle (its targets: ${known.join(', ')})`,
        {
          runbookRef: 'R1',
          details: {
            pointer: '/targets',
            issues: unknown.map((a) => ({
              pointer: `/targets/${parsed.value.targets?.indexOf(a.name)}`,
              message: `${a.name} is not a target of this bundle`,
            })),
          },
        },
      ),
    );
  const settings = asked ? { ...parsed.value, targets: asked.map((a) => a.found as string) } : parsed.value;
  return fromBody(run(client, config, settings, bundle.value, dependencies));
}

async function run(
  client: GitLabClient,
  config: RunbookConfig,
  o: z.output<typeof rollbackOptionsSchema>,
  bundle: PromotionBundle,
  hooks: FlowHooks,
): Promise<RollbackResult> {
  const baseClock = o.clock ?? client.clock;
  const guard = await rollbackLock(client, bundle, o.lock);
  const clock = guard.wrap(baseClock);
  const runner = createRunner({ clock, journal: undefined, hooks, onEvent: o.onEvent, signal: guard.signal });
  const targets: TargetRecord[] = bundle.targets.map((t) => ({ ...t, rollbacks: [...t.rollbacks] }));
  const results: RollbackResult['targets'][number][] = [];
  const wait = { maxWaitMs: o.maxWaitMs, minDelayMs: o.minDelayMs, maxDelayMs: o.maxDelayMs };
  const chosen = targets.filter((t) => t.pick && (!o.targets || o.targets.includes(t.project)));
  await guard.acquire(
    chosen.map((t) => ({ target: t.project, branch: t.pick?.releaseBranch ?? config.releaseBranch })),
    runner,
  );
  for (const record of targets) {
    if (!record.pick || (o.targets && !o.targets.includes(record.project))) continue;
    // Whether it reached staging is GitLab's to say (a second promotion may have deployed it): R2 or R1.
    const decided = await decide(client, config, record);
    if ('error' in decided) {
      runner.progress('rollback', 'failed', decided.error.message, record.project);
      const runbookRef = record.deployment ? 'R2' : 'R1';
      results.push({
        target: record.project,
        runbookRef,
        ok: false,
        message: decided.error.message,
        error: decided.error,
      });
      continue;
    }
    const runbookRef = decided.runbookRef;
    const ctx: RollbackContext = {
      client,
      config,
      target: record.project,
      runbookRef,
      reason: o.reason,
      record,
      clock,
      wait: { ...wait, ...withHeaders(checkHeadersFor(o.checkHeaders, record.project)) },
      runner,
      state: {},
    };
    const stopped = await runSteps(runner, [releaseUnchangedStep, ...rollbackSteps], ctx, undefined);
    if (stopped) {
      const error = stopped.error ?? hotfixError('internal', stopped.message, { details: { reason: stopped.reason } });
      if (stopped.reason === 'drift') runner.progress('rollback', 'failed', stopped.message, record.project);
      results.push({ target: record.project, runbookRef, ok: false, message: stopped.message, error });
      continue;
    }
    record.outcome = 'rolled_back';
    const r = record.rollbacks[record.rollbacks.length - 1];
    const ok = !r || r.revalidation === null || r.revalidation.passed;
    const message = ok ? `reverted as ${r?.revertSha.slice(0, 12)}` : 'reverted, but staging did not come back healthy';
    results.push({ target: record.project, runbookRef, ok, message });
  }
  if (results.some((r) => r.ok)) await removeLabel(client, bundle, targets, runner);
  await guard.finish(
    chosen.map((t) => ({ target: t.project, outcome: t.outcome, message: '', record: t })),
    runner,
  );
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

/**
 * S2/R3: a rollback changes release too, so it runs under the release lock; the promotion's own lock
 * (kept after an R3 or awaiting-human stop) is re-adopted, since the rollback is that promotion's.
 */
async function rollbackLock(
  client: GitLabClient,
  bundle: PromotionBundle,
  lock: z.output<typeof rollbackOptionsSchema>['lock'],
): Promise<LockGuard> {
  const me = await must(client.currentUser());
  // The promotion's own identity (see promoteHotfix), so its kept locks are re-adopted.
  const refs = bundle.hotfixes.map((h) => hotfixRef(h.mr));
  return createLockGuard({
    client,
    identity: {
      username: me.username,
      id: me.id,
      promotionId: `${refs.join('+')}@${bundle.startedAt}`,
      mr: refs.join(', '),
    },
    settings: lockOptionsSchema.parse(lock ?? {}),
    signal: undefined,
    journaled: false,
  });
}

/** R1 or R2 from GitLab; an unreadable environment is an R3 error (nothing is touched). */
async function decide(
  client: GitLabClient,
  config: RunbookConfig,
  record: TargetRecord,
): Promise<{ runbookRef: 'R1' | 'R2' } | { error: HotfixError }> {
  const picked = record.pick?.picks.map((p) => p.pickedSha) ?? [];
  try {
    return await rollbackRefFromGitLab(client, config, record.project, picked);
  } catch (e) {
    if (!isHotfixError(e)) throw e;
    return { error: unreadableDeployment(record.project, e) };
  }
}

/** R3: a release that moved since the pick is not rolled back blindly; it is restored first. */
const releaseUnchangedStep = defineStep<RollbackContext, undefined>({
  name: 'release-unchanged',
  runbookIds: ['R3'],
  adopt: noAdoption,
  async run(ctx) {
    const pick = ctx.record.pick;
    if (!pick) return CONTINUE;
    const head = (await must(ctx.client.branch(ctx.target, pick.releaseBranch))).commit.id;
    if (head === pick.headAfter) return CONTINUE;
    const drift = await must(
      assertNoDrift(ctx.client, {
        project: ctx.target,
        branch: pick.releaseBranch,
        releaseBefore: pick.headBefore,
        intendedPicks: pick.picks.map((p) => p.originalSha),
        releaseNow: head,
      }),
    );
    if (drift.ok) return CONTINUE;
    const message = `${ctx.target}:${pick.releaseBranch} moved since the pick (${drift.kinds.join(', ')}); restore release with its recovery process before rolling back (R3).`;
    const error = hotfixError('drift', message, {
      runbookRef: 'R3',
      details: { kinds: drift.kinds, shas: drift.offendingShas },
    });
    return stop('drift', 'failed', message, { error });
  },
});

/**
 * The hotfix is no longer in staging: "Validated in Staging" must not stay on the MR (S7, E8). Per MR (D4):
 * only an MR one of whose targets was rolled back loses its label.
 */
async function removeLabel(
  client: GitLabClient,
  bundle: PromotionBundle,
  targets: TargetRecord[],
  runner: Runner,
): Promise<void> {
  for (const h of bundle.hotfixes) {
    const ref = hotfixRef(h.mr);
    const mine = targets.filter((t) => t.hotfix === ref);
    if (mine.some((t) => t.outcome === 'rolled_back')) await removeLabelOf(client, bundle, h.mr, mine, runner);
  }
}

async function removeLabelOf(
  client: GitLabClient,
  bundle: PromotionBundle,
  { project, iid }: { readonly project: string; readonly iid: number },
  targets: TargetRecord[],
  runner: Runner,
): Promise<void> {
  const label = bundle.settings.label;
  const mr = await must(client.mergeRequest(project, iid));
  if (mr.labels.includes(label)) {
    const removed = await client.editMergeRequestLabels(project, iid, { remove: [label] });
    if (removed.isErr() && removed.error.code !== 'outcome-unknown') throw removed.error;
    runner.progress('label', 'done', `Removed "${label}" from ${project}!${iid}: the hotfix was backed out`);
  }
  const after = await must(client.mergeRequest(project, iid));
  for (const t of targets) {
    if (t.outcome === 'rolled_back' && t.label)
      t.label = { ...t.label, present: after.labels.includes(label), observedAt: runner.nowIso() };
  }
}
