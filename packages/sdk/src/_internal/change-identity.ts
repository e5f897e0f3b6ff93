/**
 * Content identity of a change: the one comparison that decides whether two commits (or two
 * ranges) carry the same change. Used by the drift check (S3, E1, R3), by the release scan
 * that recognises a pick made without the trailer, and meant for naming foreign commits in a
 * deployment: extend it, do not write a second one.
 *
 * - Path by path, the changed lines are compared exactly (whitespace included); context and
 *   hunk positions are ignored, so the same change onto another base matches.
 * - Where both sides carry every file's diff, git's patch-id (`--stable`) of each is reported
 *   as well. It is not the verdict: git strips whitespace before hashing (a re-indented pick
 *   has the same patch-id) and hashes context (a pick onto another base has another one).
 * - Where GitLab omitted a file's diff (`too_large`, `collapsed`, an empty `diff`) or the file
 *   is binary, the two versions of the file are read through the object store: text is diffed
 *   locally, binary files compare by their blob ids before and after.
 */
import { changeDigest, changeDigestOfContents, changeShape } from './change-digest.js';
import { StoreError } from './gitlab-object-store.js';
import { isBinary } from './merge/merge-leaf.js';
import { type GitLabFileDiff, patchIdOfGitLabDiffs } from './patch-id/gitlab-patch.js';
import type { GitLabDiff } from './schemas.js';

/** Reads the blob at a path of a commit (GitLab's tree API is keyed by commit and path). */
export interface BlobReader {
  prefetch(commit: string, paths: readonly string[]): Promise<Map<string, string>>;
  readBlob(oid: string): Promise<Uint8Array>;
}

/** One side of a comparison: the diff from `parent` to `commit`, as GitLab returned it. */
export interface ChangeSource {
  /** The commit (or range head) the diff leads to. */
  readonly commit: string;
  /** The commit (or range base) the diff starts from; absent for a root commit. */
  readonly parent: string | undefined;
  readonly files: readonly DiffFile[];
}

/** The fields of a GitLab diff the comparison reads. */
export type DiffFile = Pick<
  GitLabDiff,
  'old_path' | 'new_path' | 'diff' | 'new_file' | 'deleted_file' | 'renamed_file' | 'a_mode' | 'b_mode'
> &
  Partial<Pick<GitLabDiff, 'too_large' | 'collapsed'>>;

/** How one path compares. */
export interface PathComparison {
  readonly path: string;
  /** `only-left` / `only-right`: the path is changed by one side only. */
  readonly status: 'match' | 'differs' | 'only-left' | 'only-right';
}

/** The verdict of {@link compareChanges}. */
export interface ChangeComparison {
  readonly same: boolean;
  readonly paths: readonly PathComparison[];
  /** Both sides' `git patch-id --stable`, when both could be computed exactly. */
  readonly patchIds?: { readonly left: string; readonly right: string; readonly equal: boolean };
}

/** Whether GitLab left out the text of a file's change (so the blobs must be compared). */
export function diffOmitted(f: DiffFile): boolean {
  return f.too_large === true || f.collapsed === true || f.diff === '' || /^Binary files /m.test(f.diff);
}

/** The path a file's change is keyed by: the new path, or the old one for a deletion. */
export function changePath(f: Pick<DiffFile, 'old_path' | 'new_path' | 'deleted_file'>): string {
  return f.deleted_file ? f.old_path : f.new_path;
}

/**
 * The blob ids of `files` on both sides of the change, read in one prefetch per side: before
 * (the parent; none for a root commit or an added file) and after (none for a deleted file).
 */
function bothSides(
  store: BlobReader,
  source: ChangeSource,
  files: readonly DiffFile[],
): Promise<[Map<string, string>, Map<string, string>]> {
  return Promise.all([
    source.parent === undefined
      ? new Map<string, string>()
      : unwrap(
          store.prefetch(
            source.parent,
            files.filter((f) => !f.new_file).map((f) => f.old_path),
          ),
        ),
    unwrap(
      store.prefetch(
        source.commit,
        files.filter((f) => !f.deleted_file).map((f) => f.new_path),
      ),
    ),
  ]);
}

/**
 * The identity of each path's change: a digest of its exact changed lines (from GitLab's diff
 * text, or from the blobs where it was omitted) plus its mode, rename and deletion.
 * Throws the `HotfixError` of a failed blob read.
 */
export async function changeIdentity(store: BlobReader, source: ChangeSource): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const omitted = source.files.filter(diffOmitted);
  const [before, after] = await bothSides(store, source, omitted);
  for (const f of source.files) {
    let digest: string;
    if (!diffOmitted(f)) digest = changeDigest(f.diff);
    else {
      const a = f.new_file ? undefined : before.get(f.old_path);
      const b = f.deleted_file ? undefined : after.get(f.new_path);
      const [x, y] = await Promise.all([read(store, a), read(store, b)]);
      // A pure rename or mode change of any file changes no content, whatever its bytes.
      if (a !== undefined && a === b) digest = changeDigest('');
      else
        digest =
          isBinary(x) || isBinary(y)
            ? `binary:${a ?? ''}>${b ?? ''}`
            : changeDigestOfContents(Buffer.from(x).toString('utf8'), Buffer.from(y).toString('utf8'));
    }
    out.set(changePath(f), `${digest}${changeShape(f)}`);
  }
  return out;
}

/**
 * Compares two changes (see the module comment). `ignorePaths` are paths whose content was
 * resolved by hand (D3): they must be changed on both sides, but their content may differ.
 * Throws the `HotfixError` of a failed blob read.
 */
export async function compareChanges(
  store: BlobReader,
  left: ChangeSource,
  right: ChangeSource,
  options: { readonly ignorePaths?: readonly string[] } = {},
): Promise<ChangeComparison> {
  const [l, r, ids] = await Promise.all([
    changeIdentity(store, left),
    changeIdentity(store, right),
    exactPatchIds(store, left, right),
  ]);
  return { ...compareIdentities(l, r, new Set(options.ignorePaths ?? [])), ...(ids ? { patchIds: ids } : {}) };
}

/**
 * `git patch-id --stable` of both sides, when both can be computed exactly: binary files get
 * their blob ids from the store (GitLab's payload lacks them); an omitted text diff or a
 * rename with edits (git hashes its similarity index) leaves it undefined.
 * Throws the `HotfixError` of a failed blob read.
 */
export async function exactPatchIds(
  store: BlobReader,
  left: ChangeSource,
  right: ChangeSource,
): Promise<{ left: string; right: string; equal: boolean } | undefined> {
  if ([...left.files, ...right.files].some((f) => f.too_large === true || f.collapsed === true)) return undefined;
  const [l, r] = await Promise.all([withBlobIds(store, left), withBlobIds(store, right)]);
  if (l === undefined || r === undefined) return undefined;
  const [a, b] = [patchIdOfGitLabDiffs(l), patchIdOfGitLabDiffs(r)];
  if (!a.exact || !b.exact || a.id === undefined || b.id === undefined) return undefined;
  return { left: a.id, right: b.id, equal: a.id === b.id };
}

const ZERO_OID = '0'.repeat(40);
const EMPTY_BLOB = 'e69de29bb2d1d6434b8b29ae775ad8c2e48c5391';

/**
 * The files with the blob ids git would print for binary files; `undefined` when an empty
 * `diff` hides a content change (GitLab omitted it without saying so): only a rename, a mode
 * change or an empty file may have no diff text.
 */
async function withBlobIds(store: BlobReader, source: ChangeSource): Promise<GitLabFileDiff[] | undefined> {
  const binary = (f: DiffFile) => /^Binary files /m.test(f.diff);
  const needed = source.files.filter((f) => binary(f) || f.diff === '');
  if (needed.length === 0) return [...source.files];
  const [before, after] = await bothSides(store, source, needed);
  const out: GitLabFileDiff[] = [];
  for (const f of source.files) {
    if (!needed.includes(f)) {
      out.push(f);
      continue;
    }
    const a = (f.new_file ? undefined : before.get(f.old_path)) ?? ZERO_OID;
    const b = (f.deleted_file ? undefined : after.get(f.new_path)) ?? ZERO_OID;
    if (binary(f)) out.push({ ...f, blob_ids: [a, b] });
    else if (a === b || (f.new_file && b === EMPTY_BLOB) || (f.deleted_file && a === EMPTY_BLOB)) out.push(f);
    else return undefined;
  }
  return out;
}

/** Compares two identities path by path. */
export function compareIdentities(
  left: ReadonlyMap<string, string>,
  right: ReadonlyMap<string, string>,
  ignore: ReadonlySet<string> = new Set(),
): { same: boolean; paths: PathComparison[] } {
  const paths: PathComparison[] = [];
  for (const [path, digest] of left) {
    const other = right.get(path);
    if (other === undefined) paths.push({ path, status: 'only-left' });
    else paths.push({ path, status: other === digest || ignore.has(path) ? 'match' : 'differs' });
  }
  for (const path of right.keys()) if (!left.has(path)) paths.push({ path, status: 'only-right' });
  return { same: paths.every((p) => p.status === 'match'), paths };
}

async function read(store: BlobReader, oid: string | undefined): Promise<Uint8Array> {
  return oid === undefined ? new Uint8Array() : unwrap(store.readBlob(oid));
}

async function unwrap<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    throw e instanceof StoreError ? e.error : e;
  }
}
