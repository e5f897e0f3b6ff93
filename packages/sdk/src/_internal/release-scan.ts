/**
 * The release scan: finds the commit on release that already carries a change, by GitLab's
 * `(cherry picked from commit <sha>)` trailer or, for a pick made without it (by hand, or in
 * GitLab's UI with the option off), by the change itself. Bounded by release's history since
 * the merge-base with the original (`ref_name=<original>..<release>`: GitLab's commits API
 * takes a revision range), read page by page.
 */
import { errAsync, okAsync, type ResultAsync } from 'neverthrow';
import { type HotfixError, hotfixError } from '../errors.js';
import type { GitLabClient, ProjectRef } from '../gitlab-client.js';
import { type BlobReader, type ChangeSource, compareChanges, type DiffFile, exactPatchIds } from './change-identity.js';
import { createGitLabObjectStore } from './gitlab-object-store.js';
import { fromBody, must } from './must.js';
import type { GitLabCommit } from './schemas.js';

const TRAILER = /\(cherry[- ]picked from commit ([0-9a-f]{7,40})\)/g;
const PER_PAGE = 100;

/** The original SHAs named by `(cherry picked from commit <sha>)` trailers in a message. */
export function trailerShas(message: string): string[] {
  return [...message.matchAll(TRAILER)].map((m) => m[1] as string);
}

/** Whether a commit message carries the cherry-pick trailer for `original` (full or abbreviated SHA). */
export function hasTrailerFor(message: string, original: string): boolean {
  return trailerShas(message).some((s) => original.startsWith(s) || s.startsWith(original));
}

/**
 * Whether a commit on release carries the same change as the original, as `git cherry` decides
 * it: equal `git patch-id --stable` (binary files hashed by their blob ids, read from the
 * store). Where git's id cannot be rebuilt from GitLab's payload (an omitted text diff, a
 * rename with edits), the exact content identity decides instead.
 */
export async function carriesSameChange(
  store: BlobReader,
  original: ChangeSource,
  candidate: ChangeSource,
): Promise<boolean> {
  const ids = await exactPatchIds(store, original, candidate);
  if (ids) return ids.equal;
  return (await compareChanges(store, original, candidate)).same;
}

/** A commit on release found to carry an original's change, and how it was recognised. */
export interface FoundPick {
  readonly commit: GitLabCommit;
  readonly via: 'trailer' | 'patch-id';
}

/** What the scan found and read. */
export interface ReleaseScan {
  readonly found: Map<string, FoundPick>;
  /** Commits of release since the merge-base that were read. */
  readonly scanned: number;
  /** Commit diffs downloaded to compare changes. */
  readonly diffsRead: number;
}

/**
 * Finds, among release's commits since its merge-base with the originals, the commit that
 * carries each original: by trailer, then by the same change (only commits touching one of
 * the original's paths are diffed). Errors: `pagination-limit` (S2) when release holds more
 * than `maxCommits` commits since the merge-base, naming the bound; transport errors.
 */
export function findPicksOnRelease(
  client: GitLabClient,
  project: ProjectRef,
  branch: string,
  originals: readonly string[],
  options: { readonly maxCommits: number },
): ResultAsync<ReleaseScan, HotfixError> {
  const last = originals[originals.length - 1];
  if (last === undefined) return okAsync({ found: new Map(), scanned: 0, diffsRead: 0 });
  const range = `${last}..${branch}`;
  const perPage = Math.min(PER_PAGE, options.maxCommits);
  const maxPages = Math.ceil(options.maxCommits / perPage);
  const list = (path?: string) =>
    client
      .commits(project, { ref_name: range, ...(path ? { path } : {}) }, { perPage, maxPages })
      .orElse((e) =>
        e.code === 'pagination-limit'
          ? errAsync(
              hotfixError(
                'pagination-limit',
                `${branch} has more than ${options.maxCommits} commits since its merge-base with ${last.slice(0, 12)}: the scan for an earlier pick stopped there. Raise the bound, or check release by hand (S2).`,
                { runbookRef: 'S2', details: e.details },
              ),
            )
          : errAsync(e),
      );
  return fromBody(
    (async (): Promise<ReleaseScan> => {
      const commits = (await must(list())).items;
      const found = new Map<string, FoundPick>();
      for (const c of commits) {
        for (const o of originals)
          if (!found.has(o) && hasTrailerFor(c.message, o)) found.set(o, { commit: c, via: 'trailer' });
      }
      let diffsRead = 0;
      const missing = originals.filter((o) => !found.has(o));
      if (missing.length === 0) return { found, scanned: commits.length, diffsRead };
      const store = createGitLabObjectStore(client, String(project));
      const diffs = new Map<string, DiffFile[]>();
      const diffOf = async (sha: string) => {
        let d = diffs.get(sha);
        if (!d) {
          d = (await must(client.commitDiff(project, sha, { maxPages: 10 }))).items;
          diffsRead++;
          diffs.set(sha, d);
        }
        return d;
      };
      const taken = new Set([...found.values()].map((f) => f.commit.id));
      for (const o of missing) {
        const original = await must(client.commit(project, o));
        const files = await diffOf(o);
        const first = files[0];
        if (!first) continue;
        // Only a commit that touches the original's first path can carry its change.
        const touching = (await must(list(first.deleted_file ? first.old_path : first.new_path))).items;
        for (const c of touching) {
          if (taken.has(c.id) || c.parent_ids.length !== 1 || trailerShas(c.message).length > 0) continue;
          const same = await carriesSameChange(
            store,
            { commit: o, parent: original.parent_ids[0], files },
            { commit: c.id, parent: c.parent_ids[0], files: await diffOf(c.id) },
          );
          if (same) {
            found.set(o, { commit: c, via: 'patch-id' });
            taken.add(c.id);
            break;
          }
        }
      }
      return { found, scanned: commits.length, diffsRead };
    })(),
  );
}
