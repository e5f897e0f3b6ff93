/**
 * One target's part of a promotion (S2–S7 for one repository, D4), as a sequence of
 * journaled steps. Every step re-reads GitLab through an idempotent primitive, so a
 * resumed run finds what an earlier run did instead of doing it again.
 */
import type { EvidenceJournal, JournalEntry, PipelineRecord, TargetRecord } from '@hotfix-release/evidence';
import { must } from '../_internal/must.js';
import type { PickPlan } from '../_internal/pick-plan.js';
import type { HotfixError } from '../errors.js';
import type { GitLabClient } from '../gitlab-client.js';
import type { ConflictFile } from '../primitives/_pick-conflicts.js';
import { assertNoDrift } from '../primitives/assert-no-drift.js';
import type { AwaitOutcome } from '../primitives/await-environment/types.js';
import { awaitEnvironment } from '../primitives/await-environment.js';
import { cherryPickToRelease } from '../primitives/cherry-pick-to-release.js';
import { writeValidationNote } from '../primitives/record-validation.js';
import { runSmokeChecks, type SmokeCheckResult } from '../primitives/run-smoke-checks.js';
import { triggerGuidedRelease } from '../primitives/trigger-guided-release.js';
import { type RunbookConfig, serviceFor } from '../runbook-config.js';
import { awaitPipelineFinished } from './_await-downstream.js';
import { enumerateCutOff } from './_enumerate-cut-off.js';
import type { FlowEvent, PromoteSettings } from './_promote-options.js';
import * as rec from './_records.js';
import { resolveInFlow } from './_resolve-conflict-step.js';
import { type RollbackContext, rollbackTarget } from './_rollback-target.js';

/** Why a target stopped short of `promoted`. */
export type StopReason =
  | 'conflict'
  | 'denied'
  | 'drift'
  | 'deploy-failed'
  | 'awaiting-human'
  | 'timeout'
  | 'aborted'
  | 'cut-off-detected'
  | 'validation-failed'
  | 'error';

/** One target's result. */
export interface PromotionTargetResult {
  readonly target: string;
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

/** What the per-target steps need. */
export interface TargetContext {
  readonly client: GitLabClient;
  readonly config: RunbookConfig;
  readonly target: string;
  readonly mr: { readonly project: string; readonly iid: number; readonly webUrl: string };
  readonly plan: PickPlan;
  readonly promotionId: string;
  readonly startedAt: string;
  readonly journal: EvidenceJournal | undefined;
  readonly done: ReadonlySet<string>;
  readonly previous: TargetRecord | undefined;
  readonly options: PromoteSettings;
  readonly step: (s: string, status: 'start' | 'done' | 'skipped' | 'failed', message: string, target?: string) => void;
  readonly emit: (e: FlowEvent) => void;
  /** The flow's clock (the simulator's in tests), ms since the epoch. */
  readonly nowMs: () => number;
}

/** Runs S2–S7 for one target and returns its outcome; never throws for a target-level stop. */
export async function promoteTarget(ctx: TargetContext): Promise<PromotionTargetResult> {
  const { client, config, target } = ctx;
  const record: TargetRecord = { project: target, outcome: 'pending', conflicts: [], smokeChecks: [], rollbacks: [] };
  const branch = serviceFor(config, target)?.releaseBranch ?? config.releaseBranch;
  const nowIso = () => new Date(ctx.nowMs()).toISOString();
  // Records are stamped with the flow's clock, so evidence has one timeline (the simulator's in tests).
  const stamp = <T extends { observedAt: string }>(r: T): T => ({ ...r, observedAt: nowIso() });
  const journal = async (entry: JournalEntry) => {
    if (ctx.journal) {
      const r = await ctx.journal.append(entry);
      if (!r.isOk()) throw new Error(`evidence journal: ${r.error.message}`);
    }
    await ctx.options.afterStep?.(entry.step, 'target' in entry ? entry.target : undefined);
  };
  const finish = async (
    outcome: TargetRecord['outcome'],
    message: string,
    extra: Partial<PromotionTargetResult> = {},
  ): Promise<PromotionTargetResult> => {
    record.outcome = outcome;
    await journal({ step: 'outcome', target, record: { outcome } });
    ctx.step('outcome', outcome === 'promoted' ? 'done' : 'failed', message, target);
    return { target, outcome, message, record, ...extra };
  };
  const stop = (
    reason: StopReason,
    outcome: TargetRecord['outcome'],
    message: string,
    extra: Partial<PromotionTargetResult> = {},
  ) => finish(outcome, message, { reason, ...extra });

  try {
    // S2: pick (idempotent: a resumed run finds the pick by its trailer).
    ctx.step('pick', 'start', `Cherry-picking into ${target}:${branch}`, target);
    const pickOnce = () =>
      must(cherryPickToRelease(client, config, { mr: { project: ctx.mr.project, iid: ctx.mr.iid }, target, branch }));
    let pick = await pickOnce();
    // D3: with a resolver, resolve each conflicting pick locally, then pick again (idempotent: the
    // resolved commit is found by its trailer and the remaining commits are picked).
    const resolvedPaths = (ctx.previous?.conflicts ?? []).flatMap((c) => c.paths);
    const resolvedShas = new Set((ctx.previous?.conflicts ?? []).map((c) => c.originalSha));
    while (pick.kind === 'conflict' && ctx.options.resolveConflicts && !resolvedShas.has(pick.original)) {
      ctx.step('conflict', 'start', `Resolving ${pick.original.slice(0, 12)} locally (D3)`, target);
      const resolved = await resolveInFlow(client, target, branch, pick, ctx.options.resolveConflicts);
      if (!resolved.ok) {
        return stop('conflict', 'pending', `${resolved.error.message} (D3)`, {
          conflicts: pick.conflicts,
          error: resolved.error,
        });
      }
      resolvedShas.add(pick.original);
      if (resolved.record) {
        const resolution = stamp(resolved.record);
        record.conflicts = [...record.conflicts, resolution];
        resolvedPaths.push(...resolution.paths);
        await journal({ step: 'conflict', target, record: resolution });
      }
      ctx.step('conflict', 'done', `Resolved ${resolved.record?.paths.join(', ') ?? 'cleanly'}`, target);
      pick = await pickOnce();
    }
    if (pick.kind === 'conflict') {
      return stop(
        'conflict',
        'pending',
        `The pick of ${pick.original.slice(0, 12)} conflicts on ${pick.conflicts.map((c) => c.path).join(', ') || 'some paths'}: resolve on a local release branch (D3).`,
        { conflicts: pick.conflicts },
      );
    }
    if (pick.kind === 'denied') return stop('denied', 'failed', pick.reason, { error: pick.error });
    if (pick.kind === 'failed') return stop('error', 'failed', pick.error.message, { error: pick.error });
    if (pick.kind === 'planned') throw new Error('unexpected plan');
    record.pick = stamp(rec.pickRecord(client, target, branch, pick));
    record.pick = {
      ...record.pick,
      picks: record.pick.picks.map((p) => (resolvedShas.has(p.originalSha) ? { ...p, method: 'local' as const } : p)),
    };
    if (ctx.previous?.pick && pick.kind === 'already_applied')
      record.pick = { ...record.pick, headBefore: ctx.previous.pick.headBefore };
    // Found already on release (a resolved conflict, a resumed run, or an earlier promotion):
    // release before the pick is the parent of the first picked commit.
    const firstPicked = record.pick.picks[0]?.pickedSha;
    if (record.pick.headBefore === record.pick.headAfter && firstPicked) {
      const c = await must(client.commit(target, firstPicked));
      if (c.parent_ids[0]) record.pick = { ...record.pick, headBefore: c.parent_ids[0] };
    }
    await journal({ step: 'pick', target, record: record.pick });
    ctx.step(
      'pick',
      'done',
      `${pick.kind === 'picked' ? 'Picked' : 'Already on release'}: ${pick.picks.map((p) => p.picked.slice(0, 12)).join(', ')}`,
      target,
    );
    const expectedSha = record.pick.headAfter;

    // S3: drift.
    const before = record.pick.headBefore;
    const drift = await must(
      assertNoDrift(client, {
        project: target,
        branch,
        releaseBefore: before,
        intendedPicks: ctx.plan.picks.map((p) => p.sha),
        releaseAfterPick: expectedSha,
        ...(resolvedPaths.length > 0 ? { resolvedPaths } : {}),
      }),
    );
    record.drift = stamp(rec.driftRecord(client, drift));
    await journal({ step: 'drift', target, record: record.drift });
    if (!drift.ok) {
      return stop(
        'drift',
        'failed',
        `Release drifted (${drift.kinds.join(', ')}: ${drift.offendingShas.map((s) => s.slice(0, 12)).join(', ')}); stop and recover release before any deploy (R3).`,
      );
    }
    ctx.step('drift', 'done', 'Release holds exactly the hotfix', target);

    // S4/S5: the guided pipeline (adopted, never duplicated, on resume).
    ctx.step(
      'trigger',
      'start',
      `Starting ${config.orchestration.project} with action=${config.orchestration.deployAction} project=${target} confirm=true`,
      target,
    );
    const triggered = await pinPipeline(ctx);
    record.pipeline = triggered.record;
    await journal({ step: 'trigger', target, record: record.pipeline });
    ctx.step('trigger', 'done', triggered.webUrl, target);

    // S6: follow the exact run to the deployment and the health endpoint.
    const waited = await must(
      awaitEnvironment(client, config, {
        pipeline: { id: triggered.id, projectId: triggered.projectId },
        target,
        expectedSha,
        maxWaitMs: ctx.options.maxWaitMs,
        ...(ctx.options.minDelayMs ? { minDelayMs: ctx.options.minDelayMs } : {}),
        ...(ctx.options.maxDelayMs ? { maxDelayMs: ctx.options.maxDelayMs } : {}),
        ...(ctx.options.stableForMs ? { stableForMs: ctx.options.stableForMs } : {}),
        ...(ctx.options.signal ? { signal: ctx.options.signal } : {}),
        ...(ctx.options.clock ? { clock: ctx.options.clock } : {}),
        onEvent: (e) => ctx.emit(e),
      }),
    );
    let deployment = rec.deploymentRecord(client, waited.observed);
    const downstream = waited.observed.downstream;
    if (deployment && downstream && waited.outcome === 'success') {
      const finished = await must(
        awaitPipelineFinished(client, downstream, {
          maxWaitMs: ctx.options.maxWaitMs,
          minDelayMs: ctx.options.minDelayMs,
          maxDelayMs: ctx.options.maxDelayMs,
          clock: ctx.options.clock,
          signal: ctx.options.signal,
        }),
      );
      deployment = {
        ...deployment,
        downstreamPipeline: {
          ...deployment.downstreamPipeline,
          status: finished.status,
          observedAt: finished.observedAt,
        },
      };
      if (finished.status !== 'success') {
        record.deployment = deployment;
        await journal({ step: 'deploy', target, record: deployment });
        return stop(
          finished.timedOut ? 'timeout' : 'deploy-failed',
          finished.timedOut ? 'pending' : 'failed',
          `The downstream pipeline ${downstream.id} ended ${finished.status} after the deployment (S6).`,
        );
      }
    }
    if (deployment) {
      record.deployment = deployment;
      await journal({ step: 'deploy', target, record: deployment });
    }
    if (waited.outcome !== 'success') return stopAfterWait(ctx, record, waited, stop, journal, expectedSha);
    const sha = rec.deployedShaRecord(waited.observed);
    if (sha) {
      record.deployedSha = sha;
      await journal({ step: 'verify-sha', target, record: sha });
    }
    ctx.step('deploy', 'done', `Deployed ${expectedSha.slice(0, 12)} to ${waited.observed.environment}`, target);

    // E3: prove no cut-off pipeline ran for this target in the promotion window.
    const enumeration = await must(
      enumerateCutOff(client, config, target, {
        start: ctx.startedAt,
        end: new Date(ctx.nowMs() + 1000).toISOString(),
      }),
    );
    record.enumeration = stamp(enumeration);
    await journal({ step: 'enumerate', target, record: enumeration });
    if (enumeration.offendingPipelineIds.length > 0) {
      return stop(
        'cut-off-detected',
        'failed',
        `A cut-off pipeline (${enumeration.offendingPipelineIds.join(', ')}) ran for ${target} during the promotion; release may have been rebuilt (S5, R3).`,
      );
    }

    // S7: validate.
    ctx.step('smoke', 'start', 'Running the hotfix checks', target);
    const smokeStarted = nowIso();
    const checks = await must(
      runSmokeChecks(serviceFor(config, target)?.smokeChecks ?? [], ctx.options.customChecks[target] ?? [], {
        expectedSha,
        ...(ctx.options.signal ? { signal: ctx.options.signal } : {}),
      }),
    );
    // On the flow's clock: each check ends when the records are written and started its measured duration before.
    const endedMs = Math.max(ctx.nowMs(), Date.parse(smokeStarted));
    record.smokeChecks = rec.smokeRecords(checks, ctx.mr.webUrl).map((r) => ({
      ...r,
      observedAt: new Date(endedMs).toISOString(),
      startedAt: new Date(endedMs - r.durationMs).toISOString(),
    }));
    await journal({ step: 'smoke', target, record: record.smokeChecks });
    const failing = checks.filter((c) => c.result !== 'passed');
    if (checks.length === 0 || failing.length > 0) {
      const why = checks.length === 0 ? 'no check ran' : failing.map((c) => `${c.name}: ${c.message}`).join('; ');
      if (!ctx.options.rollbackOnFailure)
        return stop(
          'validation-failed',
          'failed',
          `Validation failed (${why}); not labelling. Revert or replace the hotfix (D6).`,
        );
      await rollbackTarget(rollbackCtx(ctx), record, `validation failed: ${why}`, 'R2', journal);
      return stop(
        'validation-failed',
        'rolled_back',
        `Validation failed (${why}); the hotfix was reverted from release and staging redeployed (D6, R2).`,
      );
    }
    ctx.step('smoke', 'done', `${checks.length} check(s) passed`, target);

    const note = await must(
      writeValidationNote(client, {
        promotionId: ctx.promotionId,
        project: ctx.mr.project,
        iid: ctx.mr.iid,
        service: target,
        environment: waited.observed.environment,
        deployedSha: expectedSha,
        pipelineUrl: triggered.webUrl,
        ...(waited.observed.deployment ? { deploymentUrl: waited.observed.deployment.apiUrl } : {}),
        checks,
      }),
    );
    record.note = stamp(rec.noteRecord(client, ctx.mr.project, ctx.mr.iid, target, note));
    await journal({ step: 'note', target, record: record.note });
    ctx.step('note', 'done', note.url, target);

    // The label (E8) and the outcome are written by the caller once every target is validated.
    return {
      target,
      outcome: 'promoted',
      message: `${target} runs ${expectedSha.slice(0, 12)} in staging, validated`,
      record,
      checks,
    };
  } catch (e) {
    const error = e as HotfixError;
    if (error && typeof error === 'object' && 'code' in error) return stop('error', 'failed', error.message, { error });
    throw e;
  }
}

async function stopAfterWait(
  ctx: TargetContext,
  record: TargetRecord,
  waited: Exclude<AwaitOutcome, { outcome: 'success' }>,
  stop: (
    reason: StopReason,
    outcome: TargetRecord['outcome'],
    message: string,
    extra?: Partial<PromotionTargetResult>,
  ) => Promise<PromotionTargetResult>,
  journal: (entry: JournalEntry) => Promise<void>,
  expectedSha: string,
): Promise<PromotionTargetResult> {
  switch (waited.outcome) {
    case 'awaiting_human':
      return stop('awaiting-human', 'pending', waited.instruction, { instruction: waited.instruction });
    case 'timeout':
      return stop(
        'timeout',
        'pending',
        `No finished deployment of ${expectedSha.slice(0, 12)} after ${waited.maxWaitMs} ms; resume to keep waiting.`,
      );
    case 'aborted':
      return stop('aborted', 'pending', 'Stopped by the operator; resume with the same journal to continue.');
    case 'failure':
      if (ctx.options.rollbackOnFailure) {
        await rollbackTarget(rollbackCtx(ctx), record, `deployment failed: ${waited.message}`, 'R1', journal);
        return stop('deploy-failed', 'rolled_back', `${waited.message}; the hotfix was reverted from release (R1).`);
      }
      return stop(
        'deploy-failed',
        'failed',
        `${waited.message}${waited.failingJob?.webUrl ? ` (${waited.failingJob.webUrl})` : ''}`,
      );
  }
}

function rollbackCtx(ctx: TargetContext): RollbackContext {
  return {
    client: ctx.client,
    config: ctx.config,
    target: ctx.target,
    nowMs: ctx.nowMs,
    step: ctx.step,
    emit: ctx.emit,
    wait: {
      maxWaitMs: ctx.options.maxWaitMs,
      minDelayMs: ctx.options.minDelayMs,
      maxDelayMs: ctx.options.maxDelayMs,
      ...(ctx.options.clock ? { clock: ctx.options.clock } : {}),
    },
  };
}

/**
 * S4 once per target and promotion: a resumed run re-reads the pipeline its journal
 * names (and adopts it while it exists and carries this target) instead of starting a
 * new one; only a fresh run calls triggerGuidedRelease (which itself adopts a pipeline
 * whose creation answer was lost).
 */
async function pinPipeline(
  ctx: TargetContext,
): Promise<{ id: number; projectId: number | string; webUrl: string; record: PipelineRecord }> {
  const { client, config, target } = ctx;
  const journaled = ctx.previous?.pipeline;
  if (journaled && journaled.inputs[config.orchestration.inputNames.project] === target) {
    const live = await client.pipeline(journaled.project, journaled.id);
    if (live.isOk()) {
      return {
        id: journaled.id,
        projectId: live.value.project_id,
        webUrl: journaled.webUrl,
        record: { ...journaled, status: live.value.status, observedAt: new Date(ctx.nowMs()).toISOString() },
      };
    }
    if (live.error.code !== 'gitlab-not-found') throw live.error;
  }
  const reuseWindowMs = Math.min(86_400_000, Math.max(0, ctx.nowMs() - Date.parse(ctx.startedAt)) + 60_000);
  const triggered = await must(
    triggerGuidedRelease(client, config, {
      target,
      reuseWindowMs,
      now: ctx.nowMs,
      ...(ctx.options.signal ? { signal: ctx.options.signal } : {}),
      onEvent: (e) => ctx.emit(e),
    }),
  );
  return {
    id: triggered.id,
    projectId: triggered.projectId,
    webUrl: triggered.webUrl,
    record: rec.pipelineRecord(client, triggered, Object.values(config.orchestration.inputNames)),
  };
}
