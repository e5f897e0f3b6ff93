/**
 * cherryPickToRelease: applies the merged hotfix to release through GitLab's own
 * cherry-pick (S2), idempotently, and says exactly what happened (S3). A conflict is
 * an outcome with the paths and blob ids to resolve locally (D3), not a failure.
 */
import { errAsync, type ResultAsync } from 'neverthrow';
import { z } from 'zod';
import { fromBody, must } from '../_internal/must.js';
import { parseOptions } from '../_internal/parse-options.js';
import { type PickPlan, type PlannedPick, resolvePickPlan } from '../_internal/pick-plan.js';
import { type FoundPick, findPicksOnRelease, hasTrailerFor } from '../_internal/release-scan.js';
import { isoNow } from '../clock.js';
import { type HotfixError, hotfixError } from '../errors.js';
import type { GitLabClient } from '../gitlab-client.js';
import { type RunbookConfig, serviceFor } from '../runbook-config.js';
import { type ConflictFile, conflictDetails } from './_pick-conflicts.js';

/** One original commit and the commit that carries it on release. */
export interface AppliedPick {
  readonly original: string;
  /** The commit on release that carries it: always a real SHA. */
  readonly picked: string;
  /**
   * How we know: `created` now; found on release by its `trailer`; found by the same change
   * (`patch-id`: a pick made without the trailer); or GitLab answered `empty` and the scan
   * then found the commit that carries the change.
   */
  readonly via: 'created' | 'trailer' | 'patch-id' | 'empty';
}

/** What a cherry-pick did, as a discriminated union on `kind`. */
export type PickOutcome =
  | {
      readonly kind: 'planned';
      readonly plan: PickPlan;
      readonly releaseHead: string;
      readonly clean: boolean;
      readonly alreadyApplied: readonly string[];
      readonly conflicts: readonly ConflictFile[];
      readonly observedAt: string;
    }
  | {
      readonly kind: 'picked';
      readonly plan: PickPlan;
      readonly releaseBefore: string;
      readonly releaseAfter: string;
      readonly picks: readonly AppliedPick[];
      readonly observedAt: string;
    }
  | {
      readonly kind: 'already_applied';
      readonly plan: PickPlan;
      readonly releaseHead: string;
      readonly picks: readonly AppliedPick[];
      readonly observedAt: string;
    }
  | {
      readonly kind: 'conflict';
      readonly plan: PickPlan;
      readonly releaseHead: string;
      readonly original: string;
      readonly picksSoFar: readonly AppliedPick[];
      readonly conflicts: readonly ConflictFile[];
      readonly observedAt: string;
    }
  | {
      readonly kind: 'denied';
      readonly plan?: PickPlan;
      readonly reason: string;
      readonly error: HotfixError;
      readonly observedAt: string;
    }
  | {
      readonly kind: 'failed';
      readonly plan?: PickPlan;
      readonly error: HotfixError;
      readonly picksSoFar: readonly AppliedPick[];
      readonly observedAt: string;
    };

/** Options of `cherryPickToRelease`. */
export const cherryPickOptionsSchema = z.object({
  mr: z.object({ project: z.string().min(1), iid: z.number().int().positive() }),
  /** The project whose release receives the pick; the MR's project when omitted. */
  target: z.string().min(1).optional(),
  /** Plan only: GitLab's `dry_run`, no commit is created. */
  dryRun: z.boolean().default(false),
  /** Release branch (the runbook configuration's by default). */
  branch: z.string().min(1).optional(),
  /**
   * Most release commits (since its merge-base with the hotfix) the scan for an earlier pick
   * reads; past it the pick stops with `pagination-limit` rather than miss a pick.
   */
  maxScanCommits: z.number().int().min(1).max(5000).default(1000),
});

/** Options of `cherryPickToRelease` as callers write them. */
export type CherryPickOptions = z.input<typeof cherryPickOptionsSchema>;

/**
 * Cherry-picks the merged hotfix MR into release with GitLab's cherry-pick API: the
 * merge commit (mainline 1), the squash commit, or each fast-forwarded commit in
 * order, keeping GitLab's `(cherry picked from commit <sha>)` trailer. Idempotent:
 * a change already on release is `already_applied` with the commit that carries it, found
 * by its trailer or, for a pick made without the trailer, by the same change (patch-id);
 * the scan reads release's history since its merge-base with the hotfix, bounded by
 * `maxScanCommits`. GitLab's `error_code: empty` is reconciled the same way; a lost response is reconciled by reading release, never by
 * re-sending blindly. `dryRun` returns a plan from GitLab's `dry_run`.
 *
 * Errors (as `err`): `invalid-input`, `mr-not-merged` (D1), `pagination-limit` (S2: the
 * scan bound was hit), `gitlab-not-found`, `gitlab-unauthorized`, `network`. GitLab's
 * `empty` for a change no commit on release can be named for is a `failed` outcome (`drift`, R3). Conflicts and permission denials are outcomes.
 *
 * @example
 * ```ts
 * const outcome = await cherryPickToRelease(client, config, { mr: { project: 'evenergi/charging-api', iid: 7 } });
 * if (outcome.isOk() && outcome.value.kind === 'conflict') console.log(outcome.value.conflicts);
 * ```
 * @see S2 S3 D3 E1
 */
export function cherryPickToRelease(
  client: GitLabClient,
  config: RunbookConfig,
  options: CherryPickOptions,
): ResultAsync<PickOutcome, HotfixError> {
  const parsed = parseOptions(cherryPickOptionsSchema, options, 'cherry-pick');
  if (parsed.isErr()) return errAsync(parsed.error);
  const o = parsed.value;
  const target = o.target ?? o.mr.project;
  const branch = o.branch ?? serviceFor(config, target)?.releaseBranch ?? config.releaseBranch;
  return fromBody(run(client, { ...o, target, branch }));
}

async function run(
  client: GitLabClient,
  o: z.output<typeof cherryPickOptionsSchema> & { target: string; branch: string },
): Promise<PickOutcome> {
  const now = () => isoNow(client.clock);
  const mr = await must(client.mergeRequest(o.mr.project, o.mr.iid));
  const plan = await must(resolvePickPlan(client, o.mr.project, mr));
  const head = async () => (await must(client.branch(o.target, o.branch))).commit.id;
  const releaseBefore = await head();
  const originals = plan.picks.map((p) => p.sha);
  const scan = async () =>
    (await must(findPicksOnRelease(client, o.target, o.branch, originals, { maxCommits: o.maxScanCommits }))).found;
  const existing = await scan();

  if (o.dryRun) {
    const conflicts: ConflictFile[] = [];
    let clean = true;
    for (const p of plan.picks) {
      if (existing.has(p.sha)) continue;
      const r = await client.cherryPick(o.target, p.sha, o.branch, { dryRun: true });
      if (r.isOk()) continue;
      if (r.error.code === 'gitlab-http' && r.error.details.errorCode === 'empty') continue;
      if (r.error.code === 'gitlab-http' && r.error.details.errorCode === 'conflict') {
        clean = false;
        conflicts.push(...(await must(conflictDetails(client, o.target, p, releaseBefore))));
        continue;
      }
      throw r.error;
    }
    return {
      kind: 'planned',
      plan,
      releaseHead: releaseBefore,
      clean,
      alreadyApplied: [...existing.keys()],
      conflicts,
      observedAt: now(),
    };
  }

  const picks: AppliedPick[] = [];
  for (const p of plan.picks) {
    const found = existing.get(p.sha);
    if (found) {
      picks.push({ original: p.sha, picked: found.commit.id, via: found.via });
      continue;
    }
    const step = await pickOne(client, o, p, scan);
    if (step.kind === 'applied') picks.push(step.pick);
    else if (step.kind === 'conflict') {
      const current = await head();
      const conflicts = await must(conflictDetails(client, o.target, p, current));
      return {
        kind: 'conflict',
        plan,
        releaseHead: current,
        original: p.sha,
        picksSoFar: picks,
        conflicts,
        observedAt: now(),
      };
    } else if (step.kind === 'denied') {
      return { kind: 'denied', plan, reason: step.error.message, error: step.error, observedAt: now() };
    } else return { kind: 'failed', plan, error: step.error, picksSoFar: picks, observedAt: now() };
  }
  const releaseAfter = await head();
  if (picks.every((p) => p.via !== 'created')) {
    return { kind: 'already_applied', plan, releaseHead: releaseAfter, picks, observedAt: now() };
  }
  return { kind: 'picked', plan, releaseBefore, releaseAfter, picks, observedAt: now() };
}

type Step =
  | { kind: 'applied'; pick: AppliedPick }
  | { kind: 'conflict' }
  | { kind: 'denied'; error: HotfixError }
  | { kind: 'failed'; error: HotfixError };

async function pickOne(
  client: GitLabClient,
  o: { target: string; branch: string },
  p: PlannedPick,
  scan: () => Promise<Map<string, FoundPick>>,
  resent = false,
): Promise<Step> {
  const r = await client.cherryPick(o.target, p.sha, o.branch);
  if (r.isOk()) {
    const v = r.value;
    if (v.kind === 'commit') return { kind: 'applied', pick: { original: p.sha, picked: v.commit.id, via: 'created' } };
    return {
      kind: 'failed',
      error: hotfixError('internal', 'GitLab answered a dry run to a real cherry-pick.', {
        details: { reason: 'dry run answer' },
      }),
    };
  }
  const e = r.error;
  if (e.code === 'gitlab-http' && e.details.errorCode === 'empty') {
    const found = (await scan()).get(p.sha);
    if (found) return { kind: 'applied', pick: { original: p.sha, picked: found.commit.id, via: 'empty' } };
    // GitLab says release already has the change, yet no commit carries it alone: unclear (R3).
    return {
      kind: 'failed',
      error: hotfixError(
        'drift',
        `GitLab reports ${p.sha.slice(0, 12)} as already on ${o.branch}, but no commit there carries its change alone (no trailer, no equal patch-id): check release by hand (R3).`,
        { runbookRef: 'R3', details: { kinds: ['pick-not-located'], shas: [p.sha] } },
      ),
    };
  }
  if (e.code === 'gitlab-http' && e.details.errorCode === 'conflict') return { kind: 'conflict' };
  if (
    e.code === 'gitlab-forbidden' ||
    (e.code === 'gitlab-http' && /protected|not allowed|permission/i.test(e.details.gitlabMessage))
  ) {
    return { kind: 'denied', error: { ...e, runbookRef: 'P3' } };
  }
  if (e.code === 'outcome-unknown' || e.code === 'gitlab-unavailable') {
    // The POST may have landed: read release before anything else.
    const found = (await scan()).get(p.sha);
    if (found && hasTrailerFor(found.commit.message, p.sha))
      return { kind: 'applied', pick: { original: p.sha, picked: found.commit.id, via: 'created' } };
    // Release shows no pick: a second POST is now a verified retry, not a blind one; once only.
    if (!resent) return pickOne(client, o, p, scan, true);
  }
  return { kind: 'failed', error: e };
}
