/**
 * S2 in merge-request pick mode (issue 19): where release refuses this user's pushes but accepts
 * merge requests, the hotfix is picked onto a reserved `hotfix-release/pick/...` branch (D3 resolves
 * a conflict there, locally), a release MR is opened (or an earlier one adopted), and once it is
 * approved and its pipeline passed the tool merges it with the `sha` guard. When a person must act
 * the target stops `awaiting-human` with the MR's link; `hotfix resume` reads the MR again and goes on.
 */
import type { PickRecord, ReleaseMergeRequestRecord, TargetRecord } from '@hotfix-release/evidence';
import { err, ok, type Result } from 'neverthrow';
import { must } from '../_internal/must.js';
import { findPicksOnRelease } from '../_internal/release-scan.js';
import { hotfixError } from '../errors.js';
import {
  ensurePickBranch,
  findReleaseMergeRequest,
  mergeReleaseMergeRequest,
  openReleaseMergeRequest,
  type PickBranchKey,
  pickBranchName,
  pickMarker,
  type ReleaseMergeRequest,
  readReleaseMergeRequest,
} from '../primitives/release-merge-request.js';
import { serviceFor } from '../runbook-config.js';
import type { PromotionContext } from './_promotion-context.js';
import { apiUrl, reportedTime } from './_records.js';
import { CONTINUE, type FlowStep, type Stop, stop } from './_runner.js';
import { pickResolving, pickStep } from './_step-pick.js';

/** How the pick reaches release: pushed by GitLab's cherry-pick, through a merge request, or chosen per target. */
export type PickMode = 'push' | 'merge-request' | 'auto';

/** The label the release MR carries. */
export const RELEASE_MR_LABEL = 'hotfix-release';

const RUNNING = new Set(['created', 'waiting_for_resource', 'preparing', 'pending', 'running', 'scheduled']);
const FAILED = new Set(['failed', 'canceled', 'skipped']);

/** The mode asked for: the flow's option, else the service's configuration, else `auto`. */
export function requestedPickMode(ctx: PromotionContext): PickMode {
  return ctx.settings.pickMode ?? serviceFor(ctx.config, ctx.target)?.pickMode ?? 'auto';
}

/**
 * The mode this target's pick uses: an earlier run's release MR keeps merge-request mode; `auto` is
 * merge-request exactly when GitLab says this user may not push to release (`can_push: false`).
 */
export async function choosePickMode(
  ctx: PromotionContext,
  previous: TargetRecord | undefined,
): Promise<'push' | 'merge-request'> {
  if (previous?.releaseMergeRequest) return 'merge-request';
  const asked = requestedPickMode(ctx);
  if (asked !== 'auto') return asked;
  const b = await must(ctx.client.branch(ctx.target, ctx.branch));
  return b.can_push === false ? 'merge-request' : 'push';
}

function keyOf(ctx: PromotionContext): PickBranchKey {
  return { mr: { project: ctx.mr.project, iid: ctx.mr.iid }, target: ctx.target, releaseBranch: ctx.branch };
}

/** S2: the pick step of every promotion; push mode is the ordinary pick, merge-request mode goes through an MR. */
export const pickOrMergeRequestStep: FlowStep<PromotionContext> = {
  name: 'pick',
  runbookIds: ['S2', 'D3', 'E1'],
  async resume(ctx, previous) {
    const mode = await choosePickMode(ctx, previous);
    if (mode === 'push') return pickStep.resume(ctx, previous);
    return pickThroughMergeRequest(ctx, previous);
  },
  async plan(ctx) {
    const mode = await choosePickMode(ctx, undefined);
    if (mode === 'push') return { ...(pickStep.plan ? await pickStep.plan(ctx) : {}), pickMode: 'push' };
    // GitLab's dry run onto a release nobody may push to is refused: the pick goes to the pick branch instead.
    const commits = ctx.plan.picks.map((c) => ({ sha: c.sha, title: c.title }));
    const pickBranch = pickBranchName(keyOf(ctx));
    return { branch: ctx.branch, state: 'merge-request', commits, pickMode: 'merge-request', pickBranch };
  },
};

/** The whole of merge-request mode for one target; a Stop when a person must act or it cannot go on. */
async function pickThroughMergeRequest(
  ctx: PromotionContext,
  previous: TargetRecord | undefined,
): Promise<Result<void, Stop>> {
  const { runner, target, client } = ctx;
  const key = keyOf(ctx);
  const source = pickBranchName(key);
  const marker = pickMarker(key);
  runner.progress('pick', 'start', `Picking onto ${source} for a merge request into ${target}:${ctx.branch}`, target);
  ctx.state.resolvedPaths = (previous?.conflicts ?? []).flatMap((c) => c.paths);
  let mr = await must(findReleaseMergeRequest(client, target, source, ctx.branch, marker));
  if (!mr) {
    const originals = ctx.plan.picks.map((p) => p.sha);
    const onRelease = await must(findPicksOnRelease(client, target, ctx.branch, originals, { maxCommits: 1000 }));
    // Already on release (an earlier promotion): nothing to merge, the ordinary pick records it.
    if (onRelease.found.size === originals.length) return pickStep.resume(ctx, previous);
  }
  let expectedSha = mr?.sha ?? undefined;
  if (!mr || mr.state === 'opened') {
    const picked = await pickOntoBranch(ctx, previous, source);
    if (picked.isErr()) return err(picked.error);
    expectedSha = picked.value;
  }
  if (!mr) {
    mr = await must(openReleaseMergeRequest(client, releaseMrRequest(ctx, source, marker)));
    runner.progress('pick', 'done', `Opened ${mr.web_url}`, target);
  }
  if (mr.state === 'closed' || mr.state === 'locked') return closedStop(ctx, mr);
  if (mr.state !== 'merged') {
    const merged = await waitAndMerge(waitOf(ctx), mr, expectedSha ?? mr.sha ?? '');
    if (merged.isErr()) return err(merged.error);
    mr = merged.value;
    runner.progress('pick', 'done', `Merged ${mr.web_url}`, target);
  }
  return recordMerged(ctx, previous, mr, source);
}

/** D3 on the pick branch: the branch from release, then GitLab's cherry-pick onto it (resolved locally on conflict). */
async function pickOntoBranch(
  ctx: PromotionContext,
  previous: TargetRecord | undefined,
  source: string,
): Promise<Result<string, Stop>> {
  await must(ensurePickBranch(ctx.client, ctx.target, source, ctx.branch));
  const resolved = previous?.conflicts ?? [];
  const picked = await pickResolving({ ...ctx, branch: source }, new Set(resolved.map((c) => c.originalSha)));
  if (picked.isErr()) return err(picked.error);
  const v = picked.value;
  return ok(v.kind === 'picked' ? v.releaseAfter : v.releaseHead);
}

function releaseMrRequest(ctx: PromotionContext, source: string, marker: string) {
  const first = ctx.plan.picks[0];
  const shas = ctx.plan.picks.map((p) => p.sha.slice(0, 12)).join(', ');
  return {
    project: ctx.target,
    sourceBranch: source,
    targetBranch: ctx.branch,
    title: `Hotfix ${ctx.mr.project}!${ctx.mr.iid} into ${ctx.branch}${first ? `: ${first.title}` : ''}`.slice(0, 255),
    description: [
      `Brings the merged hotfix ${ctx.mr.webUrl} to \`${ctx.branch}\` (runbook S2), commits ${shas}.`,
      '',
      'Opened by hotfix-release because this branch accepts changes only through merge requests. Once it is',
      'approved and its pipeline passed, `hotfix resume` merges it and the promotion goes on (S3–S7).',
      '',
      marker,
    ].join('\n'),
    labels: [RELEASE_MR_LABEL],
    marker,
  };
}

function closedStop(ctx: PromotionContext, mr: ReleaseMergeRequest): Result<never, Stop> {
  const message = `The release merge request ${mr.web_url} was ${mr.state} without being merged: the hotfix is not on ${ctx.branch}. Reopen it (or delete branch ${mr.source_branch} to start over) and resume (S2).`;
  return stop('error', 'failed', message, {
    error: hotfixError('mr-not-merged', message, {
      runbookRef: 'S2',
      details: { project: ctx.target, iid: mr.iid, state: mr.state },
    }),
  });
}

/** What waiting for and merging a release MR needs (a promotion's or a rollback's). */
export interface MergeWait {
  readonly client: PromotionContext['client'];
  readonly target: string;
  readonly clock: PromotionContext['clock'];
  readonly maxWaitMs: number;
  readonly minDelayMs: number;
  readonly signal: AbortSignal | undefined;
  /** Called with the MR once its pipeline no longer runs (or the wait ended), before any decision. */
  readonly observed?: (mr: ReleaseMergeRequest) => Promise<void>;
  /** Says what the closed MR means (a Stop); called for a closed or locked MR. */
  readonly closed: (mr: ReleaseMergeRequest) => Result<never, Stop>;
}

function waitOf(ctx: PromotionContext): MergeWait {
  return {
    client: ctx.client,
    target: ctx.target,
    clock: ctx.clock,
    maxWaitMs: ctx.settings.maxWaitMs,
    minDelayMs: ctx.settings.minDelayMs,
    signal: ctx.runner.signal,
    observed: async (mr) => {
      await journalMr(ctx, mr, mr.source_branch);
    },
    closed: (mr) => closedStop(ctx, mr),
  };
}

/** Waits for the MR's pipeline (bounded), then merges when approved; a Stop when a person must act. */
export async function waitAndMerge(
  w: MergeWait,
  opened: ReleaseMergeRequest,
  expectedSha: string,
): Promise<Result<ReleaseMergeRequest, Stop>> {
  const { client, target } = w;
  let mr = opened;
  const deadline = w.clock.now() + w.maxWaitMs;
  const busy = (m: ReleaseMergeRequest) =>
    (m.head_pipeline && RUNNING.has(m.head_pipeline.status)) ||
    m.detailed_merge_status === 'ci_still_running' ||
    m.detailed_merge_status === 'checking' ||
    m.detailed_merge_status === 'preparing';
  while (mr.state === 'opened' && busy(mr) && w.clock.now() < deadline) {
    await w.clock.sleep(w.minDelayMs, w.signal);
    mr = await must(readReleaseMergeRequest(client, target, mr.iid));
  }
  await w.observed?.(mr);
  if (mr.state === 'merged') return ok(mr);
  if (mr.state !== 'opened') return w.closed(mr);
  const approvals = await must(client.approvals(target, mr.iid));
  const left = approvals.approvals_left ?? 0;
  const missing = mr.detailed_merge_status === 'not_approved' || left > 0;
  if (missing) {
    const who = approvals.approved_by.map((a) => a.user.username).join(', ') || 'nobody yet';
    return awaiting(mr, `it needs ${left > 0 ? `${left} more approval(s)` : 'approval'} (approved by ${who})`);
  }
  if (mr.head_pipeline && FAILED.has(mr.head_pipeline.status))
    return awaiting(mr, `its pipeline ${mr.head_pipeline.status}: fix or retry it`);
  if (busy(mr)) return awaiting(mr, 'its pipeline is still running');
  const attempt = await must(mergeReleaseMergeRequest(client, target, mr.iid, expectedSha));
  if (attempt.kind === 'merged') return ok(attempt.mr);
  const now = await must(readReleaseMergeRequest(client, target, mr.iid));
  if (now.state === 'merged') return ok(now);
  return awaiting(now, refusal(attempt.status, attempt.message, now, expectedSha));
}

function refusal(status: number, message: string, mr: ReleaseMergeRequest, expectedSha: string): string {
  if (status === 409 || (mr.sha && mr.sha !== expectedSha))
    return `its branch moved to ${mr.sha?.slice(0, 12)} (the pick left ${expectedSha.slice(0, 12)}): check what was added before merging it by hand`;
  if (status === 401 || status === 403) return 'someone allowed to merge into release must merge it';
  const why = mr.detailed_merge_status ? ` (${mr.detailed_merge_status})` : '';
  return `GitLab refused to merge it${why}: ${message || `HTTP ${status}`}`;
}

function awaiting(mr: ReleaseMergeRequest, what: string): Result<never, Stop> {
  const instruction = `Release merge request ${mr.web_url}: ${what}. Then run \`hotfix resume\` (S2).`;
  return stop('awaiting-human', 'pending', instruction, { instruction });
}

/** The release MR record: what GitLab reported, and after a merge what the repository shows. */
async function mrRecord(
  ctx: PromotionContext,
  mr: ReleaseMergeRequest,
  sourceBranch: string,
  observed?: ReleaseMergeRequestRecord['observed'],
): Promise<ReleaseMergeRequestRecord> {
  const approvals = await must(ctx.client.approvals(ctx.target, mr.iid));
  const at = ctx.runner.nowIso();
  const merger = mr.merge_user ?? mr.merged_by ?? null;
  const p = mr.head_pipeline;
  return {
    apiUrl: apiUrl(ctx.client, ctx.target, `/merge_requests/${mr.iid}`),
    observedAt: at,
    iid: mr.iid,
    webUrl: mr.web_url,
    sourceBranch,
    targetBranch: mr.target_branch,
    state: mr.state,
    sourceSha: mr.sha ?? '',
    approvals: {
      observedAt: at,
      approvedBy: approvals.approved_by.map((a) => a.user.username),
      approvalsLeft: approvals.approvals_left ?? null,
    },
    pipeline: p ? { id: p.id, status: p.status, sha: p.sha, ...(p.web_url ? { webUrl: p.web_url } : {}) } : null,
    reported: {
      mergeCommitSha: mr.merge_commit_sha ?? null,
      squashCommitSha: mr.squash_commit_sha ?? null,
      mergedBy: merger?.username ?? null,
      mergedAt: reportedTime(mr.merged_at, 'merged_at for the release merge request'),
    },
    ...(observed ? { observed } : {}),
  };
}

async function journalMr(
  ctx: PromotionContext,
  mr: ReleaseMergeRequest,
  sourceBranch: string,
  observed?: ReleaseMergeRequestRecord['observed'],
): Promise<ReleaseMergeRequestRecord> {
  const record = await mrRecord(ctx, mr, sourceBranch, observed);
  ctx.state.record.releaseMergeRequest = record;
  await ctx.runner.journal({ step: 'release-merge-request', target: ctx.target, record });
  return record;
}

/**
 * After the merge: release's head, how the MR landed (read from the commit itself), the picks found on
 * release (by trailer or by the same change), and the E1 record; S3 then checks release on that head.
 */
async function recordMerged(
  ctx: PromotionContext,
  previous: TargetRecord | undefined,
  mr: ReleaseMergeRequest,
  sourceBranch: string,
): Promise<Result<void, Stop>> {
  const { client, target } = ctx;
  const head = (await must(client.branch(target, ctx.branch))).commit.id;
  const landed = mr.merge_commit_sha ?? mr.squash_commit_sha ?? mr.sha ?? head;
  const commit = await must(client.commit(target, landed));
  const method: NonNullable<ReleaseMergeRequestRecord['observed']>['method'] =
    commit.parent_ids.length > 1 ? 'merge-commit' : mr.squash_commit_sha ? 'squash' : 'fast-forward';
  const observed = {
    releaseHead: head,
    method,
    ...(method === 'merge-commit' ? { mergeCommitParents: commit.parent_ids.slice(0, 2) } : {}),
  };
  await journalMr(ctx, mr, sourceBranch, observed);
  const originals = ctx.plan.picks.map((p) => p.sha);
  const scan = await must(findPicksOnRelease(client, target, ctx.branch, originals, { maxCommits: 1000 }));
  const missing = originals.filter((o) => !scan.found.has(o));
  if (missing.length > 0) {
    const shas = missing.map((s) => s.slice(0, 12)).join(', ');
    return stop(
      'drift',
      'failed',
      `${mr.web_url} was merged, but ${ctx.branch} holds no commit carrying ${shas}: check release by hand (R3).`,
    );
  }
  const local = new Set([...(previous?.conflicts ?? []), ...ctx.state.record.conflicts].map((c) => c.originalSha));
  const before = method === 'merge-commit' ? commit.parent_ids[0] : undefined;
  const firstPicked = scan.found.get(originals[0] ?? '')?.commit;
  const headBefore = before ?? firstPicked?.parent_ids[0] ?? head;
  const record: PickRecord = {
    apiUrl: apiUrl(client, target, `/repository/branches/${encodeURIComponent(ctx.branch)}`),
    observedAt: ctx.runner.nowIso(),
    releaseBranch: ctx.branch,
    headBefore,
    headAfter: landed,
    picks: originals.map((o) => {
      const f = scan.found.get(o)!;
      return {
        originalSha: o,
        pickedSha: f.commit.id,
        trailer: f.via === 'patch-id' ? '' : `(cherry picked from commit ${o})`,
        method: local.has(o) ? ('local' as const) : ('api' as const),
        via: f.via,
      };
    }),
  };
  ctx.state.record.pick = record;
  ctx.state.expectedSha = landed;
  await ctx.runner.journal({ step: 'pick', target, record });
  ctx.runner.progress('pick', 'done', `On ${ctx.branch} through ${mr.web_url} at ${landed.slice(0, 12)}`, target);
  return CONTINUE;
}
