/**
 * revertFromRelease: backs the hotfix out of release with GitLab's revert API (R1, R2),
 * with the same idempotency and outcome model as the cherry-pick: an existing revert
 * is found again (its "This reverts commit <sha>" line, or GitLab's `error_code: empty`)
 * and a lost response is reconciled by reading release.
 */
import { errAsync, type ResultAsync } from 'neverthrow';
import { z } from 'zod';
import { fromBody, must } from '../_internal/must.js';
import { parseOptions } from '../_internal/parse-options.js';
import type { GitLabCommit } from '../_internal/schemas.js';
import { isoNow } from '../clock.js';
import type { HotfixError } from '../errors.js';
import type { GitLabClient } from '../gitlab-client.js';

/** One picked commit and the commit that reverts it. */
export interface AppliedRevert {
  readonly picked: string;
  readonly revert: string;
  readonly via: 'created' | 'found' | 'empty';
}

/** What a revert did. */
export type RevertOutcome =
  | {
      readonly kind: 'reverted';
      readonly releaseBefore: string;
      readonly releaseAfter: string;
      readonly reverts: readonly AppliedRevert[];
      readonly observedAt: string;
    }
  | {
      readonly kind: 'already_reverted';
      readonly releaseHead: string;
      readonly reverts: readonly AppliedRevert[];
      readonly observedAt: string;
    }
  | { readonly kind: 'planned'; readonly releaseHead: string; readonly clean: boolean; readonly observedAt: string }
  | {
      readonly kind: 'conflict';
      readonly releaseHead: string;
      readonly picked: string;
      readonly revertsSoFar: readonly AppliedRevert[];
      readonly observedAt: string;
    }
  | { readonly kind: 'denied'; readonly error: HotfixError; readonly observedAt: string }
  | {
      readonly kind: 'failed';
      readonly error: HotfixError;
      readonly revertsSoFar: readonly AppliedRevert[];
      readonly observedAt: string;
    };

/** Options of `revertFromRelease`. */
export const revertOptionsSchema = z.object({
  project: z.string().min(1),
  /** The commits the promotion put on release (the picks), in the order they were picked. */
  picked: z.array(z.string().regex(/^[0-9a-f]{40}$/, 'must be a full 40-hex SHA')).min(1),
  branch: z.string().min(1).default('release'),
  dryRun: z.boolean().default(false),
});

/** Options of `revertFromRelease` as callers write them. */
export type RevertOptions = z.input<typeof revertOptionsSchema>;

/** Whether a commit message says it reverts `sha`. */
export function revertsCommit(message: string, sha: string): boolean {
  return new RegExp(`This reverts commit ${sha}`).test(message);
}

/**
 * Reverts the picked commits from release, newest first, through GitLab's revert API.
 *
 * Errors: `invalid-input`, `gitlab-not-found`, transport errors. Conflicts and denials are outcomes.
 * @see R1 R2 D6
 */
export function revertFromRelease(
  client: GitLabClient,
  options: RevertOptions,
): ResultAsync<RevertOutcome, HotfixError> {
  const parsed = parseOptions(revertOptionsSchema, options, 'revert');
  if (parsed.isErr()) return errAsync(parsed.error);
  const o = parsed.value;
  const now = () => isoNow(client.clock);
  const work = async (): Promise<RevertOutcome> => {
    const head = async () => (await must(client.branch(o.project, o.branch))).commit.id;
    const releaseBefore = await head();
    const scan = async (): Promise<GitLabCommit[]> =>
      (await must(client.commits(o.project, { ref_name: o.branch }, { perPage: 100, maxPages: 3, onLimit: 'partial' })))
        .items;
    const existing = async (sha: string) => (await scan()).find((c) => revertsCommit(c.message, sha));
    const order = [...o.picked].reverse();
    if (o.dryRun) {
      let clean = true;
      for (const sha of order) {
        if (await existing(sha)) continue;
        const r = await client.revert(o.project, sha, o.branch, { dryRun: true });
        if (r.isErr()) {
          if (r.error.code === 'gitlab-http' && r.error.details.errorCode === 'conflict') clean = false;
          else if (!(r.error.code === 'gitlab-http' && r.error.details.errorCode === 'empty')) throw r.error;
        }
      }
      return { kind: 'planned', releaseHead: releaseBefore, clean, observedAt: now() };
    }
    const reverts: AppliedRevert[] = [];
    for (const sha of order) {
      const found = await existing(sha);
      if (found) {
        reverts.push({ picked: sha, revert: found.id, via: 'found' });
        continue;
      }
      let r = await client.revert(o.project, sha, o.branch);
      if (r.isErr() && (r.error.code === 'outcome-unknown' || r.error.code === 'gitlab-unavailable')) {
        const after = await existing(sha);
        if (after) {
          reverts.push({ picked: sha, revert: after.id, via: 'created' });
          continue;
        }
        r = await client.revert(o.project, sha, o.branch);
      }
      if (r.isOk()) {
        if (r.value.kind === 'commit') reverts.push({ picked: sha, revert: r.value.commit.id, via: 'created' });
        continue;
      }
      const e = r.error;
      if (e.code === 'gitlab-http' && e.details.errorCode === 'empty') {
        reverts.push({ picked: sha, revert: (await existing(sha))?.id ?? '', via: 'empty' });
        continue;
      }
      if (e.code === 'gitlab-http' && e.details.errorCode === 'conflict') {
        return { kind: 'conflict', releaseHead: await head(), picked: sha, revertsSoFar: reverts, observedAt: now() };
      }
      if (e.code === 'gitlab-forbidden')
        return { kind: 'denied', error: { ...e, runbookRef: 'P3' }, observedAt: now() };
      return { kind: 'failed', error: e, revertsSoFar: reverts, observedAt: now() };
    }
    const releaseAfter = await head();
    if (reverts.every((r) => r.via !== 'created'))
      return { kind: 'already_reverted', releaseHead: releaseAfter, reverts, observedAt: now() };
    return { kind: 'reverted', releaseBefore, releaseAfter, reverts, observedAt: now() };
  };
  return fromBody(work());
}
