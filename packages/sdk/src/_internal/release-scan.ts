import type { ResultAsync } from 'neverthrow';
import type { HotfixError } from '../errors.js';
import type { GitLabClient, ProjectRef } from '../gitlab-client.js';
import type { GitLabCommit } from './schemas.js';

const TRAILER = /\(cherry[- ]picked from commit ([0-9a-f]{7,40})\)/g;

/** The original SHAs named by `(cherry picked from commit <sha>)` trailers in a message. */
export function trailerShas(message: string): string[] {
  return [...message.matchAll(TRAILER)].map((m) => m[1] as string);
}

/** Whether a commit message carries the cherry-pick trailer for `original` (full or abbreviated SHA). */
export function hasTrailerFor(message: string, original: string): boolean {
  return trailerShas(message).some((s) => original.startsWith(s) || s.startsWith(original));
}

/**
 * Finds, among release's recent commits, the picks of the given originals (by trailer).
 * Bounded: commits since `since` (when known), at most `maxPages` pages.
 */
export function findPicksOnRelease(
  client: GitLabClient,
  project: ProjectRef,
  branch: string,
  originals: readonly string[],
  since: string | undefined,
): ResultAsync<{ found: Map<string, GitLabCommit>; scanned: number; complete: boolean }, HotfixError> {
  return client
    .commits(
      project,
      { ref_name: branch, ...(since ? { since } : {}) },
      { perPage: 100, maxPages: 3, onLimit: 'partial' },
    )
    .map((list) => {
      const found = new Map<string, GitLabCommit>();
      for (const c of list.items) {
        for (const o of originals) if (!found.has(o) && hasTrailerFor(c.message, o)) found.set(o, c);
      }
      return { found, scanned: list.items.length, complete: list.exhausted };
    });
}
