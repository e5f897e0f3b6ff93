/**
 * Compares our local pick/revert with native git on generated cases and tallies the verdicts.
 * `wrong-clean` (we are clean, git is not or has another tree) and `mismatch` (both conflict on
 * different paths, or we conflict where git is clean, without an `unsupported` flag) are
 * failures; `unsupported` counts conflicts we raise conservatively where git may differ.
 */
import { join } from 'node:path';
import { cherryPickLocal } from '../../src/primitives/cherry-pick-local.js';
import { revertLocal } from '../../src/primitives/revert-local.js';
import { type ImportedCase, importCases, initRepo, type NativeResult, nativeBatch } from './native-git.js';
import { randomCase } from './random-repo.js';

export type Verdict = 'same-tree' | 'same-conflict' | 'unsupported' | 'wrong-clean' | 'mismatch';

export interface OracleTally {
  cases: number;
  sameTree: number;
  sameConflict: number;
  unsupported: number;
  failures: { index: number; mode: string; verdict: Verdict; detail: string }[];
  unsupportedReasons: Record<string, number>;
  nativeMs: number;
  oursMs: number;
}

/** Runs `count` seeded cases (each as a pick and as a revert) against native git. */
export async function runOracle(seed: number, count: number, offset = 0): Promise<OracleTally> {
  const dir = initRepo();
  const gitdir = join(dir, '.git');
  const cases = Array.from({ length: count }, (_, k) => randomCase(seed, k + offset));
  const imported = importCases(dir, cases, offset);
  const tally: OracleTally = {
    cases: 0,
    sameTree: 0,
    sameConflict: 0,
    unsupported: 0,
    failures: [],
    unsupportedReasons: {},
    nativeMs: 0,
    oursMs: 0,
  };
  const cache = {};
  const t0 = performance.now();
  const jobs = imported.flatMap((c) => [
    { mode: 'pick' as const, ref: c.oursRef, commit: c.picked },
    { mode: 'revert' as const, ref: c.revertRef, commit: c.picked },
  ]);
  const natives = nativeBatch(dir, jobs);
  tally.nativeMs += performance.now() - t0;
  for (const [k, c] of imported.entries()) {
    for (const mode of ['pick', 'revert'] as const) {
      tally.cases++;
      const native = natives[2 * k + (mode === 'pick' ? 0 : 1)]!;
      const { verdict, detail, reasons } = await compare(dir, gitdir, mode, c, native, cache, tally);
      if (verdict === 'same-tree') tally.sameTree++;
      else if (verdict === 'same-conflict') tally.sameConflict++;
      else if (verdict === 'unsupported') {
        tally.unsupported++;
        for (const r of reasons) tally.unsupportedReasons[r] = (tally.unsupportedReasons[r] ?? 0) + 1;
      } else tally.failures.push({ index: k + offset, mode, verdict, detail });
    }
  }
  return tally;
}

async function compare(
  dir: string,
  gitdir: string,
  mode: 'pick' | 'revert',
  c: ImportedCase,
  native: NativeResult,
  cache: object,
  timing: { oursMs: number },
) {
  const ref = mode === 'pick' ? c.oursRef : c.revertRef;
  const t1 = performance.now();
  const options = { gitdir, ref, commit: c.picked, committer: { name: 'T', email: 't@example.com' }, cache };
  const ours = await (mode === 'pick' ? cherryPickLocal(options) : revertLocal(options));
  timing.oursMs += performance.now() - t1;
  if (ours.isErr())
    return { verdict: 'mismatch' as const, detail: `error ${JSON.stringify(ours.error.details)}`, reasons: [] };
  const v = ours.value;
  const reasons =
    v.kind === 'conflict' ? [...new Set(v.conflicts.filter((x) => x.unsupported).map((x) => x.reason))] : [];
  if (v.kind !== 'conflict') {
    const tree = v.kind === 'clean' ? v.tree : undefined;
    if (native.kind === 'clean' && (tree === native.tree || (tree === undefined && v.kind === 'empty'))) {
      if (tree === undefined && !(await isTreeOf(dir, ref, native.tree))) {
        return { verdict: 'wrong-clean' as const, detail: 'empty but git changed the tree', reasons };
      }
      return { verdict: 'same-tree' as const, detail: '', reasons };
    }
    return { verdict: 'wrong-clean' as const, detail: JSON.stringify({ native, ours: v.kind }), reasons };
  }
  const paths = [...new Set(v.conflicts.map((x) => x.path))].sort();
  if (native.kind === 'conflict' && JSON.stringify(paths) === JSON.stringify(native.paths)) {
    return { verdict: 'same-conflict' as const, detail: '', reasons };
  }
  // Unsupported only when every path we add beyond git's is one we flagged as unsupported.
  const nativePaths = new Set(native.kind === 'conflict' ? native.paths : []);
  const extra = v.conflicts.filter((x) => !nativePaths.has(x.path));
  if (reasons.length > 0 && extra.every((x) => x.unsupported))
    return { verdict: 'unsupported' as const, detail: '', reasons };
  const detail = JSON.stringify({ native, ours: v.conflicts.map((x) => `${x.path}:${x.reason}`) });
  return { verdict: 'mismatch' as const, detail, reasons };
}

async function isTreeOf(dir: string, ref: string, tree: string): Promise<boolean> {
  const { gitOk } = await import('./native-git.js');
  return gitOk(dir, ['rev-parse', `${ref}^{tree}`]).trim() === tree;
}
