/**
 * Native git as the oracle: writes generated cases into one repository with `git fast-import`,
 * then runs `git cherry-pick --no-commit` / `git revert --no-commit` + `git write-tree` per case.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OracleCase, RepoState } from './random-repo.js';

const ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Gen',
  GIT_AUTHOR_EMAIL: 'gen@example.com',
  GIT_COMMITTER_NAME: 'Gen',
  GIT_COMMITTER_EMAIL: 'gen@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  LC_ALL: 'C',
};

/** Runs git and returns its status and output (stdout as latin1 to keep bytes). */
export function git(cwd: string, args: readonly string[], input?: Buffer | string) {
  const res = spawnSync('git', args, { cwd, env: ENV, input, maxBuffer: 1 << 28 });
  return { status: res.status ?? -1, stdout: res.stdout.toString('latin1'), stderr: res.stderr.toString() };
}

/** Runs git and fails loudly on a non-zero status. */
export function gitOk(cwd: string, args: readonly string[], input?: Buffer | string): string {
  const res = git(cwd, args, input);
  if (res.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${res.stderr}`);
  return res.stdout;
}

/** A fresh non-bare repository with byte-exact settings. */
export function initRepo(prefix = 'merge-oracle-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  gitOk(dir, ['init', '-q', '-b', 'main']);
  gitOk(dir, ['config', 'core.autocrlf', 'false']);
  gitOk(dir, ['config', 'core.symlinks', 'true']);
  gitOk(dir, ['config', 'gc.auto', '0']);
  return dir;
}

/** Streams commits into a repository with fast-import. */
export class FastImport {
  readonly #parts: Buffer[] = [];
  #mark = 0;
  #time = 1_700_000_000;

  commit(ref: string, state: RepoState, parent: number | undefined, message: string, merges: number[] = []): number {
    const mark = ++this.#mark;
    const msg = Buffer.from(`${message}\n`);
    this.#parts.push(
      Buffer.from(
        `commit ${ref}\nmark :${mark}\nauthor Gen <gen@example.com> ${this.#time} +0000\n` +
          `committer Gen <gen@example.com> ${this.#time++} +0000\ndata ${msg.length}\n`,
      ),
      msg,
      Buffer.from(
        `${parent === undefined ? '' : `from :${parent}\n`}${merges.map((m) => `merge :${m}\n`).join('')}deleteall\n`,
      ),
    );
    for (const [path, f] of [...state].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (f.mode === '160000') {
        this.#parts.push(Buffer.from(`M 160000 ${f.data.toString()} ${path}\n`));
      } else {
        this.#parts.push(Buffer.from(`M ${f.mode} inline ${path}\ndata ${f.data.length}\n`), f.data, Buffer.from('\n'));
      }
    }
    this.#parts.push(Buffer.from('\n'));
    return mark;
  }

  /** Runs fast-import and returns the commit id of every mark. */
  run(dir: string): Map<number, string> {
    const marks = join(dir, '.git', 'gen-marks');
    gitOk(dir, ['fast-import', '--quiet', `--export-marks=${marks}`], Buffer.concat(this.#parts));
    const out = new Map<number, string>();
    for (const row of readFileSync(marks, 'utf8').split('\n')) {
      const m = /^:(\d+) ([0-9a-f]{40})$/.exec(row);
      if (m) out.set(Number(m[1]), m[2]!);
    }
    return out;
  }
}

/** The refs and ids of one imported case. */
export interface ImportedCase {
  readonly oursRef: string;
  readonly revertRef: string;
  readonly picked: string;
}

/** Imports cases; release is `refs/heads/o<i>`, the revert target `refs/heads/r<i>`. */
export function importCases(dir: string, cases: readonly OracleCase[], offset = 0): ImportedCase[] {
  const fi = new FastImport();
  const marks = cases.map((c, k) => {
    const i = k + offset;
    const b = fi.commit(`refs/gen/${i}-b`, c.base, undefined, `base ${i}`);
    const p = c.backport ? fi.commit(`refs/gen/${i}-p`, c.parent, b, `parent ${i}`) : b;
    const pick = fi.commit(`refs/gen/${i}-c`, c.picked, p, `pick ${i}\n\nbody of pick ${i}`);
    fi.commit(`refs/heads/o${i}`, c.ours, b, `release ${i}`);
    fi.commit(`refs/heads/r${i}`, c.revertFrom, pick, `later ${i}`);
    return pick;
  });
  const shas = fi.run(dir);
  return marks.map((m, k) => ({ oursRef: `o${k + offset}`, revertRef: `r${k + offset}`, picked: shas.get(m)! }));
}

/** Native git's answer: the written tree, or the conflicted paths (`a~HEAD` style suffixes cut). */
export type NativeResult =
  | { readonly kind: 'clean'; readonly tree: string }
  | { readonly kind: 'conflict'; readonly paths: string[] };

/** One native job: pick (or revert) `commit` onto `ref`. */
export interface NativeJob {
  readonly mode: 'pick' | 'revert';
  readonly ref: string;
  readonly commit: string;
}

/**
 * Runs `git cherry-pick --no-commit` (or revert) + `git write-tree` for every job in ONE shell
 * process: spawning git from a big Node process costs ~10 ms per call, a shell loop ~1 ms.
 */
export function nativeBatch(dir: string, jobs: readonly NativeJob[]): NativeResult[] {
  const script = jobs
    .map(
      (j, i) =>
        `echo "@@ ${i}"; git checkout -q -f --detach ${j.ref}; ` +
        `if git ${j.mode === 'pick' ? 'cherry-pick' : 'revert'} --no-commit ${j.commit} >"$T" 2>&1; ` +
        'then echo "clean $(git write-tree)"; else echo conflict; grep -q CONFLICT "$T" && echo "message"; ' +
        'git ls-files -u | cut -f2-; git reset -q --hard; git clean -q -fdx; fi',
    )
    .join('\n');
  const out = runShell(dir, script);
  const results: NativeResult[] = [];
  for (const block of out.split('@@ ').slice(1)) {
    const lines = block.split('\n').slice(1).filter(Boolean);
    const head = lines[0] ?? '';
    if (head.startsWith('clean ')) {
      results.push({ kind: 'clean', tree: head.slice(6) });
      continue;
    }
    const paths = new Set(
      lines
        .slice(1)
        .filter((l) => l !== 'message')
        .map((l) => l.replace(/~[^/]*$/, '')),
    );
    if (head !== 'conflict' || (paths.size === 0 && !lines.includes('message'))) {
      throw new Error(`native job ${results.length} failed: ${block}`);
    }
    results.push({ kind: 'conflict', paths: [...paths].sort() });
  }
  return results;
}

function runShell(dir: string, script: string): string {
  // The script goes through stdin: as an argument it would pass the kernel's 128 KiB limit.
  const res = spawnSync('sh', ['-s'], {
    cwd: dir,
    input: script,
    env: { ...ENV, T: join(dir, '.git', 'gen-out') },
    maxBuffer: 1 << 28,
  });
  if (res.status !== 0) throw new Error(`native batch failed: ${res.error?.message ?? res.stderr?.toString()}`);
  return res.stdout.toString('latin1');
}

/** `git cherry-pick --no-commit` (or revert) of `commit` onto `ref`, then `git write-tree`. */
export function nativePick(dir: string, mode: 'pick' | 'revert', ref: string, commit: string): NativeResult {
  gitOk(dir, ['checkout', '-q', '-f', '--detach', ref]);
  const res = git(dir, [mode === 'pick' ? 'cherry-pick' : 'revert', '--no-commit', commit]);
  let result: NativeResult;
  if (res.status === 0) {
    result = { kind: 'clean', tree: gitOk(dir, ['write-tree']).trim() };
  } else {
    const unmerged = gitOk(dir, ['ls-files', '-u', '-z']).split('\0').filter(Boolean);
    const paths = new Set(unmerged.map((row) => row.split('\t')[1]!.replace(/~[^/]*$/, '')));
    // A directory-rename split conflicts without unmerged entries; anything else is a real failure.
    if (paths.size === 0 && !res.stdout.includes('CONFLICT')) {
      throw new Error(`native ${mode} of ${commit} onto ${ref} failed: ${res.stderr}`);
    }
    result = { kind: 'conflict', paths: [...paths].sort() };
  }
  git(dir, ['reset', '-q', '--hard']);
  git(dir, ['clean', '-q', '-fdx']);
  return result;
}
