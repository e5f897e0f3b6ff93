import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { branchHead, type CommitInfo } from './commits.js';
import { runGit } from './git.js';
import type { Signature } from './repo.js';

/** What applying (cherry-picking or reverting) a commit onto a branch did. */
export type ApplyOutcome =
  | { readonly kind: 'applied'; readonly sha: string }
  | { readonly kind: 'dry-run-ok' }
  | { readonly kind: 'conflict' }
  | { readonly kind: 'empty' }
  | { readonly kind: 'diverged' }
  | { readonly kind: 'no-branch' };

/** Options for `applyCommit`. */
export interface ApplyOptions {
  readonly mode: 'cherry-pick' | 'revert';
  readonly commit: CommitInfo;
  readonly branch: string;
  readonly message: string;
  /** The author of the new commit (GitLab keeps the original author on a cherry-pick). */
  readonly author: Signature;
  readonly committer: Signature;
  readonly dryRun: boolean;
}

function identityEnv(author: Signature, committer: Signature): Record<string, string> {
  const env: Record<string, string> = {
    GIT_AUTHOR_NAME: author.name,
    GIT_AUTHOR_EMAIL: author.email,
    GIT_COMMITTER_NAME: committer.name,
    GIT_COMMITTER_EMAIL: committer.email,
  };
  if (author.date) env.GIT_AUTHOR_DATE = author.date;
  if (committer.date) env.GIT_COMMITTER_DATE = committer.date;
  return env;
}

/**
 * Cherry-picks or reverts one commit onto a branch with native git, in a temporary detached
 * worktree of the bare repository (`git cherry-pick`/`git revert --no-commit`, mainline 1 for
 * merge commits), then commits with `commit-tree` and moves the branch with a compare-and-swap
 * `update-ref`. Callers hold the repository lock.
 */
export async function applyCommit(repoDir: string, opts: ApplyOptions): Promise<ApplyOutcome> {
  const head = await branchHead(repoDir, opts.branch);
  if (!head) return { kind: 'no-branch' };
  const tmp = await mkdtemp(join(tmpdir(), 'sim-pick-'));
  const wt = join(tmp, 'wt');
  const env = identityEnv(opts.author, opts.committer);
  try {
    const add = await runGit(['worktree', 'add', '--detach', '--quiet', wt, head], { cwd: repoDir });
    if (add.code !== 0) throw new Error(`git worktree add failed: ${add.stderr}`);
    const mainline = opts.commit.parentIds.length > 1 ? ['-m', '1'] : [];
    const op = opts.mode === 'cherry-pick' ? 'cherry-pick' : 'revert';
    const run = await runGit([op, '--no-commit', ...mainline, opts.commit.id], { cwd: wt, env });
    if (run.code !== 0) {
      const unmerged = await runGit(['ls-files', '-u'], { cwd: wt });
      if (unmerged.stdout.length > 0 || /conflict/i.test(run.stderr)) return { kind: 'conflict' };
      if (/empty|nothing to commit/i.test(run.stderr)) return { kind: 'empty' };
      return { kind: 'conflict' };
    }
    const same = await runGit(['diff', '--cached', '--quiet', head], { cwd: wt });
    if (same.code === 0) return { kind: 'empty' };
    if (opts.dryRun) return { kind: 'dry-run-ok' };
    const tree = (await runGit(['write-tree'], { cwd: wt })).stdout.toString('utf8').trim();
    const commit = await runGit(['commit-tree', tree, '-p', head, '-F', '-'], {
      cwd: repoDir,
      env,
      input: opts.message,
    });
    if (commit.code !== 0) throw new Error(`git commit-tree failed: ${commit.stderr}`);
    const sha = commit.stdout.toString('utf8').trim();
    const moved = await runGit(['update-ref', `refs/heads/${opts.branch}`, sha, head], { cwd: repoDir });
    if (moved.code !== 0) return { kind: 'diverged' };
    return { kind: 'applied', sha };
  } finally {
    await runGit(['worktree', 'remove', '--force', wt], { cwd: repoDir });
    await rm(tmp, { recursive: true, force: true });
    await runGit(['worktree', 'prune'], { cwd: repoDir });
  }
}
