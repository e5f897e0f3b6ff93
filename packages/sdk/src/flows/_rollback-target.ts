/**
 * D6/R1/R2 for one target: revert the pick from release; for R2 (already deployed) also
 * rerun the orchestration pipeline with the same inputs, wait for staging to run the
 * reverted release, and revalidate. Shared by promoteHotfix (automatic rollback) and
 * rollbackHotfix (operator-initiated).
 */
import type { JournalEntry, RollbackRecord, TargetRecord } from '@hotfix-release/evidence';
import { must } from '../_internal/must.js';
import type { WaiterClock } from '../_internal/waiter.js';
import { hotfixError } from '../errors.js';
import type { GitLabClient } from '../gitlab-client.js';
import type { ReleaseEvent } from '../primitives/await-environment/types.js';
import { awaitEnvironment } from '../primitives/await-environment.js';
import { revertFromRelease } from '../primitives/revert-from-release.js';
import { triggerGuidedRelease } from '../primitives/trigger-guided-release.js';
import type { RunbookConfig } from '../runbook-config.js';
import * as rec from './_records.js';

/** What a rollback needs. */
export interface RollbackContext {
  readonly client: GitLabClient;
  readonly config: RunbookConfig;
  readonly target: string;
  readonly nowMs: () => number;
  readonly step: (s: string, status: 'start' | 'done' | 'skipped' | 'failed', message: string, target?: string) => void;
  readonly emit: (e: ReleaseEvent) => void;
  readonly wait: {
    readonly maxWaitMs: number;
    readonly minDelayMs: number;
    readonly maxDelayMs: number;
    readonly clock?: WaiterClock;
  };
}

/** Reverts the target's picks (and for R2 redeploys and revalidates); appends the record. Throws a HotfixError on failure. */
export async function rollbackTarget(
  ctx: RollbackContext,
  record: TargetRecord,
  reason: string,
  runbookRef: 'R1' | 'R2',
  journal: (entry: JournalEntry) => Promise<void>,
): Promise<RollbackRecord> {
  const { client, config, target } = ctx;
  const picked = record.pick?.picks.map((p) => p.pickedSha) ?? [];
  if (picked.length === 0) {
    throw hotfixError('evidence', `No pick is recorded for ${target}: nothing to revert.`, {
      runbookRef,
      details: { reason: 'no pick record' },
    });
  }
  ctx.step(
    'rollback',
    'start',
    `Reverting ${picked.map((p) => p.slice(0, 12)).join(', ')} from release (${runbookRef})`,
    target,
  );
  const reverted = await must(
    revertFromRelease(client, { project: target, picked, branch: record.pick?.releaseBranch ?? config.releaseBranch }),
  );
  if (reverted.kind !== 'reverted' && reverted.kind !== 'already_reverted') {
    const cause = 'error' in reverted ? reverted.error : undefined;
    throw hotfixError(
      'internal',
      `Rollback could not revert (${reverted.kind}); restore release with the repository's recovery process (R3).`,
      {
        runbookRef: 'R3',
        details: { reason: reverted.kind },
        ...(cause ? { cause } : {}),
      },
    );
  }
  const head = reverted.kind === 'reverted' ? reverted.releaseAfter : reverted.releaseHead;
  const revertSha = reverted.reverts[reverted.reverts.length - 1]?.revert || head;
  let rerun: RollbackRecord['rerunPipeline'] = null;
  let revalidation: RollbackRecord['revalidation'] = null;
  if (runbookRef === 'R2') {
    const p = await must(
      triggerGuidedRelease(client, config, {
        target,
        allowConcurrent: true,
        reuseWindowMs: 0,
        now: ctx.nowMs,
        onEvent: ctx.emit,
      }),
    );
    rerun = {
      ...rec.pipelineRecord(client, p, Object.values(config.orchestration.inputNames)),
      observedAt: new Date(ctx.nowMs()).toISOString(),
    };
    const w = await must(
      awaitEnvironment(client, config, {
        pipeline: { id: p.id, projectId: p.projectId },
        target,
        expectedSha: head,
        maxWaitMs: ctx.wait.maxWaitMs,
        minDelayMs: ctx.wait.minDelayMs,
        maxDelayMs: ctx.wait.maxDelayMs,
        ...(ctx.wait.clock ? { clock: ctx.wait.clock } : {}),
        onEvent: ctx.emit,
      }),
    );
    revalidation = { passed: w.outcome === 'success', checks: [] };
  }
  const r: RollbackRecord = {
    apiUrl: rec.apiUrl(client, target, `/repository/commits/${revertSha}`),
    observedAt: new Date(ctx.nowMs()).toISOString(),
    reason: reason.slice(0, 2000),
    runbookRef,
    revertSha,
    rerunPipeline: rerun,
    revalidation,
  };
  record.rollbacks = [...record.rollbacks, r];
  await journal({ step: 'rollback', target, record: r });
  ctx.step(
    'rollback',
    'done',
    `Reverted as ${revertSha.slice(0, 12)}${rerun ? `; redeployed by pipeline ${rerun.id}` : ''}`,
    target,
  );
  return r;
}
