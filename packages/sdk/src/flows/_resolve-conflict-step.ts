/**
 * D3 inside a promotion: when GitLab's pick conflicts and the caller gave a resolver, resolve
 * the pick locally with resolveConflict (sparse read, verify, compare-and-swap push) and hand
 * back the evidence record; the target then goes on with the rest of S3–S7 on the pushed head.
 */
import type { ConflictResolution } from '@hotfix-release/evidence';
import { z } from 'zod';
import { type HotfixError, hotfixError } from '../errors.js';
import type { GitLabClient } from '../gitlab-client.js';
import type { PickOutcome } from '../primitives/cherry-pick-to-release.js';
import { type ConflictResolver, type KnownFacts, resolveConflict } from '../primitives/resolve-conflict.js';

/** The `resolveConflicts` option of promoteHotfix. */
export const flowResolveSchema = z.object({
  /** Called for each conflicted path (see resolveConflict); `null` gives up and the target stays `pending`. */
  resolver: z.custom<ConflictResolver>((v) => typeof v === 'function', { message: 'expected a function' }),
  /** Token used as the HTTP Basic password of the push. */
  gitToken: z.string().min(1),
  gitUsername: z.string().min(1).optional(),
  committer: z.object({ name: z.string().min(1), email: z.string().min(1) }).optional(),
  /** Who resolved, for the evidence record. */
  resolvedBy: z.string().min(1).max(255).optional(),
});

/** The `resolveConflicts` option after validation. */
export type FlowResolveSettings = z.output<typeof flowResolveSchema>;

/**
 * Resolves one conflicting pick; never throws. `known` is what the promotion already read (the
 * token's user, the pick's changed paths), so the resolution does not read it again (issue 27).
 */
export async function resolveInFlow(
  client: GitLabClient,
  target: string,
  branch: string,
  pick: Extract<PickOutcome, { kind: 'conflict' }>,
  settings: FlowResolveSettings,
  known: KnownFacts = {},
): Promise<
  | { readonly ok: true; readonly record: ConflictResolution | undefined }
  | { readonly ok: false; readonly error: HotfixError }
> {
  const r = await resolveConflict(client, {
    project: target,
    branch,
    conflict: pick,
    resolver: settings.resolver,
    known,
    gitToken: settings.gitToken,
    ...(settings.gitUsername ? { gitUsername: settings.gitUsername } : {}),
    ...(settings.committer ? { committer: settings.committer } : {}),
    ...(settings.resolvedBy ? { resolvedBy: settings.resolvedBy } : {}),
  });
  if (r.isErr()) return { ok: false, error: r.error };
  const v = r.value;
  // `picked` / `already-applied`: the local merge was clean (GitLab and the engine disagree), nothing was resolved.
  if (v.kind !== 'awaiting-resolution') return { ok: true, record: v.kind === 'resolved' ? v.record : undefined };
  const reason = 'resolver mode returned awaiting-resolution';
  return { ok: false, error: hotfixError('internal', reason, { details: { reason } }) };
}
