import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ACCESS, type SimProject, type SimState } from '../state.js';
import { git } from './git.js';

/**
 * The pre-receive hook every simulated repository gets. It enforces GitLab's
 * protected-branch rules on git pushes over smart HTTP: the server passes the pusher's
 * access level and the project's protected branches in the environment.
 */
const PRE_RECEIVE = `#!/bin/sh
# Installed by the GitLab simulator: protected-branch rules for pushes.
# SIM_ACCESS: the pusher's access level. SIM_PROTECTED: "pattern:pushLevel:allowForce" words.
zero=0000000000000000000000000000000000000000
status=0
while read old new ref; do
  case "$ref" in refs/heads/*) ;; *) continue ;; esac
  branch=\${ref#refs/heads/}
  for rule in $SIM_PROTECTED; do
    pattern=\${rule%%:*}; rest=\${rule#*:}; level=\${rest%%:*}; force=\${rest#*:}
    case "$branch" in
      $pattern)
        if [ "\${SIM_ACCESS:-0}" -lt "$level" ]; then
          echo "GitLab: You are not allowed to push code to protected branches on this project." >&2; status=1
        elif [ "$new" = "$zero" ]; then
          echo "GitLab: You can only delete protected branches using the web interface." >&2; status=1
        elif [ "$old" != "$zero" ] && [ "$force" != 1 ] && ! git merge-base --is-ancestor "$old" "$new"; then
          echo "GitLab: You are not allowed to force push code to a protected branch on this project." >&2; status=1
        fi ;;
    esac
  done
done
exit $status
`;

/** Creates a bare repository with the simulator's hooks and config. */
export async function initBareRepo(repoDir: string, defaultBranch: string): Promise<void> {
  await mkdir(repoDir, { recursive: true });
  await git(['init', '--bare', '--quiet', `--initial-branch=${defaultBranch}`], { cwd: repoDir });
  await git(['config', 'http.receivepack', 'true'], { cwd: repoDir });
  await git(['config', 'uploadpack.allowAnySHA1InWant', 'true'], { cwd: repoDir });
  await git(['config', 'uploadpack.allowFilter', 'true'], { cwd: repoDir });
  await git(['config', 'receive.advertisePushOptions', 'true'], { cwd: repoDir });
  const hook = join(repoDir, 'hooks', 'pre-receive');
  await writeFile(hook, PRE_RECEIVE);
  await chmod(hook, 0o755);
}

/** The environment the pre-receive hook reads for one push. */
export function pushEnv(project: SimProject, accessLevel: number): Record<string, string> {
  const rules = [...project.protectedBranches.values()].map(
    // Push level 0 is GitLab's "No one": no access level reaches it.
    (b) => `${b.name}:${b.pushAccessLevel === 0 ? 1000 : b.pushAccessLevel}:${b.allowForcePush ? 1 : 0}`,
  );
  return { SIM_ACCESS: String(accessLevel), SIM_PROTECTED: rules.join(' ') };
}

/** Options for creating a project. */
export interface CreateProjectOptions {
  /** Full path `namespace/name` (namespaces may nest). */
  readonly path: string;
  readonly defaultBranch?: string;
  /** Members and their access levels; the creator is made owner. */
  readonly members?: ReadonlyMap<number, number>;
  readonly creatorId: number;
  readonly mergeMethod?: SimProject['mergeMethod'];
}

/** Creates a project record and its bare repository under `<root>/repos/<path>.git`. */
export async function createProject(state: SimState, root: string, opts: CreateProjectOptions): Promise<SimProject> {
  const parts = opts.path.split('/');
  const name = parts[parts.length - 1] as string;
  const namespace = parts.slice(0, -1).join('/');
  const defaultBranch = opts.defaultBranch ?? 'main';
  const repoDir = join(root, 'repos', `${opts.path}.git`);
  await initBareRepo(repoDir, defaultBranch);
  const members = new Map(opts.members ?? []);
  members.set(opts.creatorId, ACCESS.owner);
  const project: SimProject = {
    id: state.nextId('project'),
    path: opts.path,
    name,
    namespace,
    defaultBranch,
    repoDir,
    mergeMethod: opts.mergeMethod ?? 'merge',
    members,
    protectedBranches: new Map([
      [
        defaultBranch,
        {
          name: defaultBranch,
          pushAccessLevel: ACCESS.maintainer,
          mergeAccessLevel: ACCESS.maintainer,
          allowForcePush: false,
        },
      ],
    ]),
    labels: [],
    mergeRequests: [],
    createdAt: new Date().toISOString(),
    pipelineVariablesMinimumRole: ACCESS.developer,
    ci: {},
  };
  state.projects.push(project);
  return project;
}

/** One file change for `commitFiles`: content to write (string or bytes), or `null` to delete. */
export interface FileChange {
  readonly path: string;
  readonly content: string | Buffer | null;
  /** `100644` (default), `100755`, `120000` (symlink: content is the target). */
  readonly mode?: '100644' | '100755' | '120000';
}

/** Who and when, for commits the simulator writes. */
export interface Signature {
  readonly name: string;
  readonly email: string;
  /** ISO 8601 time; the current time by default. */
  readonly date?: string;
}

/**
 * Writes a commit with native git plumbing (no working tree): starts from `parent`'s tree
 * (or an empty tree), applies the changes, commits, and moves `refs/heads/<branch>` with a
 * compare-and-swap on its old value. Returns the new commit SHA.
 */
export async function commitFiles(
  repoDir: string,
  opts: {
    readonly branch: string;
    readonly parent?: string | null;
    readonly extraParents?: readonly string[];
    readonly changes: readonly FileChange[];
    readonly message: string;
    readonly author?: Signature;
    readonly committer?: Signature;
    /** Do not move the branch; just return the commit. */
    readonly noRef?: boolean;
  },
): Promise<string> {
  const { mkdtemp, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const tmp = await mkdtemp(join(tmpdir(), 'sim-index-'));
  const env: Record<string, string> = { GIT_INDEX_FILE: join(tmp, 'index') };
  const author = opts.author ?? { name: 'Administrator', email: 'root@sim.invalid' };
  const committer = opts.committer ?? author;
  env.GIT_AUTHOR_NAME = author.name;
  env.GIT_AUTHOR_EMAIL = author.email;
  env.GIT_COMMITTER_NAME = committer.name;
  env.GIT_COMMITTER_EMAIL = committer.email;
  if (author.date) env.GIT_AUTHOR_DATE = author.date;
  if (committer.date) env.GIT_COMMITTER_DATE = committer.date;
  try {
    const parent =
      opts.parent === undefined
        ? await git(['rev-parse', '--verify', '--quiet', `refs/heads/${opts.branch}`], { cwd: repoDir }).catch(() => '')
        : (opts.parent ?? '');
    if (parent) await git(['read-tree', parent], { cwd: repoDir, env });
    else await git(['read-tree', '--empty'], { cwd: repoDir, env });
    const lines: string[] = [];
    for (const change of opts.changes) {
      if (change.content === null) {
        lines.push(`0 ${'0'.repeat(40)}\t${change.path}`);
        continue;
      }
      const blob = await git(['hash-object', '-w', '--stdin'], { cwd: repoDir, input: change.content });
      lines.push(`${change.mode ?? '100644'} ${blob}\t${change.path}`);
    }
    if (lines.length)
      await git(['update-index', '--index-info'], { cwd: repoDir, env, input: `${lines.join('\n')}\n` });
    const tree = await git(['write-tree'], { cwd: repoDir, env });
    const parents = [parent, ...(opts.extraParents ?? [])].filter(Boolean).flatMap((p) => ['-p', p]);
    const commit = await git(['commit-tree', tree, ...parents, '-F', '-'], { cwd: repoDir, env, input: opts.message });
    if (!opts.noRef) {
      await git(['update-ref', `refs/heads/${opts.branch}`, commit, parent || '0'.repeat(40)], { cwd: repoDir });
    }
    return commit;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
