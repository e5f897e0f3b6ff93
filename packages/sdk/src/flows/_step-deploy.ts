/**
 * S4–S6 as step values: start (or adopt) the guided orchestration pipeline, then follow
 * that exact run to the deployment, the downstream pipeline's end and the health endpoint.
 */
import type { DeploymentRecord, PipelineRecord } from '@hotfix-release/evidence';
import { err, type Result } from 'neverthrow';
import { must } from '../_internal/must.js';
import { hotfixError } from '../errors.js';
import { commitsBeyond } from '../primitives/assert-no-drift.js';
import type { AwaitOutcome } from '../primitives/await-environment/types.js';
import { awaitEnvironment } from '../primitives/await-environment.js';
import { observeFingerprint } from '../primitives/trigger-guided-release/reconcile.js';
import {
  type PipelineSendIntent,
  planGuidedRelease,
  triggerGuidedRelease,
} from '../primitives/trigger-guided-release.js';
import { orchestratorFor, serviceFor } from '../runbook-config.js';
import { awaitPipelineFinished } from './_await-downstream.js';
import { checkHeadersFor, withHeaders } from './_promote-options.js';
import { type PromotionContext, waitOptions } from './_promotion-context.js';
import * as rec from './_records.js';
import { CONTINUE, defineStep, noAdoption, type Stop, stop } from './_runner.js';

interface Pinned {
  readonly id: number;
  readonly projectId: number | string;
  readonly webUrl: string;
  readonly record: PipelineRecord;
}

/**
 * Re-reads the pipeline a previous run journaled and adopts it while it exists and carries
 * this target; undefined when there is none to adopt.
 */
async function adoptJournaled(ctx: PromotionContext, journaled: PipelineRecord | undefined) {
  const inputName = ctx.config.orchestration.inputNames.project;
  if (!journaled) return undefined;
  // The journal holds what was sent (GitLab reports no inputs back): the pipeline is ours for this
  // target when the request sent for it, or what GitLab reported, names this target.
  const sentValue = planGuidedRelease(ctx.config, ctx.target).map((r) =>
    'inputs' in r.body ? r.body.inputs[inputName] : r.body.variables.find((v) => v.key === inputName)?.value,
  );
  const sent = journaled.sent;
  const sentFor = sent?.inputs?.[inputName] ?? sent?.variables?.find((v) => v.key === inputName)?.value ?? undefined;
  const ours =
    journaled.inputs[inputName] === ctx.target ||
    (sentFor !== undefined && sentValue.isOk() && sentFor === sentValue.value);
  if (!ours) return undefined;
  const live = await ctx.client.pipeline(journaled.project, journaled.id);
  if (live.isErr()) {
    if (live.error.code !== 'gitlab-not-found') throw live.error;
    return undefined;
  }
  const record = { ...journaled, status: live.value.status, observedAt: ctx.runner.nowIso() };
  return { id: journaled.id, projectId: live.value.project_id, webUrl: journaled.webUrl, record };
}

/**
 * S4 once per target and promotion: a resumed run adopts the pipeline its journal names;
 * only a fresh run calls triggerGuidedRelease (which itself adopts a pipeline whose
 * creation answer was lost).
 */
async function pinPipeline(ctx: PromotionContext, journaled: PipelineRecord | undefined): Promise<Pinned> {
  const adopted = await adoptJournaled(ctx, journaled);
  if (adopted) return adopted;
  const sinceStart = Math.max(0, ctx.clock.now() - Date.parse(ctx.startedAt));
  const triggered = await must(
    triggerGuidedRelease(ctx.client, ctx.config, {
      target: ctx.target,
      reuseWindowMs: Math.min(86_400_000, sinceStart + 60_000),
      clock: ctx.clock,
      ...(ctx.runner.signal ? { signal: ctx.runner.signal } : {}),
      onEvent: (e) => ctx.runner.emit(e),
      // E2 `sent`, journaled before the POST: a successor that finds it without a pipeline record
      // reads back by what the pipeline observably ran before it ever sends again (S4).
      beforeSend: (intent) =>
        ctx.runner.journal({
          step: 'trigger-intent',
          target: ctx.target,
          record: { project: intent.project, sent: sentRecord(intent.body), seenBeforeId: intent.seenBeforeId },
        }),
      ...(ctx.pendingPipeline ? { previouslySent: { seenBeforeId: ctx.pendingPipeline.seenBeforeId } } : {}),
    }),
  );
  const { id, projectId, webUrl } = triggered;
  return {
    id,
    projectId,
    webUrl,
    record: rec.pipelineRecord(ctx.client, triggered, Object.values(ctx.config.orchestration.inputNames)),
  };
}

/** The request body in the evidence's shape (mutable arrays and records, copied). */
function sentRecord(body: PipelineSendIntent['body']): NonNullable<PipelineRecord['sent']> {
  return 'inputs' in body
    ? { ref: body.ref, inputs: { ...body.inputs } }
    : { ref: body.ref, variables: [...body.variables] };
}

/** S4/S5: the guided pipeline (adopted, never duplicated, on resume). */
export const triggerStep = defineStep<PromotionContext, PipelineRecord | undefined>({
  name: 'trigger',
  runbookIds: ['S4', 'S5', 'E2'],
  adopt: (previous) => previous?.pipeline,
  async run(ctx, journaled) {
    const { runner, target, config, state } = ctx;
    const o = config.orchestration;
    runner.progress(
      'trigger',
      'start',
      `Starting ${o.project} with action=${o.deployAction} project=${target} confirm=true`,
      target,
    );
    const pinned = await pinPipeline(ctx, journaled);
    state.pipeline = { id: pinned.id, projectId: pinned.projectId, webUrl: pinned.webUrl };
    state.record.pipeline = pinned.record;
    await runner.journal({ step: 'trigger', target, record: pinned.record });
    runner.progress('trigger', 'done', pinned.webUrl, target);
    return CONTINUE;
  },
  async plan(ctx) {
    const request = planGuidedRelease(ctx.config, ctx.target);
    if (request.isErr()) throw request.error;
    return { request: request.value };
  },
});

/** The downstream pipeline must end `success` too; a deployment record carries its final status. */
async function downstreamEnd(
  ctx: PromotionContext,
  waited: AwaitOutcome,
  deployment: DeploymentRecord,
): Promise<{ deployment: DeploymentRecord; stop?: Stop }> {
  const downstream = waited.observed.downstream;
  if (!downstream || waited.outcome !== 'success') return { deployment };
  const finished = await must(awaitPipelineFinished(ctx.client, downstream, waitOptions(ctx)));
  const ended = {
    ...deployment,
    downstreamPipeline: { ...deployment.downstreamPipeline, status: finished.status, observedAt: finished.observedAt },
  };
  if (finished.status === 'success') return { deployment: ended };
  const message = `The downstream pipeline ${downstream.id} ended ${finished.status} after the deployment (S6).`;
  const reason = finished.timedOut ? 'timeout' : 'deploy-failed';
  return { deployment: ended, stop: { reason, outcome: finished.timedOut ? 'pending' : 'failed', message } };
}

/**
 * E2: records what the orchestration pipeline observably ran (jobs and bridges against the target's
 * deploy and cut-off fingerprints, and the downstream the wait reached), beside what was sent.
 */
async function observePipeline(ctx: PromotionContext, id: number): Promise<void> {
  const record = ctx.state.record.pipeline;
  if (!record) return;
  const fingerprints = orchestratorFor(ctx.config, ctx.target).fingerprints;
  const match = await observeFingerprint(ctx.client, record.project, id, fingerprints, ctx.runner.signal ?? undefined);
  if (match.isErr()) throw match.error;
  const observed = rec.pipelineObservation(
    ctx.client,
    record,
    match.value,
    fingerprints,
    ctx.state.observed?.downstream,
    ctx.runner.nowIso(),
  );
  const updated = { ...record, observed };
  ctx.state.record.pipeline = updated;
  // The bundle is rebuilt from the journal: the latest pipeline record of the target wins.
  await ctx.runner.journal({ step: 'trigger', target: ctx.target, record: updated });
}

/**
 * E1/E5: journals every commit the deployment ran beyond the release head the promotion started from
 * (the pick's `headBefore`), read with the comparison the drift check uses; before any stop, so a
 * stopped promotion's evidence names what staging runs. Nothing is recorded when GitLab cannot
 * compare (the policy then says the set was not recorded).
 */
async function recordDeployedCommits(ctx: PromotionContext, deployedSha: string | undefined): Promise<void> {
  const base = ctx.state.record.pick?.headBefore;
  if (!deployedSha || !base) return;
  const beyond = await commitsBeyond(ctx.client, ctx.target, base, deployedSha);
  if (beyond.isErr()) {
    ctx.runner.progress(
      'deployed-commits',
      'skipped',
      `Could not list the commits ${deployedSha.slice(0, 12)} holds beyond ${base.slice(0, 12)}: ${beyond.error.message}`,
      ctx.target,
    );
    return;
  }
  const record = rec.deployedCommitsRecord(ctx.client, ctx.target, beyond.value);
  ctx.state.record.deployedCommits = record;
  await ctx.runner.journal({ step: 'deployed-commits', target: ctx.target, record });
}

/** S6: follow the exact run to the deployment and the health endpoint. */
export const deployStep = defineStep<PromotionContext, undefined>({
  name: 'deploy',
  runbookIds: ['S6', 'E4', 'E5'],
  adopt: noAdoption,
  async run(ctx) {
    const { runner, target, state } = ctx;
    const pipeline = state.pipeline;
    if (!pipeline)
      throw hotfixError('internal', 'No pipeline to follow: the trigger step did not run.', {
        details: { reason: 'no pipeline' },
      });
    const waited = await must(
      awaitEnvironment(ctx.client, ctx.config, {
        ...waitOptions(ctx),
        pipeline: { id: pipeline.id, projectId: pipeline.projectId },
        target,
        expectedSha: state.expectedSha,
        ...(ctx.settings.stableForMs ? { stableForMs: ctx.settings.stableForMs } : {}),
        ...withHeaders(checkHeadersFor(ctx.settings.checkHeaders, target)),
        onEvent: (e) => runner.emit(e),
      }),
    );
    state.observed = waited.observed;
    await observePipeline(ctx, pipeline.id);
    await recordDeployedCommits(ctx, waited.observed.deployment?.sha);
    const recorded = rec.deploymentRecord(ctx.client, waited.observed);
    if (recorded) {
      const ended = await downstreamEnd(ctx, waited, recorded);
      state.record.deployment = ended.deployment;
      await runner.journal({ step: 'deploy', target, record: ended.deployment });
      if (ended.stop) return err(ended.stop);
    }
    if (waited.outcome !== 'success') return await stopAfterWait(ctx, waited);
    const sha = rec.deployedShaRecord(waited.observed);
    if (sha) {
      state.record.deployedSha = sha;
      await runner.journal({ step: 'verify-sha', target, record: sha });
    }
    const env = waited.observed.environment;
    runner.progress('deploy', 'done', `Deployed ${state.expectedSha.slice(0, 12)} to ${env}`, target);
    return CONTINUE;
  },
  async plan(ctx) {
    const service = serviceFor(ctx.config, ctx.target);
    return {
      environment: service?.environment ?? ctx.config.environment,
      deployJobs: service?.deployJobs ?? [],
      health: service?.health?.url ?? null,
      maxWaitMs: ctx.settings.maxWaitMs,
      minDelayMs: ctx.settings.minDelayMs,
      maxDelayMs: ctx.settings.maxDelayMs,
      stableForMs: ctx.settings.stableForMs,
      downstreamToEnd: true,
    };
  },
});

/**
 * R3: our run deployed another commit than release's head after the pick. Nothing is reverted or
 * changed (the pick may be running in staging beside someone else's commits); the stop names the
 * commits the deployment holds beyond ours, read from GitLab's compare, and how to recover.
 */
async function deployedSomethingElse(ctx: PromotionContext, deployedSha: string | undefined): Promise<Stop> {
  const ours = ctx.state.expectedSha;
  const recover =
    'Nothing was reverted or changed. Find out who moved release, validate what staging runs or restore release (R3), then resume or promote again.';
  if (!deployedSha)
    return { reason: 'drift', outcome: 'failed', message: `Staging did not run ${ours.slice(0, 12)} (R3). ${recover}` };
  const [beyond, missing] = await Promise.all([
    ctx.client.compare(ctx.target, ours, deployedSha),
    ctx.client.compare(ctx.target, deployedSha, ours),
  ]);
  const list = (r: typeof beyond) =>
    r.isOk() ? r.value.commits.map((c) => `${c.id.slice(0, 12)} ${c.title ?? ''}`.trim()) : undefined;
  const foreign = list(beyond);
  const lacking = list(missing);
  const what =
    foreign && foreign.length > 0 && lacking?.length === 0
      ? `it holds ${foreign.length} commit(s) beyond this promotion's: ${foreign.join('; ')}`
      : lacking && lacking.length > 0
        ? `it lacks ${lacking.length} commit(s) of this promotion's release: ${lacking.join('; ')}`
        : 'GitLab could not say how it differs';
  return {
    reason: 'drift',
    outcome: 'failed',
    message: `Our run deployed ${deployedSha.slice(0, 12)} to staging, not ${ours.slice(0, 12)}; ${what} (R3). ${recover}`,
  };
}

async function stopAfterWait(
  ctx: PromotionContext,
  waited: Exclude<AwaitOutcome, { outcome: 'success' }>,
): Promise<Result<never, Stop>> {
  const sha = ctx.state.expectedSha.slice(0, 12);
  switch (waited.outcome) {
    case 'awaiting_human':
      return stop('awaiting-human', 'pending', waited.instruction, { instruction: waited.instruction });
    case 'timeout':
      return stop(
        'timeout',
        'pending',
        `No finished deployment of ${sha} after ${waited.maxWaitMs} ms; resume to keep waiting.`,
      );
    case 'aborted':
      return stop('aborted', 'pending', 'Stopped by the operator; resume with the same journal to continue.');
    case 'failure': {
      if (waited.reason === 'sha-mismatch')
        return err(await deployedSomethingElse(ctx, waited.observed.deployment?.sha));
      const why = `deployment failed: ${waited.message}`;
      if (ctx.settings.rollbackOnFailure) {
        return stop('deploy-failed', 'rolled_back', `${waited.message}; the hotfix was reverted from release (R1).`, {
          rollback: { runbookRef: 'R1', why },
        });
      }
      const job = waited.failingJob?.webUrl ? ` (${waited.failingJob.webUrl})` : '';
      return stop('deploy-failed', 'failed', `${waited.message}${job}`);
    }
  }
}
