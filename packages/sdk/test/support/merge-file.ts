/**
 * `git merge-file` as the oracle of the text merge: random base/ours/theirs triples, run in
 * one shell loop, compared with `mergeText` (clean or not; merged bytes when clean).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mergeText } from '../../src/_internal/merge/merge-text.js';
import { type Rng, rng } from './random-repo.js';

const REPETITIVE = ['a\n', 'b\n', 'c\n', '}\n', '\n', 'return x;\n'];

export interface MergeFileTally {
  total: number;
  agree: number;
  oursCleanGitConflict: number;
  oursConflictGitClean: number;
  bothCleanDifferentText: number;
  examples: string[];
}

function triple(r: Rng, repetitive: boolean): [string, string, string] {
  let n = 0;
  const line = () =>
    repetitive ? REPETITIVE[Math.floor(r() * REPETITIVE.length)]! : `line ${n++} ${r().toString(36).slice(2, 6)}\n`;
  const base = Array.from({ length: 3 + Math.floor(r() * 12) }, line);
  const mutate = (): string[] => {
    const out = [...base];
    for (let e = 1 + Math.floor(r() * 3); e > 0; e--) {
      const p = Math.floor(r() * (out.length + 1));
      const k = r();
      if (k < 0.33) out.splice(p, 0, line());
      else if (k < 0.66) out.splice(p, 1);
      else out.splice(p, 1, line());
    }
    return out;
  };
  return [base.join(''), mutate().join(''), mutate().join('')];
}

/** Compares `mergeText` with `git merge-file -p` on `count` seeded triples. */
export function mergeFileAgreement(seed: number, count: number, repetitive: boolean): MergeFileTally {
  const r = rng(seed);
  const dir = mkdtempSync(join(tmpdir(), 'merge-file-'));
  const triples = Array.from({ length: count }, () => triple(r, repetitive));
  triples.forEach(([b, o, t], i) => {
    writeFileSync(join(dir, `${i}.b`), b, 'latin1');
    writeFileSync(join(dir, `${i}.o`), o, 'latin1');
    writeFileSync(join(dir, `${i}.t`), t, 'latin1');
  });
  const script = `for i in $(seq 0 ${count - 1}); do git merge-file -p $i.o $i.b $i.t > $i.m; echo "$i $?"; done`;
  const res = spawnSync('sh', ['-c', script], { cwd: dir, encoding: 'utf8' });
  const status = new Map(
    res.stdout
      .trim()
      .split('\n')
      .map((l) => l.split(' ').map(Number) as [number, number]),
  );
  const tally: MergeFileTally = {
    total: count,
    agree: 0,
    oursCleanGitConflict: 0,
    oursConflictGitClean: 0,
    bothCleanDifferentText: 0,
    examples: [],
  };
  triples.forEach(([b, o, t], i) => {
    const gitClean = status.get(i) === 0;
    const ours = mergeText(b, o, t);
    const gitText = readFileSync(join(dir, `${i}.m`), 'latin1');
    if (ours.clean === gitClean && (!gitClean || ours.text === gitText)) {
      tally.agree++;
      return;
    }
    if (ours.clean && !gitClean) tally.oursCleanGitConflict++;
    else if (!ours.clean) tally.oursConflictGitClean++;
    else tally.bothCleanDifferentText++;
    if (tally.examples.length < 3) tally.examples.push(JSON.stringify({ b, o, t, git: gitText, ours: ours.text }));
  });
  return tally;
}
