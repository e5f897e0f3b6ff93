/**
 * Shared types of the local merge engine: the object store it reads and writes through,
 * tree entries, and conflicts as data.
 */

/** One entry of a git tree object. `path` is the entry's name inside its tree. */
export interface TreeEntry {
  readonly mode: string;
  readonly path: string;
  readonly oid: string;
  readonly type: 'blob' | 'tree' | 'commit';
}

/** A normalised git signature (seconds since the epoch, offset in minutes as git stores it). */
export interface GitSignature {
  readonly name: string;
  readonly email: string;
  readonly timestamp: number;
  readonly timezoneOffset: number;
}

/** A parsed commit. */
export interface CommitData {
  readonly tree: string;
  readonly parents: readonly string[];
  readonly author: GitSignature;
  readonly committer: GitSignature;
  readonly message: string;
}

/** Counters of the objects and bytes an object store moved. */
export interface ObjectStoreStats {
  objectsRead: number;
  bytesRead: number;
  objectsWritten: number;
  bytesWritten: number;
}

/**
 * Everything the merge engine needs from a repository. Implemented on a local gitdir now
 * and, later, on a sparse store that fetches objects on demand.
 */
export interface ObjectStore {
  readTree(oid: string): Promise<readonly TreeEntry[]>;
  readBlob(oid: string): Promise<Uint8Array>;
  readCommit(oid: string): Promise<CommitData>;
  writeBlob(data: Uint8Array): Promise<string>;
  writeTree(entries: readonly TreeEntry[]): Promise<string>;
  writeCommit(commit: CommitData): Promise<string>;
  readonly stats: ObjectStoreStats;
}

/** A leaf (non-tree) entry: regular file, executable, symlink or gitlink. */
export interface LeafEntry {
  readonly mode: string;
  readonly oid: string;
}

/**
 * Why a path could not be merged. `possible-rename`, `directory-rename` and `attributes` (a
 * `.gitattributes` file could change how git merges the path) are conservative: git may merge it.
 */
export type ConflictReason =
  | 'content'
  | 'binary'
  | 'modify-delete'
  | 'add-add'
  | 'file-directory'
  | 'mode'
  | 'type'
  | 'symlink'
  | 'submodule'
  | 'rename-delete'
  | 'rename-add'
  | 'rename-rename'
  | 'ambiguous-rename'
  | 'possible-rename'
  | 'directory-rename'
  | 'attributes';

/**
 * One conflicted path, as data for a resolver. `unsupported` marks conflicts the engine
 * raised because it cannot prove git's answer (similarity or directory renames): git may
 * merge such a path cleanly.
 */
export interface MergeConflict {
  readonly path: string;
  readonly reason: ConflictReason;
  readonly base: LeafEntry | undefined;
  readonly ours: LeafEntry | undefined;
  readonly theirs: LeafEntry | undefined;
  /** The merged text with `<<<<<<< ours` / `=======` / `>>>>>>> theirs` markers (text conflicts only). */
  readonly merged?: Uint8Array;
  readonly unsupported?: boolean;
}

export const TREE_MODE = '040000';
export const GITLINK_MODE = '160000';
export const SYMLINK_MODE = '120000';

/** The kind of a leaf entry, from its mode. */
export function leafKind(mode: string): 'file' | 'symlink' | 'gitlink' {
  if (mode === SYMLINK_MODE) return 'symlink';
  if (mode === GITLINK_MODE) return 'gitlink';
  return 'file';
}

export function isTreeMode(mode: string): boolean {
  return mode === TREE_MODE || mode === '40000';
}

export function sameLeaf(a: LeafEntry | undefined, b: LeafEntry | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.mode === b.mode && a.oid === b.oid;
}
