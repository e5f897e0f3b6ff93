/**
 * Git's per-path rules for one leaf (file, symlink or gitlink) seen on base, ours and theirs:
 * identical → take; one side changed → take it; both changed → mode and content merged
 * separately, content with a byte-exact diff3 unless binary, symlink or gitlink.
 */
import { mergeText } from './merge-text.js';
import {
  type ConflictReason,
  type LeafEntry,
  leafKind,
  type MergeConflict,
  type ObjectStore,
  sameLeaf,
} from './types.js';

/** The outcome for one path: the entry to keep (undefined = absent) or a conflict. */
export type LeafOutcome =
  | { readonly kind: 'take'; readonly entry: LeafEntry | undefined }
  | { readonly kind: 'conflict'; readonly conflict: MergeConflict };

/** git's binary test: a NUL byte in the first 8000 bytes. */
export function isBinary(data: Uint8Array): boolean {
  const n = Math.min(data.byteLength, 8000);
  for (let i = 0; i < n; i++) if (data[i] === 0) return true;
  return false;
}

/** Merges one leaf path. */
export async function mergeLeaf(
  store: ObjectStore,
  path: string,
  base: LeafEntry | undefined,
  ours: LeafEntry | undefined,
  theirs: LeafEntry | undefined,
  textMergeAllowed: (path: string) => Promise<boolean> = async () => true,
): Promise<LeafOutcome> {
  if (sameLeaf(ours, theirs)) return { kind: 'take', entry: ours };
  if (sameLeaf(base, ours)) return { kind: 'take', entry: theirs };
  if (sameLeaf(base, theirs)) return { kind: 'take', entry: ours };
  const conflict = (reason: ConflictReason, merged?: Uint8Array): LeafOutcome => ({
    kind: 'conflict',
    conflict: { path, reason, base, ours, theirs, ...(merged ? { merged } : {}) },
  });
  if (ours === undefined || theirs === undefined) return conflict('modify-delete');
  if (base === undefined) return conflict('add-add', await addAddMarkers(store, ours, theirs));
  const kind = leafKind(ours.mode);
  if (kind !== leafKind(theirs.mode)) return conflict('type');
  let mode: string;
  if (ours.mode === base.mode) mode = theirs.mode;
  else if (theirs.mode === base.mode || ours.mode === theirs.mode) mode = ours.mode;
  else return conflict('mode');
  let oid: string;
  if (ours.oid === theirs.oid || theirs.oid === base.oid) oid = ours.oid;
  else if (ours.oid === base.oid) oid = theirs.oid;
  else if (kind === 'gitlink') return conflict('submodule');
  else if (kind === 'symlink') return conflict('symlink');
  else if (leafKind(base.mode) !== 'file') return conflict('type');
  else if (!(await textMergeAllowed(path))) {
    return { kind: 'conflict', conflict: { path, reason: 'attributes', base, ours, theirs, unsupported: true } };
  } else {
    const [b, o, t] = await Promise.all([
      store.readBlob(base.oid),
      store.readBlob(ours.oid),
      store.readBlob(theirs.oid),
    ]);
    if (isBinary(b) || isBinary(o) || isBinary(t)) return conflict('binary');
    const result = mergeText(latin1(b), latin1(o), latin1(t));
    const bytes = Buffer.from(result.text, 'latin1');
    const data = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (!result.clean) return conflict('content', data);
    oid = await store.writeBlob(data);
  }
  return { kind: 'take', entry: { mode, oid } };
}

function latin1(data: Uint8Array): string {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('latin1');
}

/** Both sides added different text files: the whole files, between markers, for a resolver. */
async function addAddMarkers(store: ObjectStore, ours: LeafEntry, theirs: LeafEntry): Promise<Uint8Array | undefined> {
  if (leafKind(ours.mode) !== 'file' || leafKind(theirs.mode) !== 'file' || ours.oid === theirs.oid) return undefined;
  const [o, t] = await Promise.all([store.readBlob(ours.oid), store.readBlob(theirs.oid)]);
  if (isBinary(o) || isBinary(t)) return undefined;
  return Buffer.from(mergeText('', latin1(o), latin1(t)).text, 'latin1');
}
