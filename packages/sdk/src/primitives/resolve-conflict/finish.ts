/**
 * The second half of D3: put the resolutions into the merge, verify the result (no conflict
 * markers, nothing changed outside the hotfix and the resolved paths), write the commit and
 * push exactly the new objects with a compare-and-swap on release.
 */
import type { GitObject } from '../../_internal/git-objects.js';
import type { GitLabObjectStore } from '../../_internal/gitlab-object-store.js';
import { isBinary } from '../../_internal/merge/merge-leaf.js';
import { mergeTrees } from '../../_internal/merge/merge-trees.js';
import { diffTrees } from '../../_internal/merge/tree-diff.js';
import { TreeEditor } from '../../_internal/merge/tree-editor.js';
import type { GitSignature, LeafEntry } from '../../_internal/merge/types.js';
import { type HotfixError, hotfixError } from '../../errors.js';
import type { MergePlan } from './merge-plan.js';

/** The new content of a path, or its removal. */
export type Resolution = { readonly content: Uint8Array; readonly mode?: string } | { readonly delete: true };

/** A verified commit ready to push. */
export interface ResolvedCommit {
  readonly commit: string;
  readonly tree: string;
  readonly changedPaths: readonly string[];
  readonly objects: readonly GitObject[];
}

const invalid = (paths: readonly string[], reason: string, message: string): HotfixError =>
  hotfixError('resolution-invalid', message, { runbookRef: 'D3', details: { paths, reason } });

/** Marker lines as git writes them; a resolution must not have more than either side had. */
const MARKER = /^(?:<{7}|={7}|>{7}|\|{7})(?: |\r?$)/gm;

function markerLines(data: Uint8Array | undefined): number {
  if (data === undefined || isBinary(data)) return 0;
  return Buffer.from(data).toString('latin1').match(MARKER)?.length ?? 0;
}

/**
 * Applies `resolutions` on top of the merge: the base gets ours at each resolved path and theirs
 * gets the resolution, so the engine takes the resolution there and decides every other path
 * exactly as before. Returns the verified commit, or a `resolution-invalid` error.
 */
export async function buildResolvedCommit(
  store: GitLabObjectStore,
  plan: MergePlan,
  resolutions: ReadonlyMap<string, Resolution>,
  conflictPaths: readonly string[],
  commit: { readonly committer: GitSignature; readonly message: string },
): Promise<ResolvedCommit | HotfixError> {
  const ours = new TreeEditor(store, plan.oursTree);
  const base = new TreeEditor(store, plan.baseTree);
  const theirs = new TreeEditor(store, plan.theirsTree);
  const marked: string[] = [];
  const blocked: string[] = [];
  for (const [path, r] of resolutions) {
    const at = await ours.get(path);
    const oursLeaf: LeafEntry | undefined = at.kind === 'leaf' ? at.entry : undefined;
    if (oursLeaf) {
      if ((await base.set(path, oursLeaf)) !== undefined) blocked.push(path);
    } else await base.remove(path);
    if ('delete' in r) {
      await theirs.remove(path);
      continue;
    }
    const sides = [oursLeaf, (await leafAt(theirs, path)) ?? undefined];
    const before = Math.max(
      ...(await Promise.all(
        sides.map(async (s) => (s && s.mode !== '160000' ? markerLines(await store.readBlob(s.oid)) : 0)),
      )),
    );
    if (markerLines(r.content) > before) marked.push(path);
    const mode = r.mode ?? oursLeaf?.mode ?? (await leafAt(theirs, path))?.mode ?? '100644';
    const oid = await store.writeBlob(r.content);
    if ((await theirs.set(path, { mode, oid })) !== undefined) blocked.push(path);
  }
  if (marked.length > 0) {
    return invalid(marked, 'markers', `Conflict markers remain in ${marked.join(', ')}; finish the resolution.`);
  }
  if (blocked.length > 0) {
    return invalid(blocked, 'blocked', `A file or directory stands in the way at ${blocked.join(', ')}.`);
  }
  const merged = await mergeTrees(store, {
    base: await base.write(),
    ours: plan.oursTree,
    theirs: await theirs.write(),
  });
  if (merged.kind === 'conflict') {
    const paths = merged.conflicts.map((c) => c.path);
    return invalid(paths, 'unresolved', `Paths still conflict after the resolution: ${paths.join(', ')}.`);
  }
  const changed = (await diffTrees(store, plan.oursTree, merged.tree)).map((c) => c.path);
  const allowed = new Set([...plan.hotfixPaths, ...conflictPaths]);
  const extra = changed.filter((p) => !allowed.has(p));
  if (extra.length > 0) {
    return invalid(
      extra,
      'outside-hotfix',
      `The resolution changes ${extra.join(', ')}, which neither the hotfix nor the conflict touches.`,
    );
  }
  const oid = await store.writeCommit({
    tree: merged.tree,
    parents: [plan.releaseHead],
    author: plan.picked.author,
    committer: commit.committer,
    message: commit.message,
  });
  return { commit: oid, tree: merged.tree, changedPaths: changed, objects: store.newObjects(oid) };
}

async function leafAt(view: TreeEditor, path: string): Promise<LeafEntry | undefined> {
  const at = await view.get(path);
  return at.kind === 'leaf' ? at.entry : undefined;
}

/** git's `-x` message: the original message, then `(cherry picked from commit <sha>)`. */
export function pickMessage(message: string, sha: string, trailer: boolean): string {
  const body = message.replace(/\s+$/, '');
  if (!trailer || body.includes(`(cherry picked from commit ${sha})`)) return `${body}\n`;
  return `${body}\n\n(cherry picked from commit ${sha})\n`;
}
