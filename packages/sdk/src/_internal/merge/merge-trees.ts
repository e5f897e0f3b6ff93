/**
 * Three-way tree merge (base, ours, theirs) without a working tree, with git's per-path rules
 * and rename detection (exact, and clear-cut similarity). It walks only the base→theirs difference,
 * looks paths up in ours, and edits ours along those paths; the base→ours difference is read
 * only when a rename question needs it. Anything it cannot merge as git would is a conflict.
 */
import { type LeafOutcome, mergeLeaf } from './merge-leaf.js';
import { SideRenames } from './renames.js';
import { diffTrees, type LeafChange } from './tree-diff.js';
import { ancestors, TreeEditor, treeOid } from './tree-editor.js';
import { type ConflictReason, type LeafEntry, type MergeConflict, type ObjectStore, sameLeaf } from './types.js';

/** The trees of a three-way merge; an absent tree is the empty tree. */
export interface TreeMergeInput {
  readonly base: string | undefined;
  readonly ours: string;
  readonly theirs: string | undefined;
}

/** A merged tree, or the conflicts that prevent one. */
export type TreeMergeResult =
  | { readonly kind: 'clean'; readonly tree: string }
  | { readonly kind: 'conflict'; readonly conflicts: readonly MergeConflict[] };

/** Merges `theirs` into `ours` relative to `base`. */
export async function mergeTrees(store: ObjectStore, input: TreeMergeInput): Promise<TreeMergeResult> {
  const { base, ours, theirs } = input;
  if (theirs === base || theirs === ours) return { kind: 'clean', tree: ours };
  const changes = await diffTrees(store, base, theirs);
  return new TreeMerge(store, input, changes).run();
}

class TreeMerge {
  readonly #store: ObjectStore;
  readonly #input: TreeMergeInput;
  readonly #changes: readonly LeafChange[];
  readonly #ours: TreeEditor;
  readonly #baseView: TreeEditor;
  readonly #theirsView: TreeEditor;
  readonly #theirs: SideRenames;
  #oursRenames: Promise<SideRenames> | undefined;
  readonly #removals: string[] = [];
  readonly #sets: [string, LeafEntry][] = [];
  readonly #conflicts = new Map<string, MergeConflict>();
  readonly #handled = new Set<string>();
  readonly #oursAt = new Map<string, LeafEntry | undefined>();
  readonly #theirsByPath: Map<string, LeafChange>;

  constructor(store: ObjectStore, input: TreeMergeInput, changes: readonly LeafChange[]) {
    this.#store = store;
    this.#input = input;
    this.#changes = changes;
    this.#ours = new TreeEditor(store, input.ours);
    this.#baseView = new TreeEditor(store, input.base);
    this.#theirsView = new TreeEditor(store, input.theirs);
    this.#theirs = new SideRenames(store, changes);
    this.#theirsByPath = new Map(changes.map((c) => [c.path, c]));
  }

  async run(): Promise<TreeMergeResult> {
    for (const c of this.#changes) this.#oursAt.set(c.path, await this.#oursLeaf(c.path));
    for (const c of this.#changes) {
      const o = this.#oursAt.get(c.path);
      if (c.a !== undefined && c.b === undefined && !sameLeaf(c.a, o)) {
        const rename = await this.#theirs.findRename(c.path, c.a, o !== undefined && o.oid !== c.a.oid);
        if (rename !== undefined && rename !== 'ambiguous') this.#handled.add(rename.to);
      }
    }
    for (const c of this.#changes) {
      if (this.#handled.has(c.path)) continue;
      await this.#mergePath(c, this.#oursAt.get(c.path));
    }
    await this.#guardDirectoryRenames();
    for (const path of this.#removals) await this.#ours.remove(path);
    // A conflicted path keeps theirs' version in git's index; a file of ours at a parent path
    // is then in the way too (git moves it aside and reports it).
    for (const c of [...this.#conflicts.values()]) {
      if (c.theirs === undefined || c.ours !== undefined) continue;
      const at = await this.#ours.get(c.path);
      if (at.kind === 'blocked') this.#conflict(at.blockedAt, 'file-directory', {}, c.unsupported === true);
    }
    for (const [path, entry] of this.#sets) {
      if (this.#conflicts.has(path)) continue;
      const blocker = await this.#ours.set(path, entry);
      if (blocker === undefined) continue;
      // When the entries in the way are themselves unsupported conflicts, so is this clash.
      const related = (p: string) => p.startsWith(`${blocker}/`) || p === blocker || path.startsWith(`${p}/`);
      const unsupported = [...this.#conflicts.values()].some((c) => c.unsupported && related(c.path));
      this.#conflict(blocker, 'file-directory', {}, unsupported);
    }
    if (this.#conflicts.size > 0) return { kind: 'conflict', conflicts: [...this.#conflicts.values()] };
    return { kind: 'clean', tree: await this.#ours.write() };
  }

  async #mergePath(c: LeafChange, o: LeafEntry | undefined): Promise<void> {
    const { path, a: b, b: t } = c;
    if (b !== undefined && t === undefined && !sameLeaf(b, o)) {
      const rename = await this.#theirs.findRename(path, b, o !== undefined && o.oid !== b.oid);
      if (rename === 'ambiguous') return this.#conflict(path, 'ambiguous-rename', { b, o, t }, true);
      if (rename !== undefined) return this.#carryTheirsRename(path, rename.to, b, o);
    }
    const outcome = await mergeLeaf(this.#store, path, b, o, t, this.#textMergeAllowed);
    if (outcome.kind === 'conflict') return this.#resolveConflict(c, o, outcome);
    if (b !== undefined && o === undefined && t === undefined) return this.#guardBothDeleted(path, b);
    this.#apply(path, outcome.entry);
  }

  /** Theirs renamed `from` → `to` exactly while ours changed or removed `from`. */
  async #carryTheirsRename(from: string, to: string, b: LeafEntry, o: LeafEntry | undefined): Promise<void> {
    const toChange = this.#theirsByPath.get(to)!;
    const t = toChange.b!;
    const oursAtTo = await this.#ours.get(to);
    if (o === undefined) {
      const oursRename = await (await this.#oursSide()).findRename(from, b, false);
      if (oursRename !== undefined && oursRename !== 'ambiguous' && oursRename.to === to) {
        // Both sides renamed it to the same place. With exact renames both versions are the
        // base's; with edits, git merges them only if its (optimised) rename detection pairs
        // them, else reports add/add: we cannot tell which, so that is a conflict we flag.
        const oz = this.#oursAt.get(to);
        if (oz?.oid !== b.oid || t.oid !== b.oid) return this.#conflict(to, 'rename-rename', { b, o: oz, t }, true);
        const both = await mergeLeaf(this.#store, to, b, oz, t, this.#textMergeAllowed);
        if (both.kind === 'take') return this.#apply(to, both.entry);
        return this.#conflict(
          to,
          both.conflict.reason,
          { b, o: this.#oursAt.get(to), t },
          both.conflict.unsupported === true,
        );
      }
      if (oursRename !== undefined) return this.#conflict(to, 'rename-rename', { b, t }, true);
      const maybe = await (await this.#oursSide()).mayHaveRenamed([b]);
      // git always reports an exact rename/delete; a rename with edits only when its rename
      // detection looked at the source, which it may skip for a file the other side deleted.
      return this.#conflict(to, 'rename-delete', { b, t }, maybe || t.oid !== b.oid);
    }
    if (oursAtTo.kind === 'leaf') return this.#conflict(to, 'rename-add', { b, o, t });
    // The source goes away even when the content conflicts: git records that at the destination.
    this.#removals.push(from);
    const outcome = await mergeLeaf(this.#store, to, b, o, t, this.#textMergeAllowed);
    if (outcome.kind === 'conflict') {
      const { reason, merged, unsupported } = outcome.conflict;
      this.#conflicts.set(to, {
        path: to,
        reason,
        base: b,
        ours: o,
        theirs: t,
        ...(merged ? { merged } : {}),
        ...(unsupported ? { unsupported } : {}),
      });
      return;
    }
    this.#apply(to, outcome.entry);
  }

  async #resolveConflict(c: LeafChange, o: LeafEntry | undefined, outcome: LeafOutcome & { kind: 'conflict' }) {
    const { path, a: b, b: t } = c;
    if (outcome.conflict.reason === 'add-add' && o !== undefined && t !== undefined) {
      // Both sides may have renamed (with edits) the same file here; git would then merge them.
      const renamed = (await this.#theirs.mayBeRenamedInto(t)) || (await (await this.#oursSide()).mayBeRenamedInto(o));
      this.#conflicts.set(path, { ...outcome.conflict, ...(renamed ? { unsupported: true } : {}) });
      return;
    }
    if (outcome.conflict.reason !== 'modify-delete' || b === undefined) {
      this.#conflicts.set(path, outcome.conflict);
      return;
    }
    if (o === undefined && t !== undefined) {
      // Ours removed a path theirs modified: did ours rename it?
      const side = await this.#oursSide();
      const rename = await side.findRename(path, b, t.oid !== b.oid);
      if (rename === 'ambiguous') return this.#conflict(path, 'ambiguous-rename', { b, t }, true);
      if (rename !== undefined && !this.#theirsByPath.has(rename.to)) {
        const oursAtTo = await this.#ours.get(rename.to);
        const to = oursAtTo.kind === 'leaf' ? oursAtTo.entry : undefined;
        const merged = await mergeLeaf(this.#store, rename.to, b, to, t, this.#textMergeAllowed);
        if (merged.kind === 'conflict') {
          const { reason, unsupported } = merged.conflict;
          return this.#conflict(rename.to, reason, { b, o: to, t }, unsupported === true);
        }
        return this.#apply(rename.to, merged.entry);
      }
      return this.#conflict(path, 'modify-delete', { b, t }, await side.mayHaveRenamed([b]));
    }
    const maybe = await this.#theirs.mayHaveRenamed([b]);
    this.#conflict(path, 'modify-delete', { b, o, t }, maybe);
  }

  /** Both sides removed `path`: git reports rename/delete when either side renamed it. */
  async #guardBothDeleted(path: string, b: LeafEntry): Promise<void> {
    this.#removals.push(path);
    const ours = await this.#oursSide();
    for (const side of [this.#theirs, ours]) {
      const rename = side.exactRename(path, b.oid);
      if (rename !== undefined && rename !== 'ambiguous' && !this.#identicalAdd(rename.to)) {
        return this.#conflict(rename.to, 'rename-delete', { b });
      }
      if (await side.mayHaveRenamed([b], (p) => this.#identicalAdd(p))) {
        return this.#conflict(path, 'possible-rename', { b }, true);
      }
    }
  }

  /** Theirs adds under a directory ours removed entirely (or the reverse): git may move it. */
  async #guardDirectoryRenames(): Promise<void> {
    for (const c of this.#changes) {
      if (c.a !== undefined || c.b === undefined) continue;
      for (const dir of ancestors(c.path)) {
        if ((await this.#baseView.get(dir)).kind !== 'tree' || (await this.#ours.get(dir)).kind === 'tree') continue;
        const ours = await this.#oursSide();
        const gone = ours.dels.filter((d) => d.path.startsWith(`${dir}/`)).map((d) => d.a!);
        if (await ours.mayHaveRenamed(gone, (p) => p.startsWith(`${dir}/`))) {
          this.#conflict(c.path, 'directory-rename', { t: c.b }, true);
        }
        break;
      }
    }
    const removedDirs = new Set<string>();
    for (const c of this.#theirs.dels) {
      for (const dir of ancestors(c.path)) {
        if ((await this.#theirsView.get(dir)).kind !== 'tree') removedDirs.add(dir);
      }
    }
    for (const dir of removedDirs) {
      const [bd, od] = [await treeOid(this.#baseView, dir), await treeOid(this.#ours, dir)];
      if (bd === undefined || od === undefined || bd === od) continue;
      const gone = this.#theirs.dels.filter((d) => d.path.startsWith(`${dir}/`)).map((d) => d.a!);
      if (!(await this.#theirs.mayHaveRenamed(gone, (p) => p.startsWith(`${dir}/`)))) continue;
      for (const added of await diffTrees(this.#store, bd, od, `${dir}/`)) {
        if (added.a === undefined && added.b !== undefined) {
          this.#conflict(added.path, 'directory-rename', { o: added.b }, true);
        }
      }
    }
  }

  /**
   * A `.gitattributes` on ours or theirs along a path may set a merge driver, `binary` or eol
   * conversion that we do not implement: such paths conflict instead of being text-merged.
   */
  readonly #textMergeAllowed = async (path: string): Promise<boolean> => {
    const dirs = ['', ...ancestors(path)];
    for (const view of [this.#ours, this.#theirsView]) {
      for (const dir of dirs) {
        if ((await view.get(dir ? `${dir}/.gitattributes` : '.gitattributes')).kind === 'leaf') return false;
      }
    }
    return true;
  };

  async #oursLeaf(path: string): Promise<LeafEntry | undefined> {
    const found = await this.#ours.get(path);
    return found.kind === 'leaf' ? found.entry : undefined;
  }

  #oursSide(): Promise<SideRenames> {
    this.#oursRenames ??= diffTrees(this.#store, this.#input.base, this.#input.ours).then(
      (changes) => new SideRenames(this.#store, changes),
    );
    return this.#oursRenames;
  }

  /** Both sides added the same leaf at `path` (both renamed to the same place). */
  #identicalAdd(path: string): boolean {
    const t = this.#theirsByPath.get(path);
    return t?.b !== undefined && t.a === undefined && sameLeaf(t.b, this.#oursAt.get(path));
  }

  #apply(path: string, entry: LeafEntry | undefined): void {
    if (entry === undefined) this.#removals.push(path);
    else this.#sets.push([path, entry]);
  }

  #conflict(
    path: string,
    reason: ConflictReason,
    e: { b?: LeafEntry | undefined; o?: LeafEntry | undefined; t?: LeafEntry | undefined },
    unsupported = false,
  ): void {
    const existing = this.#conflicts.get(path);
    if (existing !== undefined) {
      if (unsupported && !existing.unsupported) this.#conflicts.set(path, { ...existing, unsupported });
      return;
    }
    this.#conflicts.set(path, {
      path,
      reason,
      base: e.b,
      ours: e.o,
      theirs: e.t,
      ...(unsupported ? { unsupported } : {}),
    });
  }
}
