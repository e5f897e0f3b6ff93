/** What the CI engine reads from and does to repositories, always with async native git. */
import { git, runGit } from '../_internal/git.js';
import type { SimProject, SimState } from '../state.js';
import type { CommitInfo } from './model.js';

/** Resolves a branch (first) or tag name to a commit SHA, as GitLab does for a pipeline `ref`. */
export async function resolveRef(repoDir: string, ref: string): Promise<{ sha: string; tag: boolean } | undefined> {
  if (!ref || ref.startsWith('-')) return undefined;
  for (const [prefix, tag] of [
    ['refs/heads/', false],
    ['refs/tags/', true],
  ] as const) {
    const run = await runGit(['rev-parse', '--verify', '--quiet', `${prefix}${ref}^{commit}`], { cwd: repoDir });
    if (run.code === 0) return { sha: run.stdout.toString('utf8').trim(), tag };
  }
  return undefined;
}

/** The text of a file at a commit (`git show <sha>:<path>`), or undefined when it does not exist. */
export async function readFileAt(repoDir: string, sha: string, path: string): Promise<string | undefined> {
  const run = await runGit(['show', `${sha}:${path}`], { cwd: repoDir });
  return run.code === 0 ? run.stdout.toString('utf8') : undefined;
}

/** Author, committer, dates and message of a commit. */
export async function commitInfo(repoDir: string, sha: string): Promise<CommitInfo> {
  const out = await git(['show', '-s', '--format=%H%x00%P%x00%an%x00%ae%x00%aI%x00%cn%x00%ce%x00%cI%x00%B', sha], {
    cwd: repoDir,
  });
  const [id, parents, an, ae, ad, cn, ce, cd, ...rest] = out.split('\0');
  const message = rest.join('\0');
  return {
    id: id as string,
    parentIds: (parents ?? '').split(' ').filter(Boolean),
    title: message.split('\n')[0] ?? '',
    message,
    authorName: an ?? '',
    authorEmail: ae ?? '',
    authoredDate: new Date(ad ?? 0).toISOString(),
    committerName: cn ?? '',
    committerEmail: ce ?? '',
    committedDate: new Date(cd ?? 0).toISOString(),
  };
}

/**
 * Runs a simulator-only job action (`variables: SIM_ACTION`). `reset-release-from-default`
 * moves `SIM_TARGET_BRANCH` (default `release`) of `SIM_TARGET_PROJECT` (default: the
 * job's project) to the head of that project's default branch, as the weekly cut-off does.
 * `fail` always fails. Returns an error text when the action failed.
 */
export async function runSimAction(
  action: string,
  vars: Readonly<Record<string, string>>,
  own: SimProject,
  state: SimState,
  withRepoLock: <T>(project: SimProject, fn: () => Promise<T>) => Promise<T>,
): Promise<string | undefined> {
  if (action === 'fail') return 'SIM_ACTION fail';
  if (action !== 'reset-release-from-default') return `unknown SIM_ACTION ${action}`;
  const target = vars.SIM_TARGET_PROJECT ? state.findProject(vars.SIM_TARGET_PROJECT) : own;
  if (!target) return `project ${vars.SIM_TARGET_PROJECT} not found`;
  const branch = vars.SIM_TARGET_BRANCH || 'release';
  return withRepoLock(target, async () => {
    const head = await resolveRef(target.repoDir, target.defaultBranch);
    if (!head) return `default branch ${target.defaultBranch} not found`;
    const run = await runGit(['update-ref', `refs/heads/${branch}`, head.sha], { cwd: target.repoDir });
    return run.code === 0 ? undefined : run.stderr.trim();
  });
}
