/**
 * Phase one: from the pinned orchestration pipeline, through its trigger jobs (and
 * nested ones), to the downstream pipeline in the target project. Never "the latest
 * pipeline for a ref": only pipelines reached from our own run count.
 */
import { err, ok } from 'neverthrow';
import type { GitLabBridge } from '../../_internal/schemas.js';
import type { HotfixError } from '../../errors.js';
import {
  counted,
  culprit,
  emitOnce,
  FINISHED,
  type FollowContext,
  type FollowState,
  isoNow,
  manualInstruction,
  observeJob,
  pipelineApiUrl,
  type Step,
  UNSUCCESSFUL,
} from './follow-state.js';
import type { ObservedJob } from './types.js';

type Found = { readonly path: ObservedJob[]; readonly bridge: GitLabBridge };
type Search = { found: Found | undefined; waiting: ObservedJob[] };

async function search(
  ctx: FollowContext,
  s: FollowState,
  project: string | number,
  pipelineId: number,
  depth: number,
  path: ObservedJob[],
): Promise<Search | HotfixError> {
  const r = await counted(
    s,
    ctx.client.pipelineBridges(project, pipelineId, {
      perPage: 50,
      maxPages: 2,
      onLimit: 'partial',
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    }),
  );
  if (r.isErr()) return r.error;
  const waiting: ObservedJob[] = [];
  for (const b of r.value.items) {
    const obs = observeJob(ctx, b);
    const d = b.downstream_pipeline;
    if (!d) {
      waiting.push(obs);
      continue;
    }
    if (d.project_id === s.targetProjectId) return { found: { path: [...path, obs], bridge: b }, waiting };
    if (depth < ctx.maxDepth) {
      const deeper = await search(ctx, s, d.project_id, d.id, depth + 1, [...path, obs]);
      if (!('found' in deeper)) return deeper;
      if (deeper.found) return deeper;
      waiting.push(...deeper.waiting);
    }
  }
  return { found: undefined, waiting };
}

/** One poll of the downstream phase. */
export async function pollDownstream(ctx: FollowContext, s: FollowState): Promise<Step> {
  const { client, orchestration: orch } = ctx;
  if (s.targetProjectId === undefined) {
    const p = await counted(s, client.project(ctx.target));
    if (p.isErr()) return err(p.error);
    s.targetProjectId = p.value.id;
  }
  const pr = await counted(s, client.pipeline(orch.project, orch.pipelineId));
  if (pr.isErr()) return err(pr.error);
  const pipe = pr.value;
  if (s.orchestration?.status !== pipe.status) {
    ctx.emit({
      type: 'pipeline-status',
      at: isoNow(ctx),
      target: ctx.target,
      pipelineId: pipe.id,
      status: pipe.status,
    });
  }
  s.orchestration = {
    id: pipe.id,
    projectId: pipe.project_id,
    status: pipe.status,
    sha: pipe.sha,
    ref: pipe.ref,
    webUrl: pipe.web_url,
    apiUrl: pipelineApiUrl(ctx, orch.project, pipe.id),
    observedAt: isoNow(ctx),
  };
  const found = await search(ctx, s, orch.project, orch.pipelineId, 1, []);
  if (!('found' in found)) return err(found);
  if (found.found) {
    const d = found.found.bridge.downstream_pipeline;
    if (!d) return ok(undefined);
    s.bridges = found.found.path;
    s.downstream = {
      id: d.id,
      projectId: d.project_id,
      project: ctx.target,
      status: d.status,
      sha: d.sha,
      ref: d.ref,
      webUrl: d.web_url,
      ...(d.created_at ? { createdAt: d.created_at } : {}),
      apiUrl: pipelineApiUrl(ctx, d.project_id, d.id),
      observedAt: isoNow(ctx),
    };
    s.pipelineIds.add(d.id);
    s.phase = 'deployment';
    emitOnce(ctx, s, `downstream:${d.id}`, {
      type: 'downstream-found',
      at: isoNow(ctx),
      target: ctx.target,
      projectId: d.project_id,
      pipelineId: d.id,
      webUrl: d.web_url,
    });
    return ok(undefined);
  }
  const failedBridge = found.waiting.find((b) => UNSUCCESSFUL.has(b.status));
  if (failedBridge) {
    return ok({
      outcome: 'failure',
      reason: 'bridge-failed',
      message: `Trigger job "${failedBridge.name}" ended ${failedBridge.status} before a downstream pipeline in ${ctx.target} existed${failedBridge.failureReason ? ` (${failedBridge.failureReason})` : ''}.`,
      failingJob: failedBridge,
    });
  }
  const manualBridge = found.waiting.find((b) => b.status === 'manual');
  if (manualBridge) {
    return ok({
      outcome: 'awaiting_human',
      reason: 'manual-job',
      instruction: manualInstruction(manualBridge, false),
      job: manualBridge,
    });
  }
  if (!FINISHED.has(pipe.status) && pipe.status !== 'manual') return ok(undefined);
  // The orchestration pipeline stopped without reaching the target: say which job made it stop.
  const jobs = await counted(
    s,
    client.pipelineJobs(orch.project, orch.pipelineId, {
      perPage: 100,
      maxPages: 2,
      onLimit: 'partial',
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    }),
  );
  if (jobs.isErr()) return err(jobs.error);
  const observed = jobs.value.items.map((j) => observeJob(ctx, j));
  if (pipe.status === 'manual') {
    const gate = observed.find((j) => j.status === 'manual');
    if (gate) {
      return ok({
        outcome: 'awaiting_human',
        reason: 'manual-job',
        instruction: manualInstruction(gate, false),
        job: gate,
      });
    }
    return ok(undefined);
  }
  if (UNSUCCESSFUL.has(pipe.status)) {
    const bad = culprit(observed);
    return ok({
      outcome: 'failure',
      reason: 'pipeline-failed',
      message: `The orchestration pipeline ${pipe.id} ended ${pipe.status} before a downstream pipeline in ${ctx.target} existed${bad ? ` (job "${bad.name}" ${bad.status})` : ''}.`,
      failingJob: bad,
    });
  }
  return ok({
    outcome: 'failure',
    reason: 'downstream-not-found',
    message: `The orchestration pipeline ${pipe.id} succeeded but triggered no pipeline in ${ctx.target}: check the inputs and the orchestrator's rules (D5).`,
    failingJob: undefined,
  });
}
