import type { SimLabel, SimMergeRequest, SimProject, SimState } from '../state.js';
import { branchHead, isAncestor } from './commits.js';
import { runGit } from './git.js';
import type { Signature } from './repo.js';

/** Options for recording a new merge request. */
export interface OpenMergeRequestOptions {
  readonly sourceBranch: string;
  readonly targetBranch: string;
  readonly title: string;
  readonly description?: string;
  readonly authorId: number;
  readonly squash?: boolean;
  /** ISO time of creation. */
  readonly at: string;
}

/** The merge base of two commits, or undefined when they share no history. */
export async function mergeBase(repoDir: string, a: string, b: string): Promise<string | undefined> {
  const run = await runGit(['merge-base', a, b], { cwd: repoDir });
  return run.code === 0 ? run.stdout.toString('utf8').trim() : undefined;
}

/** Records a merge request between two existing branches, with GitLab's diff refs. */
export async function openMergeRequest(
  state: SimState,
  project: SimProject,
  opts: OpenMergeRequestOptions,
): Promise<SimMergeRequest> {
  const source = await branchHead(project.repoDir, opts.sourceBranch);
  const target = await branchHead(project.repoDir, opts.targetBranch);
  if (!source || !target) throw new Error(`branch missing for MR ${opts.sourceBranch} -> ${opts.targetBranch}`);
  const base = (await mergeBase(project.repoDir, source, target)) ?? target;
  const mr: SimMergeRequest = {
    id: state.nextId('mr'),
    iid: project.mergeRequests.length + 1,
    projectId: project.id,
    title: opts.title,
    description: opts.description ?? '',
    state: 'opened',
    sourceBranch: opts.sourceBranch,
    targetBranch: opts.targetBranch,
    authorId: opts.authorId,
    sha: source,
    mergeCommitSha: null,
    squashCommitSha: null,
    squash: opts.squash ?? false,
    mergedAt: null,
    mergeUserId: null,
    labels: [],
    labelEvents: [],
    approvalsRequired: project.approvalsBeforeMerge ?? 0,
    approvedBy: [],
    notes: [],
    createdAt: opts.at,
    updatedAt: opts.at,
    diffBaseSha: base,
    diffStartSha: target,
  };
  project.mergeRequests.push(mr);
  return mr;
}

/**
 * Brings an open MR up to date with pushes to its branches, as GitLab does after a push:
 * `sha` follows the source head and the diff refs are recomputed.
 */
export async function refreshOpenMergeRequest(project: SimProject, mr: SimMergeRequest): Promise<void> {
  if (mr.state !== 'opened') return;
  const source = await branchHead(project.repoDir, mr.sourceBranch);
  const target = await branchHead(project.repoDir, mr.targetBranch);
  if (!source || !target || (source === mr.sha && target === mr.diffStartSha)) return;
  mr.sha = source;
  mr.diffStartSha = target;
  mr.diffBaseSha = (await mergeBase(project.repoDir, source, target)) ?? target;
}

/** How many approvals an MR still needs. */
export function approvalsLeft(mr: SimMergeRequest): number {
  return Math.max(0, mr.approvalsRequired - mr.approvedBy.length);
}

/** Adds, removes or replaces labels on an MR, recording a label event for each change. */
export function changeLabels(
  mr: SimMergeRequest,
  labels: { add?: readonly SimLabel[]; remove?: readonly string[]; set?: readonly SimLabel[] },
  userId: number,
  at: string,
): { added: string[]; removed: string[] } {
  const added: string[] = [];
  const removed: string[] = [];
  const remove = new Set(labels.set ? mr.labels.filter((l) => !labels.set?.some((s) => s.name === l)) : labels.remove);
  for (const name of remove) {
    if (!mr.labels.includes(name)) continue;
    mr.labels = mr.labels.filter((l) => l !== name);
    removed.push(name);
  }
  for (const label of labels.set ?? labels.add ?? []) {
    if (mr.labels.includes(label.name)) continue;
    mr.labels.push(label.name);
    added.push(label.name);
  }
  for (const label of added) mr.labelEvents.push({ label, action: 'add', at, userId });
  for (const label of removed) mr.labelEvents.push({ label, action: 'remove', at, userId });
  if (added.length || removed.length) mr.updatedAt = at;
  return { added, removed };
}

/** What merging did. */
export type MergeOutcome =
  | { readonly kind: 'merged'; readonly landed: string }
  | { readonly kind: 'conflict' }
  | { readonly kind: 'not-fast-forward' }
  | { readonly kind: 'diverged' };

/** Options for `mergeMergeRequest`. */
export interface MergeOptions {
  readonly method: SimProject['mergeMethod'];
  readonly squash: boolean;
  readonly user: Signature & { readonly id: number };
  /** Author of a squash commit: GitLab uses the MR author (the merging user by default here). */
  readonly squashAuthor?: Signature;
  readonly mergeCommitMessage?: string;
  readonly squashCommitMessage?: string;
}

async function commitTree(
  repoDir: string,
  tree: string,
  parents: string[],
  message: string,
  who: Signature,
  author: Signature = who,
) {
  const env: Record<string, string> = {
    GIT_AUTHOR_NAME: author.name,
    GIT_AUTHOR_EMAIL: author.email,
    GIT_COMMITTER_NAME: who.name,
    GIT_COMMITTER_EMAIL: who.email,
  };
  if (who.date) {
    env.GIT_AUTHOR_DATE = who.date;
    env.GIT_COMMITTER_DATE = who.date;
  }
  const run = await runGit(['commit-tree', tree, ...parents.flatMap((p) => ['-p', p]), '-F', '-'], {
    cwd: repoDir,
    env,
    input: message,
  });
  if (run.code !== 0) throw new Error(`git commit-tree failed: ${run.stderr}`);
  return run.stdout.toString('utf8').trim();
}

/** GitLab's default merge commit message. */
export function defaultMergeMessage(project: SimProject, mr: SimMergeRequest): string {
  return `Merge branch '${mr.sourceBranch}' into '${mr.targetBranch}'\n\n${mr.title}\n\nSee merge request ${project.path}!${mr.iid}`;
}

/**
 * Merges an MR with native git as GitLab's merge methods do: `merge` writes a merge commit
 * (`git merge-tree --write-tree` + `commit-tree`), `rebase_merge` and `ff` need the target to
 * be an ancestor of the source, `ff` moves the target without a merge commit; `squash` first
 * writes one commit with the source's changes on the merge base. Callers hold the repo lock.
 */
export async function mergeMergeRequest(
  project: SimProject,
  mr: SimMergeRequest,
  opts: MergeOptions,
): Promise<MergeOutcome> {
  const repo = project.repoDir;
  const target = await branchHead(repo, mr.targetBranch);
  const source = (await branchHead(repo, mr.sourceBranch)) ?? mr.sha;
  if (!target) return { kind: 'diverged' };
  mr.sha = source;
  const base = (await mergeBase(repo, target, source)) ?? target;
  let tip = source;
  let squashSha: string | null = null;
  if (opts.squash) {
    const tree = (await runGit(['rev-parse', `${source}^{tree}`], { cwd: repo })).stdout.toString('utf8').trim();
    const message = opts.squashCommitMessage ?? `${mr.title}\n`;
    squashSha = await commitTree(repo, tree, [base], message, opts.user, opts.squashAuthor ?? opts.user);
    tip = squashSha;
  }
  let landed: string;
  let mergeSha: string | null = null;
  if (opts.method === 'merge') {
    const merged = await runGit(['merge-tree', '--write-tree', '--no-messages', target, tip], { cwd: repo });
    if (merged.code !== 0) return { kind: 'conflict' };
    const tree = merged.stdout.toString('utf8').split('\n')[0] as string;
    mergeSha = await commitTree(
      repo,
      tree,
      [target, tip],
      opts.mergeCommitMessage ?? defaultMergeMessage(project, mr),
      opts.user,
    );
    landed = mergeSha;
  } else {
    if (!(await isAncestor(repo, target, tip))) return { kind: 'not-fast-forward' };
    if (opts.method === 'rebase_merge') {
      const tree = (await runGit(['rev-parse', `${tip}^{tree}`], { cwd: repo })).stdout.toString('utf8').trim();
      mergeSha = await commitTree(
        repo,
        tree,
        [target, tip],
        opts.mergeCommitMessage ?? defaultMergeMessage(project, mr),
        opts.user,
      );
      landed = mergeSha;
    } else {
      landed = tip;
    }
  }
  const moved = await runGit(['update-ref', `refs/heads/${mr.targetBranch}`, landed, target], { cwd: repo });
  if (moved.code !== 0) return { kind: 'diverged' };
  const at = opts.user.date ?? new Date().toISOString();
  mr.state = 'merged';
  mr.mergeCommitSha = mergeSha;
  mr.squashCommitSha = squashSha;
  mr.squash = opts.squash;
  mr.mergedAt = at;
  mr.updatedAt = at;
  mr.mergeUserId = opts.user.id;
  return { kind: 'merged', landed };
}
