/**
 * Pruned diff of two trees: descends only into subtrees whose ids differ, so its cost grows
 * with the changed paths, not with the size of the repository. Reports leaves (files,
 * symlinks, gitlinks); a path that is a tree on one side and a leaf on the other shows as
 * the leaf's change plus every leaf under the tree.
 */
import { isTreeMode, type LeafEntry, type ObjectStore, type TreeEntry } from './types.js';

/** One changed leaf path: its entry before (`a`) and after (`b`); absent when missing. */
export interface LeafChange {
  readonly path: string;
  readonly a: LeafEntry | undefined;
  readonly b: LeafEntry | undefined;
}

/** Lists the leaf changes from tree `a` to tree `b` (either may be absent, i.e. empty). */
export async function diffTrees(
  store: ObjectStore,
  a: string | undefined,
  b: string | undefined,
  prefix = '',
): Promise<LeafChange[]> {
  const out: LeafChange[] = [];
  await walk(store, a, b, prefix, out);
  return out;
}

async function walk(
  store: ObjectStore,
  a: string | undefined,
  b: string | undefined,
  prefix: string,
  out: LeafChange[],
): Promise<void> {
  if (a === b) return;
  const [ea, eb] = await Promise.all([entries(store, a), entries(store, b)]);
  const names = [...new Set([...ea.keys(), ...eb.keys()])].sort();
  for (const name of names) {
    const x = ea.get(name);
    const y = eb.get(name);
    const path = prefix + name;
    const xt = x !== undefined && isTreeMode(x.mode) ? x.oid : undefined;
    const yt = y !== undefined && isTreeMode(y.mode) ? y.oid : undefined;
    const xl = x !== undefined && xt === undefined ? leaf(x) : undefined;
    const yl = y !== undefined && yt === undefined ? leaf(y) : undefined;
    if (xl?.mode !== yl?.mode || xl?.oid !== yl?.oid) out.push({ path, a: xl, b: yl });
    if (xt !== yt) await walk(store, xt, yt, `${path}/`, out);
  }
}

async function entries(store: ObjectStore, oid: string | undefined): Promise<Map<string, TreeEntry>> {
  if (oid === undefined) return new Map();
  return new Map((await store.readTree(oid)).map((e) => [e.path, e]));
}

function leaf(e: TreeEntry): LeafEntry {
  return { mode: e.mode, oid: e.oid };
}

/** Lists every leaf under a tree (used when a whole directory appears or disappears). */
export async function listLeaves(store: ObjectStore, tree: string, prefix = ''): Promise<LeafChange[]> {
  return diffTrees(store, undefined, tree, prefix);
}
