/**
 * R1/R2 in merge-request pick mode (issue 19): release takes changes only through merge requests, so
 * the revert goes the same way as the pick: GitLab's revert onto `<pick branch>-revert` (created from
 * release), a merge request into release, merged by the tool once approved and its pipeline passed; when
 * a person must act the rollback stops `awaiting-human` with the link, and a resumed run adopts the MR.
 */
import type { TargetRecord } from '@hotfix-release/evidence';
import { err, ok, type Result } from 'neverthrow';
import { must } from '../_internal/must.js';
import type { Clock } from '../clock.js';
import { hotfixError } from '../errors.js';
import type { GitLabClient } from '../gitlab-client.js';
import {
  ensurePickBranch,
  findReleaseMergeRequest,
  openReleaseMergeRequest,
  readReleaseMergeRequest,
} from '../primitives/release-merge-request.js';
import { revertFromRelease } from '../primitives/revert-from-release.js';
import type { Runner, Stop } from './_runner.js';
import { stop } from './_runner.js';
import { waitAndMerge } from './_step-pick-mr.js';

/** What the revert left on release: its head and the commit that carries the revert. */
export interface RevertedThroughMr {
  readonly head: string;
  readonly revertSha: string;
}

/** What the revert through an MR reads of a rollback's context. */
export interface RevertMrContext {
  readonly client: GitLabClient;
  readonly target: string;
  readonly runbookRef: 'R1' | 'R2';
  readonly reason: string;
  readonly record: TargetRecord;
  readonly clock: Clock;
  readonly wait: { readonly maxWaitMs: number; readonly minDelayMs: number };
  readonly runner: Runner;
}

/** The release MR of the pick, when the pick went through one (then the revert must too). */
export function pickMergeRequestOf(record: TargetRecord): TargetRecord['releaseMergeRequest'] {
  const m = record.releaseMergeRequest;
  return m?.state === 'merged' ? m : undefined;
}

/** Reverts the picks through a merge request into release; a Stop when a person must act or it cannot. */
export async function revertThroughMergeRequest(
  ctx: RevertMrContext,
  picked: readonly string[],
  branch: string,
): Promise<Result<RevertedThroughMr, Stop>> {
  const { client, target, runner } = ctx;
  const pickMr = ctx.record.releaseMergeRequest;
  if (!pickMr) throw hotfixError('internal', 'No release MR to revert through.', { details: { reason: 'no MR' } });
  const source = `${pickMr.sourceBranch}-revert`;
  const marker = `<!-- hotfix-release:revert ${pickMr.sourceBranch} -> ${target}:${branch} -->`;
  let mr = await must(findReleaseMergeRequest(client, target, source, branch, marker));
  let expected = mr?.sha ?? '';
  if (!mr || mr.state === 'opened') {
    await must(ensurePickBranch(client, target, source, branch));
    const reverted = await must(revertFromRelease(client, { project: target, picked: [...picked], branch: source }));
    if (reverted.kind !== 'reverted' && reverted.kind !== 'already_reverted') {
      const message = `The revert onto ${source} ended ${reverted.kind}: revert by hand through a merge request into ${branch} (${ctx.runbookRef}).`;
      return stop('error', 'failed', message, { ...('error' in reverted ? { error: reverted.error } : {}) });
    }
    expected = reverted.kind === 'reverted' ? reverted.releaseAfter : reverted.releaseHead;
  }
  if (!mr) {
    const shas = picked.map((s) => s.slice(0, 12)).join(', ');
    mr = await must(
      openReleaseMergeRequest(client, {
        project: target,
        sourceBranch: source,
        targetBranch: branch,
        title: `Revert hotfix !${pickMr.iid} from ${branch} (${ctx.runbookRef})`.slice(0, 255),
        description: [
          `Reverts ${shas}, which reached \`${branch}\` through ${pickMr.webUrl} (runbook ${ctx.runbookRef}, D6).`,
          '',
          `Why: ${ctx.reason.slice(0, 1000)}`,
          '',
          marker,
        ].join('\n'),
        labels: ['hotfix-release'],
        marker,
      }),
    );
    runner.progress('rollback', 'start', `Opened ${mr.web_url} to revert from ${branch}`, target);
  }
  const closed = (m: NonNullable<typeof mr>) =>
    stop(
      'error',
      'failed',
      `The revert merge request ${m.web_url} was ${m.state} without being merged (${ctx.runbookRef}).`,
    );
  if (mr.state !== 'merged') {
    const merged = await waitAndMerge(
      {
        client,
        target,
        clock: ctx.clock,
        maxWaitMs: ctx.wait.maxWaitMs,
        minDelayMs: ctx.wait.minDelayMs,
        signal: runner.signal,
        closed,
      },
      mr,
      expected || mr.sha || '',
    );
    if (merged.isErr()) return err(merged.error);
    mr = merged.value;
  }
  const done = await must(readReleaseMergeRequest(client, target, mr.iid));
  const head = (await must(client.branch(target, branch))).commit.id;
  return ok({ head, revertSha: done.merge_commit_sha ?? done.squash_commit_sha ?? done.sha ?? head });
}
