/**
 * S2 (with D3) and S3 as step values: pick the hotfix into release (resolving conflicts
 * locally when a resolver is given), then prove release holds exactly the hotfix.
 */
import type { PickRecord, TargetRecord } from '@hotfix-release/evidence';
import { err, ok, type Result } from 'neverthrow';
import { must } from '../_internal/must.js';
import { hotfixError } from '../errors.js';
import { assertNoDrift } from '../primitives/assert-no-drift.js';
import { cherryPickToRelease, type PickOutcome } from '../primitives/cherry-pick-to-release.js';
import type { PromotionContext } from './_promotion-context.js';
import * as rec from './_records.js';
import { resolveInFlow } from './_resolve-conflict-step.js';
import { CONTINUE, defineStep, noAdoption, type Stop, stop } from './_runner.js';

/** A pick that went through: made now or found already there. */
export type Picked = Extract<PickOutcome, { kind: 'picked' | 'already_applied' }>;

/** What an earlier run of the pick left: its resolved conflicts and release before its pick. */
interface PickAdoption {
  readonly resolved: TargetRecord['conflicts'];
  readonly headBefore: string | undefined;
  /** The previous run's pick record: a resumed run that finds the same picks keeps when they were first observed. */
  readonly previous: PickRecord | undefined;
}

const pickOnce = (ctx: PromotionContext, dryRun = false) =>
  must(
    cherryPickToRelease(ctx.client, ctx.config, {
      mr: { project: ctx.mr.project, iid: ctx.mr.iid },
      target: ctx.target,
      branch: ctx.branch,
      ...(dryRun ? { dryRun } : {}),
    }),
  );

/** D3: resolves each conflicting pick locally (when a resolver is given), then picks again (onto `ctx.branch`). */
export async function pickResolving(ctx: PromotionContext, resolvedShas: Set<string>): Promise<Result<Picked, Stop>> {
  const { runner, target, state } = ctx;
  let pick = await pickOnce(ctx);
  const resolver = ctx.settings.resolveConflicts;
  while (pick.kind === 'conflict' && resolver && !resolvedShas.has(pick.original)) {
    runner.progress('conflict', 'start', `Resolving ${pick.original.slice(0, 12)} locally (D3)`, target);
    const resolved = await resolveInFlow(ctx.client, target, ctx.branch, pick, resolver, knownFor(ctx, pick.original));
    if (!resolved.ok) {
      return stop('conflict', 'pending', `${resolved.error.message} (D3)`, {
        conflicts: pick.conflicts,
        error: resolved.error,
      });
    }
    resolvedShas.add(pick.original);
    if (resolved.record) {
      const resolution = runner.stamp(resolved.record);
      state.record.conflicts = [...state.record.conflicts, resolution];
      state.resolvedPaths.push(...resolution.paths);
      await runner.journal({ step: 'conflict', target, record: resolution });
    }
    runner.progress('conflict', 'done', `Resolved ${resolved.record?.paths.join(', ') ?? 'cleanly'}`, target);
    pick = await pickOnce(ctx);
  }
  if (pick.kind === 'conflict') {
    const paths = pick.conflicts.map((c) => c.path).join(', ') || 'some paths';
    return stop(
      'conflict',
      'pending',
      `The pick of ${pick.original.slice(0, 12)} conflicts on ${paths}: resolve on a local release branch (D3).`,
      { conflicts: pick.conflicts },
    );
  }
  if (pick.kind === 'denied') return stop('denied', 'failed', pick.reason, { error: pick.error });
  if (pick.kind === 'failed') return stop('error', 'failed', pick.error.message, { error: pick.error });
  if (pick.kind === 'planned') {
    throw hotfixError('internal', 'The pick returned a plan outside plan mode.', { details: { reason: 'planned' } });
  }
  return ok(pick);
}

/** What the promotion already read that the local resolution of `original` would read again (issue 27). */
function knownFor(ctx: PromotionContext, original: string) {
  const changedPaths = ctx.plan.picks.find((p) => p.sha === original)?.changedPaths;
  const me = ctx.operator;
  return {
    ...(me ? { user: { username: me.username, ...(me.name ? { name: me.name } : {}) } } : {}),
    ...(changedPaths ? { changedPaths: [...changedPaths] } : {}),
  };
}

/** E1 as the pick step records it: local picks marked, release before the pick recovered on resume. */
async function pickRecordOf(
  ctx: PromotionContext,
  pick: Picked,
  resolvedShas: ReadonlySet<string>,
  adopted: PickAdoption,
): Promise<PickRecord> {
  const base = ctx.runner.stamp(rec.pickRecord(ctx.client, ctx.target, ctx.branch, pick));
  let record: PickRecord = {
    ...base,
    picks: base.picks.map((p) => (resolvedShas.has(p.originalSha) ? { ...p, method: 'local' as const } : p)),
  };
  if (adopted.headBefore && pick.kind === 'already_applied') record = { ...record, headBefore: adopted.headBefore };
  // Resumed after the pick was journaled: the same picked commits, re-verified now, were observed then. Keeping
  // that time keeps the evidence's order true (the pick happened before the pipeline it led to; step-order, S2–S7).
  const before = adopted.previous;
  const samePicks = (a: PickRecord, b: PickRecord) =>
    a.picks.length === b.picks.length && a.picks.every((p, i) => p.pickedSha === b.picks[i]?.pickedSha);
  if (pick.kind === 'already_applied' && before && samePicks(before, record))
    record = { ...record, observedAt: before.observedAt };
  // Found already on release (a resolved conflict, a resumed run, or an earlier promotion):
  // release before the pick is the parent of the first picked commit.
  const firstPicked = record.picks[0]?.pickedSha;
  if (record.headBefore === record.headAfter && firstPicked) {
    const c = await must(ctx.client.commit(ctx.target, firstPicked));
    if (c.parent_ids[0]) record = { ...record, headBefore: c.parent_ids[0] };
  }
  return record;
}

/** S2 (D3): the pick, idempotent (a resumed run finds the pick by its trailer). */
export const pickStep = defineStep<PromotionContext, PickAdoption>({
  name: 'pick',
  runbookIds: ['S2', 'D3', 'E1'],
  adopt: (previous) => ({
    resolved: previous?.conflicts ?? [],
    headBefore: previous?.pick?.headBefore,
    previous: previous?.pick,
  }),
  async run(ctx, adopted) {
    const { runner, target, state } = ctx;
    runner.progress('pick', 'start', `Cherry-picking into ${target}:${ctx.branch}`, target);
    state.resolvedPaths = adopted.resolved.flatMap((c) => c.paths);
    const resolvedShas = new Set(adopted.resolved.map((c) => c.originalSha));
    const picked = await pickResolving(ctx, resolvedShas);
    if (picked.isErr()) return err(picked.error);
    const pick = picked.value;
    const record = await pickRecordOf(ctx, pick, resolvedShas, adopted);
    state.record.pick = record;
    state.expectedSha = record.headAfter;
    await runner.journal({ step: 'pick', target, record });
    const shas = pick.picks.map((p) => p.picked.slice(0, 12)).join(', ');
    runner.progress('pick', 'done', `${pick.kind === 'picked' ? 'Picked' : 'Already on release'}: ${shas}`, target);
    return CONTINUE;
  },
  async plan(ctx) {
    const v = await pickOnce(ctx, true);
    const commits = 'plan' in v && v.plan ? v.plan.picks.map((c) => ({ sha: c.sha, title: c.title })) : [];
    const base = { branch: ctx.branch, state: planState(v), commits };
    if (v.kind === 'planned') {
      return { ...base, releaseHead: v.releaseHead, alreadyApplied: v.alreadyApplied, conflicts: v.conflicts };
    }
    return v.kind === 'denied' ? { ...base, reason: v.reason } : base;
  },
});

/** A dry run's verdict for one pick: conflicting, already on release, or clean (or what else GitLab said). */
function planState(v: PickOutcome): string {
  if (v.kind !== 'planned') return v.kind;
  if (v.conflicts.length > 0 || !v.clean) return 'conflicting';
  const all = v.plan.picks.length > 0 && v.alreadyApplied.length === v.plan.picks.length;
  return all ? 'already-applied' : 'clean';
}

/** The release MR's merge commit (merge-request pick mode), which the drift check takes as part of the change. */
function mergeCommitOf(record: TargetRecord): { mergeCommits?: string[] } {
  const merged = record.releaseMergeRequest?.observed?.method === 'merge-commit';
  return merged && record.pick ? { mergeCommits: [record.pick.headAfter] } : {};
}

/** S3 (R3): release holds exactly the hotfix, or the target stops before any deploy. */
export const driftStep = defineStep<PromotionContext, undefined>({
  name: 'drift',
  runbookIds: ['S3', 'R3'],
  adopt: noAdoption,
  async run(ctx) {
    const { runner, target, state } = ctx;
    const before = state.record.pick?.headBefore ?? state.expectedSha;
    const drift = await must(
      assertNoDrift(ctx.client, {
        project: target,
        branch: ctx.branch,
        releaseBefore: before,
        intendedPicks: ctx.plan.picks.map((p) => p.sha),
        releaseAfterPick: state.expectedSha,
        ...(state.resolvedPaths.length > 0 ? { resolvedPaths: state.resolvedPaths } : {}),
        ...mergeCommitOf(state.record),
      }),
    );
    state.record.drift = runner.stamp(rec.driftRecord(ctx.client, drift));
    await runner.journal({ step: 'drift', target, record: state.record.drift });
    if (!drift.ok) {
      const shas = drift.offendingShas.map((s) => s.slice(0, 12)).join(', ');
      return stop(
        'drift',
        'failed',
        `Release drifted (${drift.kinds.join(', ')}: ${shas}); stop and recover release before any deploy (R3).`,
      );
    }
    runner.progress('drift', 'done', 'Release holds exactly the hotfix', target);
    return CONTINUE;
  },
});
