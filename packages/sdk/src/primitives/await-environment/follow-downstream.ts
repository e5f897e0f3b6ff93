/**
 * Phase one: from the pinned orchestration pipeline, through its trigger jobs (and
 * nested ones), to the downstream pipeline in the target project. Never "the latest
 * pipeline for a ref": only pipelines reached from our own run count.
 */
import { err, ok } from 'neverthrow';
import type { GitLabBridge, GitLabPipeline } from '../../_internal/schemas.js';
import type { HotfixError } from '../../errors.js';
import { matchesFingerprint } from '../../runbook-config.js';
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

/** How long after our deploy job finished its trigger-API pipeline may still show up in the list. */
const TRIGGER_SETTLE_MS = 60_000;

type Triggered = { readonly job: ObservedJob; readonly pipeline: GitLabPipeline };
type TriggerSearch = { found: Triggered | undefined; deployJobs: ObservedJob[]; settling: boolean };

/**
 * The trigger-API reach: our orchestration pipeline's jobs that match the deploy fingerprint, and
 * for the first one that started, the earliest pipeline in the target project on its release
 * branch, with a configured `source`, created (by `created_at`, filtered here, never trusting the
 * list's filters) between the job's start and its end (bounded by the profile's window).
 */
async function searchTriggerApi(
  ctx: FollowContext,
  s: FollowState,
  orchestrationId: number,
): Promise<TriggerSearch | HotfixError> {
  const { client, orchestration: orch, profile } = ctx;
  const jobs = await counted(
    s,
    client.pipelineJobs(orch.project, orch.pipelineId, {
      perPage: 100,
      maxPages: 2,
      onLimit: 'partial',
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    }),
  );
  if (jobs.isErr()) return jobs.error;
  const deployJobs = jobs.value.items
    .filter((j) => profile.fingerprints.deploy.some((e) => matchesFingerprint(j.name, e)))
    .map((j) => observeJob(ctx, orchestrationId, j));
  const started = deployJobs.filter((j) => j.startedAt).sort((a, b) => a.id - b.id);
  if (!started.length || s.targetProjectId === undefined) return { found: undefined, deployJobs, settling: false };
  const list = await counted(
    s,
    client.pipelines(
      s.targetProjectId,
      { ref: ctx.releaseBranch, order_by: 'id', sort: 'desc' },
      { perPage: 50, maxPages: 2, onLimit: 'partial', ...(ctx.signal ? { signal: ctx.signal } : {}) },
    ),
  );
  if (list.isErr()) return list.error;
  let settling = false;
  for (const job of started) {
    const from = Date.parse(job.startedAt ?? '');
    const end = job.finishedAt ? Date.parse(job.finishedAt) + TRIGGER_SETTLE_MS : ctx.now();
    const to = Math.min(from + profile.downstream.windowMs, end);
    if (!job.finishedAt || ctx.now() <= to) settling = true;
    const candidates = list.value.items
      .filter((p) => profile.downstream.sources.includes(p.source ?? '') && p.ref === ctx.releaseBranch)
      .filter((p) => {
        const at = Date.parse(p.created_at);
        return at >= from && at <= to;
      })
      .sort((a, b) => a.id - b.id);
    const first = candidates[0];
    if (first) return { found: { job, pipeline: first }, deployJobs, settling };
  }
  return { found: undefined, deployJobs, settling };
}
type Search = { found: Found | undefined; waiting: ObservedJob[] };

async function search(
  ctx: FollowContext,
  s: FollowState,
  project: number,
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
  if (depth === 1 && r.value.items.length === 0) s.noBridges = true;
  const waiting: ObservedJob[] = [];
  for (const b of r.value.items) {
    const obs = observeJob(ctx, project, b);
    const d = b.downstream_pipeline;
    if (!d) {
      waiting.push(obs);
      continue;
    }
    const downstreamProject = d.project_id ?? (await projectOfDownstream(ctx, s, d));
    if (typeof downstreamProject !== 'number') return downstreamProject;
    if (downstreamProject < 0) s.unresolved.set(d.id, d.web_url);
    if (downstreamProject === s.targetProjectId) {
      return {
        found: { path: [...path, obs], bridge: { ...b, downstream_pipeline: { ...d, project_id: downstreamProject } } },
        waiting,
      };
    }
    if (depth < ctx.maxDepth && downstreamProject >= 0) {
      const deeper = await search(ctx, s, downstreamProject, d.id, depth + 1, [...path, obs]);
      if (!('found' in deeper)) return deeper;
      if (deeper.found) return deeper;
      waiting.push(...deeper.waiting);
    }
  }
  return { found: undefined, waiting };
}

function pinDownstream(
  ctx: FollowContext,
  s: FollowState,
  d: { readonly id: number; readonly project_id: number; readonly web_url: string },
): Step {
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

/**
 * The project path a pipeline's `web_url` names (`<external url>/<project path>[/-]/pipelines/<id>`),
 * or undefined. Only the URL's path is read: GitLab builds `web_url` from its configured external
 * URL, which need not be the address this client talks to, and its documented answers show both
 * the `/-/pipelines/` and the older `/pipelines/` form.
 */
export function projectPathOfPipelineUrl(gitlabUrl: string, webUrl: string, id: number): string | undefined {
  if (!URL.canParse(webUrl)) return undefined;
  const root = new URL(gitlabUrl).pathname.replace(/\/+$/, '');
  let path = new URL(webUrl).pathname;
  if (root && path.startsWith(`${root}/`)) path = path.slice(root.length);
  const m = /^\/(.+?)\/(?:-\/)?pipelines\/(\d+)\/?$/.exec(path);
  if (!m?.[1] || Number(m[2]) !== id) return undefined;
  return decodeURIComponent(m[1]);
}

/**
 * The project of a downstream pipeline whose bridge omits `project_id` (GitLab's documented
 * answer does): derived from its `web_url` and read once; -1 when the URL names none (then it
 * is not followed deeper).
 */
async function projectOfDownstream(
  ctx: FollowContext,
  s: FollowState,
  d: { readonly id: number; readonly web_url: string },
): Promise<number | HotfixError> {
  const path = projectPathOfPipelineUrl(ctx.client.gitlabUrl, d.web_url, d.id);
  if (path === undefined) return -1;
  if (path === ctx.target && s.targetProjectId !== undefined) return s.targetProjectId;
  const r = await counted(s, ctx.client.project(path));
  if (r.isOk()) return r.value.id;
  return r.error.code === 'gitlab-not-found' ? -1 : r.error;
}

/** Names the downstream pipelines whose project GitLab did not say and could not be derived. */
function unresolvedNote(s: FollowState): string {
  if (!s.unresolved.size) return '';
  const list = [...s.unresolved].map(([id, url]) => `${id} (${url})`).join(', ');
  return ` Not followed: downstream pipeline(s) ${list}, whose project GitLab did not report (no project_id) and whose web_url names no project this token can read.`;
}

/** One poll of the downstream phase. */
export async function pollDownstream(ctx: FollowContext, s: FollowState): Promise<Step> {
  const { client, orchestration: orch } = ctx;
  if (s.targetProjectId === undefined) {
    const p = await counted(s, client.project(ctx.target));
    if (p.isErr()) return err(p.error);
    s.targetProjectId = p.value.id;
  }
  const targetId = s.targetProjectId;
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
  const reach = ctx.profile.downstream.reach;
  const found: Search | HotfixError =
    reach.includes('bridge') && !s.noBridges
      ? await search(ctx, s, pipe.project_id, orch.pipelineId, 1, [])
      : { found: undefined, waiting: [] };
  if (!('found' in found)) return err(found);
  if (found.found) {
    const d = found.found.bridge.downstream_pipeline;
    if (!d) return ok(undefined);
    s.bridges = found.found.path;
    s.downstream = {
      id: d.id,
      projectId: targetId,
      project: ctx.target,
      status: d.status,
      sha: d.sha,
      ref: d.ref,
      webUrl: d.web_url,
      ...(d.created_at ? { createdAt: d.created_at } : {}),
      apiUrl: pipelineApiUrl(ctx, targetId, d.id),
      observedAt: isoNow(ctx),
      reachedVia: 'bridge',
    };
    return pinDownstream(ctx, s, { ...d, project_id: targetId });
  }
  // A bridge that has not started its downstream yet is the way in: no trigger-API guess beside it.
  if (reach.includes('trigger-api') && !found.waiting.length) {
    const t = await searchTriggerApi(ctx, s, pipe.project_id);
    if (!('found' in t)) return err(t);
    if (t.found) {
      const d = t.found.pipeline;
      s.bridges = [t.found.job];
      s.downstream = {
        id: d.id,
        projectId: d.project_id,
        project: ctx.target,
        status: d.status,
        sha: d.sha,
        ref: d.ref,
        webUrl: d.web_url,
        createdAt: d.created_at,
        apiUrl: pipelineApiUrl(ctx, d.project_id, d.id),
        observedAt: isoNow(ctx),
        reachedVia: 'trigger-api',
      };
      return pinDownstream(ctx, s, d);
    }
    const failedDeploy = t.deployJobs.find((j) => UNSUCCESSFUL.has(j.status) && j.status !== 'skipped');
    if (failedDeploy) {
      return ok({
        outcome: 'failure',
        reason: 'bridge-failed',
        message: `Deploy job "${failedDeploy.name}" ended ${failedDeploy.status} before a pipeline in ${ctx.target} existed${failedDeploy.failureReason ? ` (${failedDeploy.failureReason})` : ''}.`,
        failingJob: failedDeploy,
      });
    }
    if (t.settling) return ok(undefined);
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
  const observed = jobs.value.items.map((j) => observeJob(ctx, pipe.project_id, j));
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
    message: `The orchestration pipeline ${pipe.id} succeeded but triggered no pipeline in ${ctx.target}: check the inputs and the orchestrator's rules (D5).${unresolvedNote(s)}`,
    failingJob: undefined,
  });
}
