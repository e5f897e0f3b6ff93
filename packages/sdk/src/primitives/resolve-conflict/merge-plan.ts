/**
 * The first half of D3: read the three commits through the sparse store, merge their trees
 * with the local engine, and describe each conflict with the contents a resolver needs.
 */

import type { GitLabObjectStore } from '../../_internal/gitlab-object-store.js';
import { isBinary } from '../../_internal/merge/merge-leaf.js';
import { mergeTrees, type TreeMergeResult } from '../../_internal/merge/merge-trees.js';
import { diffTrees } from '../../_internal/merge/tree-diff.js';
import type { CommitData, LeafEntry, MergeConflict } from '../../_internal/merge/types.js';
import type { GitLabClient } from '../../gitlab-client.js';
import type { LocalConflictReason } from '../cherry-pick-local/local-pick.js';

/** One side of a conflicted path: mode, blob id and bytes (no bytes for a gitlink). @see D3 */
export interface ConflictSide {
  readonly mode: string;
  readonly oid: string;
  readonly content: Uint8Array | undefined;
}

/** A conflict as a resolver sees it. @see D3 */
export interface ConflictToResolve {
  /** Repository-relative path. */
  readonly path: string;
  /** Why the engine could not merge it. */
  readonly reason: LocalConflictReason;
  /** The version in the pick's parent (the merge base). */
  readonly base: ConflictSide | undefined;
  /** The version on release. */
  readonly ours: ConflictSide | undefined;
  /** The version in the picked commit. */
  readonly theirs: ConflictSide | undefined;
  /** The text merge with `<<<<<<< ours` / `=======` / `>>>>>>> theirs` markers (text conflicts only). */
  readonly merged: Uint8Array | undefined;
  /** True when any side is binary (a NUL in the first 8000 bytes). */
  readonly binary: boolean;
  /** True when git itself might have merged this path (renames the engine does not detect). */
  readonly unsupported: boolean;
}

/** What the merge found, with everything the second half needs. */
export interface MergePlan {
  readonly original: string;
  readonly picked: CommitData;
  readonly releaseHead: string;
  readonly baseTree: string | undefined;
  readonly oursTree: string;
  readonly theirsTree: string;
  /** Every path the picked change touches (base → theirs). */
  readonly hotfixPaths: readonly string[];
  readonly result: TreeMergeResult;
}

/**
 * Reads the commits and merges; `mainline` picks the parent of a merge commit (1-based). The
 * pick's diff (one request) names the paths it touches, so the directories along them are
 * listed on all three commits at once, together with the blobs at those paths (one GraphQL query
 * where GitLab offers it); blobs both sides changed that GraphQL did not deliver are then read by
 * id in parallel. The engine finds nearly everything in the cache (and reads anything else on
 * demand). A caller that already knows the changed paths passes them as `knownPaths` (no diff read).
 */
export async function planMerge(
  client: GitLabClient,
  store: GitLabObjectStore,
  project: string,
  original: string,
  mainline: number | undefined,
  releaseHead: string,
  knownPaths?: readonly string[],
): Promise<MergePlan> {
  const [picked, oursTree, , hint] = await Promise.all([
    store.readCommit(original),
    store.treeOf(releaseHead),
    store.treeOf(original),
    knownPaths ? [...new Set(knownPaths)] : changedPaths(client, project, original),
  ]);
  if (picked.parents.length > 1 && mainline === undefined) {
    throw new PlanError(`${original.slice(0, 12)} is a merge of ${picked.parents.length} parents; pass mainline.`);
  }
  const parent = picked.parents[(mainline ?? 1) - 1];
  if (mainline !== undefined && parent === undefined) {
    throw new PlanError(`mainline ${mainline} exceeds the ${picked.parents.length} parent(s) of ${original}.`);
  }
  const commits = [parent, releaseHead, original].filter((c): c is string => c !== undefined);
  // Trees along the hint on all three sides, and (one GraphQL query) the blobs at the hint's paths.
  const [sides] = await Promise.all([
    Promise.all(
      [parent, releaseHead, original].map((c) =>
        c === undefined ? new Map<string, string>() : store.prefetch(c, hint),
      ),
    ),
    store.prefetchBlobs(commits, hint),
  ]);
  const both = hint.flatMap((p) => {
    const ids = sides.map((side) => side.get(p));
    return ids.every((id) => id !== undefined) && new Set(ids).size === 3 ? (ids as string[]) : [];
  });
  await Promise.all(both.map((oid) => store.readBlob(oid)));
  const baseTree = parent === undefined ? undefined : await store.treeOf(parent);
  const [result, changes] = await Promise.all([
    mergeTrees(store, { base: baseTree, ours: oursTree, theirs: picked.tree }),
    diffTrees(store, baseTree, picked.tree),
  ]);
  return {
    original,
    picked,
    releaseHead,
    baseTree,
    oursTree,
    theirsTree: picked.tree,
    hotfixPaths: changes.map((c) => c.path),
    result,
  };
}

/** The paths the commit's diff names (against its first parent): a prefetch hint, empty when unreadable. */
async function changedPaths(client: GitLabClient, project: string, sha: string): Promise<string[]> {
  const diff = await client.commitDiff(project, sha, { maxPages: 5 });
  if (diff.isErr()) return [];
  return [...new Set(diff.value.items.flatMap((d) => [d.old_path, d.new_path]))];
}

/** A plan that cannot be made from the given options (an input problem, not a git failure). */
export class PlanError extends Error {}

/** Reads the sides of each conflict (blobs already read by the merge come from the cache). */
export async function describeConflicts(
  store: GitLabObjectStore,
  conflicts: readonly MergeConflict[],
): Promise<ConflictToResolve[]> {
  const side = async (e: LeafEntry | undefined): Promise<ConflictSide | undefined> => {
    if (e === undefined) return undefined;
    const content = e.mode === '160000' ? undefined : await store.readBlob(e.oid);
    return { mode: e.mode, oid: e.oid, content };
  };
  return Promise.all(
    conflicts.map(async (c) => {
      const [base, ours, theirs] = await Promise.all([side(c.base), side(c.ours), side(c.theirs)]);
      const binary = [base, ours, theirs].some((s) => s?.content !== undefined && isBinary(s.content));
      return {
        path: c.path,
        reason: c.reason as LocalConflictReason,
        base,
        ours,
        theirs,
        merged: c.merged,
        binary,
        unsupported: c.unsupported === true,
      };
    }),
  );
}
