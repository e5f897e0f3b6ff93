import { createHash, type Hash } from 'node:crypto';
import { diffLines, splitLines } from './merge/line-diff.js';

/**
 * A digest of what a unified diff of one file changes: its removed and added lines in
 * order, byte for byte (whitespace included: a re-indented line is a different change),
 * plus git's "no newline at end of file" markers. Context lines and hunk positions are
 * ignored, so the same change onto a different base still agrees, which `git patch-id`
 * (it hashes context) would miss.
 */
export function changeDigest(diff: string): string {
  const h = createHash('sha256');
  let previous: string | undefined;
  let inHunks = false;
  for (const line of diff.split('\n')) {
    // File headers (`---`/`+++`, when present) precede the first hunk; after it a line
    // such as `--- x` is a removed `-- x`, not a header.
    if (!inHunks) inHunks = line.startsWith('@@');
    if (!inHunks) continue;
    const sign = line[0];
    // The marker belongs to the line before it; it counts only after a changed line.
    if (sign === '\\' && (previous === '+' || previous === '-')) h.update('\\\n');
    previous = sign;
    if (sign !== '+' && sign !== '-') continue;
    changed(h, sign, line.slice(1));
  }
  return h.digest('hex');
}

/**
 * The same digest as {@link changeDigest}, computed from the two versions of the file
 * (used where GitLab omitted the diff). Lines are diffed with our git-compatible line diff.
 */
export function changeDigestOfContents(before: string, after: string): string {
  const a = splitLines(before);
  const b = splitLines(after);
  const h = createHash('sha256');
  const emit = (sign: '+' | '-', line: string) => {
    const open = !line.endsWith('\n');
    changed(h, sign, open ? line : line.slice(0, -1));
    if (open) h.update('\\\n');
  };
  for (const hunk of diffLines(a, b)) {
    for (let i = hunk.aStart; i < hunk.aEnd; i++) emit('-', a[i]!);
    for (let i = hunk.bStart; i < hunk.bEnd; i++) emit('+', b[i]!);
  }
  return h.digest('hex');
}

function changed(h: Hash, sign: string, text: string): void {
  h.update(sign);
  h.update(text);
  h.update('\n');
}

/** What besides the changed lines makes a file's change: mode, rename, deletion. */
export function changeShape(d: {
  old_path: string;
  new_path: string;
  deleted_file: boolean;
  renamed_file: boolean;
  b_mode?: string | null | undefined;
  a_mode?: string | null | undefined;
}): string {
  const modes = d.a_mode !== d.b_mode ? `|mode:${d.a_mode ?? ''}>${d.b_mode ?? ''}` : '';
  const rename = d.renamed_file ? `|rename:${d.old_path}>${d.new_path}` : '';
  return `${modes}${rename}${d.deleted_file ? '|deleted' : ''}`;
}
