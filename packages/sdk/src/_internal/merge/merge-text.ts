/**
 * Three-way line merge (diff3) on latin1-decoded text, so every byte maps to one char and back.
 * Hunks of the two diffs (base→ours, base→theirs) that overlap or touch form one region, as in
 * git's xdiff: such a region is clean only when both sides produced the same lines.
 */
import { diffLines, type Hunk, splitLines } from './line-diff.js';

/** The result of a text merge: the merged text, with conflict markers when not clean. */
export interface TextMergeResult {
  readonly clean: boolean;
  readonly text: string;
  readonly conflicts: number;
}

/** Marker labels; git's `<<<<<<< ours` / `>>>>>>> theirs` by default. */
export interface MergeLabels {
  readonly ours: string;
  readonly theirs: string;
}

interface SideHunk extends Hunk {
  readonly side: 0 | 1;
}

/** Merges `ours` and `theirs` against `base`, line by line, byte-exact. */
export function mergeText(
  base: string,
  ours: string,
  theirs: string,
  labels: MergeLabels = { ours: 'ours', theirs: 'theirs' },
): TextMergeResult {
  const b = splitLines(base);
  const sides = [splitLines(ours), splitLines(theirs)] as const;
  const hunks: SideHunk[] = [
    ...diffLines(b, sides[0]).map((h) => ({ ...h, side: 0 as const })),
    ...diffLines(b, sides[1]).map((h) => ({ ...h, side: 1 as const })),
  ].sort((x, y) => x.aStart - y.aStart || x.aEnd - y.aEnd);
  const out: string[] = [];
  const delta = [0, 0];
  let pos = 0;
  let conflicts = 0;
  let i = 0;
  while (i < hunks.length) {
    const first = hunks[i]!;
    let start = first.aStart;
    let end = first.aEnd;
    const members: SideHunk[] = [first];
    i++;
    while (i < hunks.length && hunks[i]!.aStart <= end) {
      const h = hunks[i]!;
      members.push(h);
      start = Math.min(start, h.aStart);
      end = Math.max(end, h.aEnd);
      i++;
    }
    for (let k = pos; k < start; k++) out.push(b[k]!);
    const texts = [0, 1].map((s) => {
      const mine = members.filter((h) => h.side === s);
      const from = start + delta[s]!;
      for (const h of mine) delta[s]! += h.bEnd - h.bStart - (h.aEnd - h.aStart);
      return sides[s as 0 | 1].slice(from, end + delta[s]!);
    });
    const [o, t] = texts as [string[], string[]];
    const oneSided = members.every((h) => h.side === members[0]!.side);
    if (oneSided) {
      out.push(...(members[0]!.side === 0 ? o : t));
    } else if (o.join('') === t.join('')) {
      out.push(...o);
    } else {
      conflicts++;
      pushConflict(out, o, t, labels);
    }
    pos = end;
  }
  for (let k = pos; k < b.length; k++) out.push(b[k]!);
  return { clean: conflicts === 0, text: out.join(''), conflicts };
}

/** Writes one conflict, keeping lines both sides share at its edges outside the markers. */
function pushConflict(out: string[], o: string[], t: string[], labels: MergeLabels): void {
  let head = 0;
  while (head < o.length && head < t.length && o[head] === t[head]) head++;
  let tail = 0;
  while (tail < o.length - head && tail < t.length - head && o[o.length - 1 - tail] === t[t.length - 1 - tail]) tail++;
  out.push(...o.slice(0, head));
  const eol = (o[0] ?? t[0] ?? '\n').endsWith('\r\n') ? '\r\n' : '\n';
  const section = (lines: string[]): void => {
    for (const line of lines) out.push(line);
    const last = lines[lines.length - 1];
    if (last !== undefined && !last.endsWith('\n')) out.push(eol);
  };
  out.push(`<<<<<<< ${labels.ours}${eol}`);
  section(o.slice(head, o.length - tail));
  out.push(`=======${eol}`);
  section(t.slice(head, t.length - tail));
  out.push(`>>>>>>> ${labels.theirs}${eol}`);
  out.push(...o.slice(o.length - tail));
}
