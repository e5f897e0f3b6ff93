/**
 * The patch between two trees read through the object store, printed as
 * `git diff --no-renames --full-index <a> <b>` prints it (3 lines of context), and its
 * patch-id. Used for local objects; the hunks come from our own line diff.
 */
import { diffLines, type Hunk, splitLines } from '../merge/line-diff.js';
import { isBinary } from '../merge/merge-leaf.js';
import { diffTrees, type LeafChange } from '../merge/tree-diff.js';
import { GITLINK_MODE, type LeafEntry, leafKind, type ObjectStore } from '../merge/types.js';
import { patchId } from '../patch-id.js';

const ZERO = '0'.repeat(40);
const CONTEXT = 3;

/** `git patch-id --stable` of the change from tree `a` to tree `b` (absent = empty tree). */
export async function patchIdOfTrees(store: ObjectStore, a: string | undefined, b: string | undefined) {
  return patchId(await treePatch(store, a, b));
}

/** The unified diff from tree `a` to tree `b`, without rename detection, with full blob ids. */
export async function treePatch(store: ObjectStore, a: string | undefined, b: string | undefined): Promise<string> {
  const changes = (await diffTrees(store, a, b)).sort((x, y) =>
    Buffer.compare(Buffer.from(x.path), Buffer.from(y.path)),
  );
  const out: string[] = [];
  for (const c of changes) {
    // A type change (file ↔ symlink ↔ gitlink) prints as a deletion, then a creation.
    if (c.a && c.b && leafKind(c.a.mode) !== leafKind(c.b.mode)) {
      out.push(await filePatch(store, { path: c.path, a: c.a, b: undefined }));
      out.push(await filePatch(store, { path: c.path, a: undefined, b: c.b }));
    } else {
      out.push(await filePatch(store, c));
    }
  }
  return out.join('');
}

async function filePatch(store: ObjectStore, c: LeafChange): Promise<string> {
  const { path, a, b } = c;
  const lines = [`diff --git a/${path} b/${path}`];
  if (!a) lines.push(`new file mode ${b!.mode}`);
  else if (!b) lines.push(`deleted file mode ${a.mode}`);
  else if (a.mode !== b.mode) lines.push(`old mode ${a.mode}`, `new mode ${b.mode}`);
  if (a && b && a.oid === b.oid) return `${lines.join('\n')}\n`;
  const sameMode = a && b && a.mode === b.mode ? ` ${a.mode}` : '';
  lines.push(`index ${a?.oid ?? ZERO}..${b?.oid ?? ZERO}${sameMode}`);
  const [x, y] = await Promise.all([content(store, a), content(store, b)]);
  if (isBinary(x) || isBinary(y)) {
    lines.push(`Binary files ${a ? `a/${path}` : '/dev/null'} and ${b ? `b/${path}` : '/dev/null'} differ`);
    return `${lines.join('\n')}\n`;
  }
  const left = splitLines(Buffer.from(x).toString('latin1'));
  const right = splitLines(Buffer.from(y).toString('latin1'));
  if (left.length === 0 && right.length === 0) return `${lines.join('\n')}\n`;
  lines.push(a ? `--- a/${path}` : '--- /dev/null', b ? `+++ b/${path}` : '+++ /dev/null');
  return `${lines.join('\n')}\n${hunks(left, right, diffLines(left, right))}`;
}

async function content(store: ObjectStore, e: LeafEntry | undefined): Promise<Uint8Array> {
  if (!e) return new Uint8Array();
  if (e.mode === GITLINK_MODE) return Buffer.from(`Subproject commit ${e.oid}\n`);
  return store.readBlob(e.oid);
}

/** Groups changes whose context would touch or overlap into one hunk, as git does. */
function hunks(a: readonly string[], b: readonly string[], changes: readonly Hunk[]): string {
  let out = '';
  let i = 0;
  while (i < changes.length) {
    let j = i;
    while (j + 1 < changes.length && changes[j + 1]!.aStart - changes[j]!.aEnd <= 2 * CONTEXT) j++;
    const first = changes[i]!;
    const last = changes[j]!;
    const aFrom = Math.max(0, first.aStart - CONTEXT);
    const aTo = Math.min(a.length, last.aEnd + CONTEXT);
    const bFrom = first.bStart - (first.aStart - aFrom);
    const bTo = last.bEnd + (aTo - last.aEnd);
    out += `@@ -${range(aFrom, aTo - aFrom)} +${range(bFrom, bTo - bFrom)} @@\n`;
    let pos = aFrom;
    for (let k = i; k <= j; k++) {
      const h = changes[k]!;
      for (; pos < h.aStart; pos++) out += line(' ', a[pos]!);
      for (let p = h.aStart; p < h.aEnd; p++) out += line('-', a[p]!);
      for (let p = h.bStart; p < h.bEnd; p++) out += line('+', b[p]!);
      pos = h.aEnd;
    }
    for (; pos < aTo; pos++) out += line(' ', a[pos]!);
    i = j + 1;
  }
  return out;
}

function line(prefix: string, text: string): string {
  return text.endsWith('\n') ? `${prefix}${text}` : `${prefix}${text}\n\\ No newline at end of file\n`;
}

function range(start: number, count: number): string {
  if (count === 0) return `${start},0`;
  return count === 1 ? `${start + 1}` : `${start + 1},${count}`;
}
