/**
 * D6/R1/R2 for one target as step values on the flow runner: revert the pick from
 * release; for R2 (already deployed) also rerun the orchestration pipeline with the same
 * inputs and wait for staging to run the reverted release; then record the rollback.
 * The same list serves promoteHotfix (automatic rollback) and rollbackHotfix (operator).
 */
import type { RollbackRecord, TargetRecord } from '@hotfix-release/evidence';
import { err } from 'neverthrow';
import { must } from '../_internal/must.js';
import type { Clock } from '../clock.js';
import { type HotfixError, hotfixError } from '../errors.js';
import type { GitLabClient } from '../gitlab-client.js';
import { awaitEnvironment } from '../primitives/await-environment.js';
import { revertFromRelease } from '../primitives/revert-from-release.js';
import { triggerGuidedRelease } from '../primitives/trigger-guided-release.js';
import { type RunbookConfig, serviceFor } from '../runbook-config.js';
import * as rec from './_records.js';
import { pickMergeRequestOf, revertThroughMergeRequest } from './_rollback-mr.js';
import { CONTINUE, defineStep, type FlowStep, noAdoption, type Runner } from './_runner.js';

/** What the rollback steps of one target share. */
export interface RollbackContext {
  readonly client: GitLabClient;
  readonly config: RunbookConfig;
  readonly target: string;
  readonly runbookRef: 'R1' | 'R2';
  /** Why the hotfix is backed out (recorded). */
  readonly reason: string;
  /** The target's record; the rollback record is appended to it. */
  readonly record: TargetRecord;
  readonly clock: Clock;
  readonly wait: {
    readonly maxWaitMs: number;
    readonly minDelayMs: number;
    readonly maxDelayMs: number;
    /** The operator's headers for the health check (secret values). */
    readonly headers?: Readonly<Record<string, string>>;
  };
  readonly runner: Runner;
  /** What the steps hand on. */
  readonly state: {
    head?: string;
    revertSha?: string;
    rerun?: RollbackRecord['rerunPipeline'];
    revalidation?: RollbackRecord['revalidation'];
  };
}

/**
 * D6/R1/R2 from GitLab, never from the flow's own belief: is a recorded pick an ancestor of (or)
 * what the target's environment runs now (its last deployment, read like `hotfix status` reads
 * it; ancestry by GitLab's compare from that SHA to the pick, which lists nothing exactly when the
 * pick is reachable from it)? Deployed: R2 (revert and redeploy); not: R1. A read that fails
 * throws (the caller stops R3 and touches nothing).
 */
export async function rollbackRefFromGitLab(
  client: GitLabClient,
  config: RunbookConfig,
  target: string,
  picked: readonly string[],
): Promise<{ readonly runbookRef: 'R1' | 'R2'; readonly environmentSha: string | undefined }> {
  const environment = serviceFor(config, target)?.environment ?? config.environment;
  const envs = await must(client.environmentsByName(target, environment));
  const env = envs.find((e) => e.name === environment) ?? envs[0];
  const sha = env ? (await must(client.environment(target, env.id))).last_deployment?.sha : undefined;
  if (!sha) return { runbookRef: 'R1', environmentSha: undefined };
  for (const pick of picked) {
    if (pick === sha) return { runbookRef: 'R2', environmentSha: sha };
    const ahead = await must(client.compare(target, sha, pick, { straight: false }));
    if (ahead.commits.length === 0) return { runbookRef: 'R2', environmentSha: sha };
  }
  return { runbookRef: 'R1', environmentSha: sha };
}

/** The R3 stop of a rollback that cannot tell whether staging runs the hotfix: nothing is touched. */
export function unreadableDeployment(target: string, cause: HotfixError): HotfixError {
  return hotfixError(
    'drift',
    `Cannot read what ${target}'s environment runs now (${cause.message}), so whether the hotfix reached staging is unknown; nothing was reverted. Check the environment, then roll back again (R3).`,
    { runbookRef: 'R3', details: { kinds: ['deployment-unreadable'], shas: [] }, cause },
  );
}

/** R1/R2: revert the recorded picks from release, newest first (found, not repeated, when already reverted). */
const revertStep = defineStep<RollbackContext, undefined>({
  name: 'revert',
  runbookIds: ['R1', 'R2', 'D6'],
  adopt: noAdoption,
  async run(ctx) {
    const { client, target, runbookRef, record, runner } = ctx;
    const picked = record.pick?.picks.map((p) => p.pickedSha) ?? [];
    if (picked.length === 0) {
      throw hotfixError('evidence', `No pick is recorded for ${target}: nothing to revert.`, {
        runbookRef,
        details: { reason: 'no pick record' },
      });
    }
    const shas = picked.map((p) => p.slice(0, 12)).join(', ');
    runner.progress('rollback', 'start', `Reverting ${shas} from release (${runbookRef})`, target);
    const branch = record.pick?.releaseBranch ?? ctx.config.releaseBranch;
    // Merge-request pick mode (issue 19): the revert reaches release through a merge request too.
    if (pickMergeRequestOf(record)) {
      const r = await revertThroughMergeRequest(ctx, picked, branch);
      if (r.isErr()) return err(r.error);
      ctx.state.head = r.value.head;
      ctx.state.revertSha = r.value.revertSha;
      return CONTINUE;
    }
    const reverted = await must(revertFromRelease(client, { project: target, picked, branch }));
    if (reverted.kind !== 'reverted' && reverted.kind !== 'already_reverted') {
      const cause = 'error' in reverted ? reverted.error : undefined;
      throw hotfixError(
        'internal',
        `Rollback could not revert (${reverted.kind}); restore release with the repository's recovery process (R3).`,
        { runbookRef: 'R3', details: { reason: reverted.kind }, ...(cause ? { cause } : {}) },
      );
    }
    const head = reverted.kind === 'reverted' ? reverted.releaseAfter : reverted.releaseHead;
    ctx.state.head = head;
    ctx.state.revertSha = reverted.reverts[reverted.reverts.length - 1]?.revert || head;
    return CONTINUE;
  },
});

/** R2: rerun the orchestration pipeline (a new one, same guided inputs) and wait for the reverted release. */
const redeployStep = defineStep<RollbackContext, undefined>({
  name: 'redeploy',
  runbookIds: ['R2', 'S4', 'S6'],
  adopt: noAdoption,
  async run(ctx) {
    const { client, config, target, runner } = ctx;
    const head = ctx.state.head;
    if (ctx.runbookRef !== 'R2' || !head) return CONTINUE;
    const p = await must(
      triggerGuidedRelease(client, config, {
        target,
        allowConcurrent: true,
        reuseWindowMs: 0,
        clock: ctx.clock,
        onEvent: (e) => runner.emit(e),
      }),
    );
    ctx.state.rerun = {
      ...rec.pipelineRecord(client, p, Object.values(config.orchestration.inputNames)),
      observedAt: runner.nowIso(),
    };
    const w = await must(
      awaitEnvironment(client, config, {
        pipeline: { id: p.id, projectId: p.projectId },
        target,
        expectedSha: head,
        ...ctx.wait,
        clock: ctx.clock,
        onEvent: (e) => runner.emit(e),
      }),
    );
    ctx.state.revalidation = { passed: w.outcome === 'success', checks: [] };
    return CONTINUE;
  },
});

/** Records the rollback (appended to the target's record and journaled). */
const recordStep = defineStep<RollbackContext, undefined>({
  name: 'rollback',
  runbookIds: ['R1', 'R2'],
  adopt: noAdoption,
  async run(ctx) {
    const { client, target, record, runner, state } = ctx;
    const revertSha = state.revertSha ?? '';
    const r: RollbackRecord = {
      apiUrl: rec.apiUrl(client, target, `/repository/commits/${revertSha}`),
      observedAt: runner.nowIso(),
      reason: ctx.reason.slice(0, 2000),
      runbookRef: ctx.runbookRef,
      revertSha,
      rerunPipeline: state.rerun ?? null,
      revalidation: state.revalidation ?? null,
    };
    record.rollbacks = [...record.rollbacks, r];
    await runner.journal({ step: 'rollback', target, record: r });
    const rerun = state.rerun ? `; redeployed by pipeline ${state.rerun.id}` : '';
    runner.progress('rollback', 'done', `Reverted as ${revertSha.slice(0, 12)}${rerun}`, target);
    return CONTINUE;
  },
});

/** The rollback of one target, as steps: revert, redeploy (R2 only), record. */
export const rollbackSteps: readonly FlowStep<RollbackContext>[] = [revertStep, redeployStep, recordStep];
