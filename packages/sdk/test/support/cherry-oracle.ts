/**
 * Native git as the oracle for the already-applied answer and the content identity: each
 * generated case puts a variant of the pick on release (the pick itself onto release's base,
 * the pick re-indented, the pick plus an extra line, or an unrelated commit), then asks
 * `git cherry` whether release carries the pick, and `git diff -U0` what each one changes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BlobReader, DiffFile } from '../../src/_internal/change-identity.js';
import { createGitdirStore } from '../../src/_internal/object-store.js';
import { git, gitOk, importCases, initRepo } from './native-git.js';
import { toGitLab } from './patch-id-oracle.js';
import { randomCase, rng } from './random-repo.js';

/** What is put on release on top of its own commit. */
export type Variant = 'pick' | 'reindent' | 'extra-line' | 'unrelated';

export interface CherryCase {
  readonly variant: Variant;
  /** The original commit and its parent. */
  readonly picked: string;
  readonly pickedParent: string;
  /** The variant commit on release and its parent. */
  readonly head: string;
  readonly headParent: string;
  /** `git cherry <release> <picked> <picked>^` says `-`: release already carries the change. */
  readonly gitSaysApplied: boolean;
  /** The `git diff -U0` changes of the pick and of the variant differ (context ignored). */
  readonly gitSaysDiffer: boolean;
  /** The pick or a commit on release renames a file (`git diff -M` pairs a deletion and an addition). */
  readonly renames: boolean;
  /** Release's commits since its merge-base with the pick (`git rev-list picked..release`), non-merge. */
  readonly candidates: readonly string[];
}

const VARIANTS: readonly Variant[] = ['pick', 'reindent', 'extra-line', 'unrelated'];

/** Generates `count` cases from `seed`; only cases whose native pick applies cleanly are kept. */
export function cherryCases(seed: number, count: number) {
  const dir = initRepo('cherry-oracle-');
  const imported = importCases(
    dir,
    Array.from({ length: count }, (_, k) => randomCase(seed, k)),
  );
  const r = rng(seed ^ 0x5eed);
  const cases: CherryCase[] = [];
  for (const [i, c] of imported.entries()) {
    const variant = VARIANTS[Math.floor(r() * VARIANTS.length)]!;
    gitOk(dir, ['checkout', '-q', '-f', '--detach', c.oursRef]);
    gitOk(dir, ['clean', '-q', '-fdx']);
    if (variant === 'unrelated') {
      writeFileSync(join(dir, `unrelated-${i}.txt`), `unrelated ${i}\n`);
    } else {
      if (git(dir, ['cherry-pick', '--no-commit', c.picked]).status !== 0) {
        gitOk(dir, ['reset', '-q', '--hard']);
        continue;
      }
      if (variant !== 'pick' && !editAddedLine(dir, variant)) {
        gitOk(dir, ['reset', '-q', '--hard']);
        continue;
      }
    }
    gitOk(dir, ['add', '-A']);
    if (git(dir, ['commit', '-q', '--allow-empty', '-m', `${variant} ${i}`]).status !== 0) continue;
    const head = gitOk(dir, ['rev-parse', 'HEAD']).trim();
    const cherry = gitOk(dir, ['cherry', head, c.picked, `${c.picked}^`]).trim();
    cases.push({
      variant,
      picked: c.picked,
      pickedParent: gitOk(dir, ['rev-parse', `${c.picked}^`]).trim(),
      head,
      headParent: gitOk(dir, ['rev-parse', `${head}^`]).trim(),
      gitSaysApplied: cherry.startsWith('-'),
      gitSaysDiffer: changeText(dir, c.picked) !== changeText(dir, head),
      renames: [c.picked, head, `${head}^`].some((x) =>
        /^R/m.test(gitOk(dir, ['diff', '-M', '--name-status', `${x}^`, x])),
      ),
      candidates: gitOk(dir, ['rev-list', '--no-merges', `${c.picked}..${head}`])
        .split('\n')
        .filter(Boolean),
    });
  }
  return { dir, cases };
}

/** Re-indents (or extends) the first added text line of the staged pick. */
function editAddedLine(dir: string, variant: 'reindent' | 'extra-line'): boolean {
  const staged = gitOk(dir, ['diff', '--cached', '-U0', '--no-renames', '--no-ext-diff']);
  for (const chunk of staged.split(/^(?=diff --git )/m)) {
    const path = /^diff --git a\/.* b\/(.*)$/m.exec(chunk)?.[1];
    const added = chunk.split('\n').find((l) => l.startsWith('+') && !l.startsWith('+++'));
    if (!path || added === undefined || /^(new|old) mode 1[26]0000/m.test(chunk)) continue;
    const file = join(dir, path);
    const text = readFileSync(file).toString('latin1');
    const line = added.slice(1);
    const at = text.indexOf(line);
    if (at < 0 || line.length === 0) continue;
    const edited = variant === 'reindent' ? ` ${line}` : `${line}\nextra line`;
    writeFileSync(file, Buffer.from(text.slice(0, at) + edited + text.slice(at + line.length), 'latin1'));
    return true;
  }
  return false;
}

/**
 * What a commit changes, as native git prints it without context and without what only
 * locates the change (hunk headers, similarity, blob ids of text files).
 */
function changeText(dir: string, commit: string): string {
  const out = gitOk(dir, ['diff', '-U0', '-M', '--full-index', '--no-ext-diff', `${commit}^`, commit]);
  return out
    .split('\n')
    .filter((l) => !l.startsWith('@@') && !l.startsWith('similarity index') && !l.startsWith('index '))
    .join('\n')
    .concat(
      // A binary change is its blob ids (the `index` line git prints for it).
      out
        .split(/^(?=diff --git )/m)
        .filter((c) => /^Binary files /m.test(c))
        .map((c) => /^index (\S+)/m.exec(c)?.[1] ?? '')
        .join('\n'),
    );
}

/** GitLab's per-file diff of a commit against its parent (`git diff -M --full-index`). */
export function gitLabDiff(dir: string, parent: string, commit: string): DiffFile[] {
  return toGitLab(gitOk(dir, ['diff', '-M', '--full-index', '--no-ext-diff', parent, commit])).map((f) => ({
    ...f,
    new_file: f.new_file ?? false,
    deleted_file: f.deleted_file ?? false,
    renamed_file: f.renamed_file ?? false,
  }));
}

/** A blob reader over the local repository (the object store's role for GitLab). */
export function localBlobReader(dir: string): BlobReader {
  const store = createGitdirStore({ gitdir: join(dir, '.git') });
  return {
    async prefetch(commit, paths) {
      const out = new Map<string, string>();
      if (paths.length === 0) return out;
      for (const row of gitOk(dir, ['--literal-pathspecs', 'ls-tree', '-z', commit, '--', ...paths]).split('\0')) {
        const m = /^(\d+) (\w+) ([0-9a-f]+)\t(.*)$/s.exec(row);
        if (m && m[2] === 'blob') out.set(m[4]!, m[3]!);
      }
      return out;
    },
    readBlob: (oid) => store.readBlob(oid),
  };
}
