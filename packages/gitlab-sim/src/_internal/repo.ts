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
    (b) => `${b.name}:${b.pushAccessLevel}:${b.allowForcePush ? 1 : 0}`,
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
