/**
 * Git's loose-object encodings (tree, commit) and object ids, written from git's documented
 * object format: `<type> <size>\0<content>` hashed with SHA-1. Used by the sparse GitLab store
 * to prove what it read (tree ids are recomputed from the listed entries) and to build the
 * objects a push sends.
 */
import { createHash } from 'node:crypto';
import type { CommitData, GitSignature, TreeEntry } from './merge/types.js';

/** The object types a pack carries for a pick. */
export type GitObjectType = 'commit' | 'tree' | 'blob';

/** One encoded object: its id, type and content (without the loose-object header). */
export interface GitObject {
  readonly oid: string;
  readonly type: GitObjectType;
  readonly data: Uint8Array;
}

/** SHA-1 object id of `content` as an object of `type`. */
export function objectId(type: GitObjectType, content: Uint8Array): string {
  return createHash('sha1').update(`${type} ${content.byteLength}\0`).update(content).digest('hex');
}

/** git's tree order: names compare bytewise, a tree's name as if followed by `/`. */
export function sortTreeEntries(entries: readonly TreeEntry[]): TreeEntry[] {
  const key = (e: TreeEntry) => Buffer.from(e.type === 'tree' ? `${e.path}/` : e.path, 'utf8');
  return [...entries].sort((a, b) => Buffer.compare(key(a), key(b)));
}

/** Encodes a tree object: `<mode> <name>\0<20-byte id>` per entry, in git's order. */
export function encodeTree(entries: readonly TreeEntry[]): Uint8Array {
  const parts: Buffer[] = [];
  for (const e of sortTreeEntries(entries)) {
    // Trees are stored as `40000`, without the leading zero listings show.
    const mode = e.type === 'tree' ? '40000' : e.mode.replace(/^0+/, '');
    parts.push(Buffer.from(`${mode} ${e.path}\0`, 'utf8'), Buffer.from(e.oid, 'hex'));
  }
  return Buffer.concat(parts);
}

/** Decodes a tree object written by {@link encodeTree} (or by git). */
export function decodeTree(data: Uint8Array): TreeEntry[] {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const out: TreeEntry[] = [];
  let i = 0;
  while (i < buf.length) {
    const space = buf.indexOf(0x20, i);
    const nul = buf.indexOf(0, space);
    const rawMode = buf.toString('latin1', i, space);
    const path = buf.toString('utf8', space + 1, nul);
    const oid = buf.toString('hex', nul + 1, nul + 21);
    const mode = rawMode.padStart(6, '0');
    const type = mode === '040000' ? 'tree' : mode === '160000' ? 'commit' : 'blob';
    out.push({ mode, path, oid, type });
    i = nul + 21;
  }
  return out;
}

/** git's signature line: `Name <email> <seconds> <±hhmm>` (offset stored as minutes west, like isomorphic-git). */
export function formatSignature(s: GitSignature): string {
  const east = -s.timezoneOffset;
  const sign = east < 0 ? '-' : '+';
  const abs = Math.abs(east);
  const hhmm = `${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
  return `${s.name} <${s.email}> ${s.timestamp} ${sign}${hhmm}`;
}

/** Encodes a commit object (no signature, no extra headers). */
export function encodeCommit(c: CommitData): Uint8Array {
  const lines = [`tree ${c.tree}`, ...c.parents.map((p) => `parent ${p}`)];
  lines.push(`author ${formatSignature(c.author)}`, `committer ${formatSignature(c.committer)}`);
  return Buffer.from(`${lines.join('\n')}\n\n${c.message}`, 'utf8');
}

/** Parses an ISO 8601 time with offset into a git signature's seconds and offset. */
export function signatureFromIso(name: string, email: string, iso: string): GitSignature {
  const m = /([+-])(\d\d):?(\d\d)$/.exec(iso);
  const east = m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
  return { name, email, timestamp: Math.floor(Date.parse(iso) / 1000), timezoneOffset: east === 0 ? 0 : -east };
}
