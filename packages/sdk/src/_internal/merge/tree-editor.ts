/**
 * An editable view of one tree: directories along the edited paths are read lazily, edited in
 * memory and written bottom-up; every other subtree keeps its id untouched.
 */
import { isTreeMode, type LeafEntry, type ObjectStore, TREE_MODE, type TreeEntry } from './types.js';

interface Dir {
  /** Entries by name; a loaded subdirectory that may change is kept in `dirs`. */
  readonly entries: Map<string, TreeEntry>;
  readonly dirs: Map<string, Dir>;
  dirty: boolean;
}

/** What a path holds in the edited tree. */
export type Lookup =
  | { readonly kind: 'leaf'; readonly entry: LeafEntry }
  | { readonly kind: 'tree'; readonly oid: string }
  | { readonly kind: 'absent' }
  /** A leaf sits at a prefix of the path (`blockedAt`), so the path cannot exist. */
  | { readonly kind: 'blocked'; readonly blockedAt: string };

/** Edits a tree in memory; `write()` stores the changed directories and returns the root id. */
export class TreeEditor {
  readonly #store: ObjectStore;
  readonly #root: Promise<Dir>;

  constructor(store: ObjectStore, rootTree: string | undefined) {
    this.#store = store;
    this.#root = this.#load(rootTree);
  }

  /** Tells what `path` holds now. */
  async get(path: string): Promise<Lookup> {
    const parts = path.split('/');
    const name = parts.pop()!;
    let dir = await this.#root;
    let at = '';
    for (const part of parts) {
      at += (at ? '/' : '') + part;
      const e = dir.entries.get(part);
      if (e === undefined) return { kind: 'absent' };
      if (!isTreeMode(e.mode)) return { kind: 'blocked', blockedAt: at };
      dir = await this.#child(dir, part, e);
    }
    const e = dir.entries.get(name);
    if (e === undefined) return { kind: 'absent' };
    return isTreeMode(e.mode) ? { kind: 'tree', oid: e.oid } : { kind: 'leaf', entry: { mode: e.mode, oid: e.oid } };
  }

  /** Removes the leaf at `path` (no-op when absent); directories left empty disappear on write. */
  async remove(path: string): Promise<void> {
    const parts = path.split('/');
    const name = parts.pop()!;
    const dir = await this.#dirOf(parts);
    if (dir === undefined) return;
    const e = dir.entries.get(name);
    if (e === undefined || isTreeMode(e.mode)) return;
    dir.entries.delete(name);
    dir.dirty = true;
  }

  /**
   * Sets the leaf at `path`. Returns the path that stands in the way when a leaf occupies a
   * parent position or a non-empty directory occupies `path` (a file/directory conflict).
   */
  async set(path: string, entry: LeafEntry): Promise<string | undefined> {
    const parts = path.split('/');
    const name = parts.pop()!;
    let dir = await this.#root;
    const touched: Dir[] = [dir];
    let at = '';
    for (const part of parts) {
      at += (at ? '/' : '') + part;
      const e = dir.entries.get(part);
      if (e !== undefined && !isTreeMode(e.mode)) return at;
      if (e === undefined) {
        const fresh: Dir = { entries: new Map(), dirs: new Map(), dirty: true };
        dir.entries.set(part, { mode: TREE_MODE, path: part, oid: '', type: 'tree' });
        dir.dirs.set(part, fresh);
        dir = fresh;
      } else {
        dir = await this.#child(dir, part, e);
      }
      touched.push(dir);
    }
    const existing = dir.entries.get(name);
    if (existing !== undefined && isTreeMode(existing.mode)) {
      const sub = await this.#child(dir, name, existing);
      if (!(await this.#isEmpty(sub))) return path;
      dir.dirs.delete(name);
    }
    const type = entry.mode === '160000' ? 'commit' : 'blob';
    dir.entries.set(name, { mode: entry.mode, path: name, oid: entry.oid, type });
    for (const d of touched) d.dirty = true;
    return undefined;
  }

  /** A directory left with only (recursively) empty directories disappears on write. */
  async #isEmpty(dir: Dir): Promise<boolean> {
    for (const [name, e] of dir.entries) {
      if (!isTreeMode(e.mode) || !(await this.#isEmpty(await this.#child(dir, name, e)))) return false;
    }
    return true;
  }

  /** Writes every changed directory and returns the root tree id. */
  async write(): Promise<string> {
    const root = await this.#root;
    return (await this.#write(root)) ?? this.#store.writeTree([]);
  }

  async #write(dir: Dir): Promise<string | undefined> {
    for (const [name, sub] of dir.dirs) {
      if (!sub.dirty && !this.#anyDirty(sub)) continue;
      const oid = await this.#write(sub);
      if (oid === undefined) dir.entries.delete(name);
      else dir.entries.set(name, { mode: TREE_MODE, path: name, oid, type: 'tree' });
      dir.dirty = true;
    }
    if (dir.entries.size === 0) return undefined;
    return this.#store.writeTree([...dir.entries.values()]);
  }

  #anyDirty(dir: Dir): boolean {
    if (dir.dirty) return true;
    for (const sub of dir.dirs.values()) if (this.#anyDirty(sub)) return true;
    return false;
  }

  async #dirOf(parts: readonly string[]): Promise<Dir | undefined> {
    let dir = await this.#root;
    for (const part of parts) {
      const e = dir.entries.get(part);
      if (e === undefined || !isTreeMode(e.mode)) return undefined;
      dir = await this.#child(dir, part, e);
    }
    return dir;
  }

  async #child(dir: Dir, name: string, e: TreeEntry): Promise<Dir> {
    let sub = dir.dirs.get(name);
    if (sub === undefined) {
      sub = await this.#load(e.oid);
      dir.dirs.set(name, sub);
    }
    return sub;
  }

  async #load(oid: string | undefined): Promise<Dir> {
    const entries = new Map<string, TreeEntry>();
    if (oid !== undefined) for (const e of await this.#store.readTree(oid)) entries.set(e.path, e);
    return { entries, dirs: new Map(), dirty: false };
  }
}

/** The directories above a path, outermost first (`a/b/c` → `a`, `a/b`). */
export function ancestors(path: string): string[] {
  const parts = path.split('/');
  return parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join('/'));
}

/** The id a directory had when the view was loaded, if `dir` is a directory. */
export async function treeOid(view: TreeEditor, dir: string): Promise<string | undefined> {
  const found = await view.get(dir);
  return found.kind === 'tree' ? found.oid : undefined;
}
