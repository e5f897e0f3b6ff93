/**
 * Hand-written merge scenarios: a base, a release (ours) and a picked commit (theirs) given as
 * small file maps, imported into a fresh repository and picked by native git and by us.
 */
import { join } from 'node:path';
import type { LocalPickResult } from '../../src/primitives/cherry-pick-local/local-pick.js';
import { cherryPickLocal } from '../../src/primitives/cherry-pick-local.js';
import { revertLocal } from '../../src/primitives/revert-local.js';
import { FastImport, gitOk, initRepo, type NativeResult, nativeBatch } from './native-git.js';
import type { FileState, RepoState } from './random-repo.js';

/** A file's content, or a mode and content (`120000` symlink target, `160000` commit id). */
export type Spec = Record<string, string | Buffer | { mode: string; data: string | Buffer }>;

export function state(spec: Spec): RepoState {
  const out = new Map<string, FileState>();
  for (const [path, v] of Object.entries(spec)) {
    if (typeof v === 'string' || Buffer.isBuffer(v))
      out.set(path, { mode: '100644', data: Buffer.from(v as never, 'latin1') });
    else out.set(path, { mode: v.mode, data: Buffer.from(v.data as never, 'latin1') });
  }
  return out;
}

export interface ScenarioRun {
  readonly gitdir: string;
  readonly dir: string;
  readonly picked: string;
  readonly releaseTree: string;
  readonly native: NativeResult;
  readonly ours: LocalPickResult;
  readonly nativeRevert: NativeResult;
  readonly oursRevert: LocalPickResult;
}

/**
 * Imports base B, release O (from B) and pick C (from B; or, with `merge`, a merge commit of
 * `side` into B picked with mainline 1), then picks C onto O and reverts C on O, natively
 * (`--no-commit` + `write-tree`) and with our engine.
 */
export async function runScenario(base: Spec, ours: Spec, theirs: Spec, merge?: { side: Spec }): Promise<ScenarioRun> {
  const dir = initRepo('merge-scenario-');
  const fi = new FastImport();
  const b = fi.commit('refs/heads/base', state(base), undefined, 'base');
  fi.commit('refs/heads/release', state(ours), b, 'release');
  let c: number;
  if (merge) {
    const side = fi.commit('refs/heads/side', state(merge.side), b, 'side');
    c = fi.commit('refs/heads/picked', state(theirs), b, 'merge side', [side]);
  } else {
    c = fi.commit('refs/heads/picked', state(theirs), b, 'the pick\n\nwith a body');
  }
  const picked = fi.run(dir).get(c)!;
  const [native, nativeRevert] = nativeBatch(
    dir,
    merge
      ? [
          { mode: 'pick', ref: 'release', commit: `-m 1 ${picked}` },
          { mode: 'revert', ref: 'release', commit: `-m 1 ${picked}` },
        ]
      : [
          { mode: 'pick', ref: 'release', commit: picked },
          { mode: 'revert', ref: 'release', commit: picked },
        ],
  ) as [NativeResult, NativeResult];
  const gitdir = join(dir, '.git');
  const options = {
    gitdir,
    commit: picked,
    committer: { name: 'Tester', email: 'tester@example.com', date: '2026-11-30T01:00:00Z' },
    ...(merge ? { mainline: 1 } : {}),
  };
  const mine = await cherryPickLocal({ ...options, ref: 'release' });
  const mineRevert = await revertLocal({ ...options, ref: 'release' });
  if (mine.isErr()) throw new Error(mine.error.message);
  if (mineRevert.isErr()) throw new Error(mineRevert.error.message);
  const releaseTree = gitOk(dir, ['rev-parse', 'release^{tree}']).trim();
  return { gitdir, dir, picked, releaseTree, native, ours: mine.value, nativeRevert, oursRevert: mineRevert.value };
}

/** Our result in native's shape, to compare with `toEqual`. */
export function asNative(result: LocalPickResult, releaseTree: string): NativeResult {
  if (result.kind === 'clean') return { kind: 'clean', tree: result.tree };
  if (result.kind === 'empty') return { kind: 'clean', tree: releaseTree };
  return { kind: 'conflict', paths: [...new Set(result.conflicts.map((c) => c.path))].sort() };
}
