import { branchHead, readCommit } from '../_internal/commits.js';
import { fastCommit } from '../_internal/fast-commit.js';
import { git } from '../_internal/git.js';
import { mergeMergeRequest, openMergeRequest } from '../_internal/merge-requests.js';
import { applyCommit } from '../_internal/pick.js';
import { createProject } from '../_internal/repo.js';
import { cherryPickMessage } from '../resources/commit-actions.js';
import { ensureLabel } from '../resources/labels.js';
import { ACCESS, type SimLabel, type SimMergeRequest, type SimProject, type SimState, type SimUser } from '../state.js';

/** Files for one commit: path → content, or `null` to delete the file. */
export type FileMap = Readonly<Record<string, string | Buffer | null>>;

/** One merge request for `ProjectBuilder.mergeRequest`. */
export interface MergeRequestSpec {
  readonly source: string;
  /** Target branch; the project's default branch by default. */
  readonly target?: string;
  /** Where the source branch starts; the target's head by default. */
  readonly from?: string;
  readonly title: string;
  readonly description?: string;
  /** The commits to write on the source branch, oldest first. */
  readonly commits: readonly { readonly files: FileMap; readonly message: string }[];
  readonly authorId?: number;
  readonly squash?: boolean;
  readonly labels?: readonly string[];
  /** Approvals required, and who approved. */
  readonly approvals?: { readonly required?: number; readonly by?: readonly number[] };
  /** `merged` (default) merges with the project's (or the given) method; `closed`/`opened` don't. */
  readonly state?: 'merged' | 'opened' | 'closed';
  readonly mergeMethod?: SimProject['mergeMethod'];
  /** Who merges (the admin by default). */
  readonly mergedBy?: number;
}

/** Builds one project's repository and records. */
export interface ProjectBuilder {
  readonly project: SimProject;
  /** Writes one commit on a branch (created from the default branch's head when missing). */
  commit(branch: string, files: FileMap, message: string, opts?: { authorId?: number }): Promise<string>;
  /** Creates a branch at a ref. */
  branch(name: string, ref: string): Promise<string>;
  /** Protects a branch (maintainers push and merge by default). */
  protect(name: string, opts?: { push?: number; merge?: number; allowForcePush?: boolean }): void;
  /** Adds a member with an access level. */
  member(userId: number, level: number): void;
  /** Creates a project label (or returns the existing one). */
  label(name: string, color?: string): SimLabel;
  /** Creates the source branch and its commits, the MR, approvals and labels, and merges or closes it. */
  mergeRequest(spec: MergeRequestSpec): Promise<SimMergeRequest>;
  /** Cherry-picks a commit onto a branch with native git and GitLab's default message; returns the new SHA. */
  cherryPick(sha: string, branch: string): Promise<string>;
}

/** What the builder needs from a scenario context. */
export interface BuilderContext {
  readonly state: SimState;
  readonly root: string;
  readonly adminId: number;
  /** Time of the first commit; each later write is one minute later. Two days ago by default. */
  readonly start?: Date;
}

/** Builds scenarios quickly on real repositories: users, projects, commits, branches, MRs. */
export interface ScenarioBuilder {
  /** Adds a user with a personal access token. */
  user(username: string, opts?: { name?: string; token?: string }): { user: SimUser; token: string };
  /** Creates a project with an initial commit of `files` on its default branch. */
  project(
    path: string,
    opts?: { defaultBranch?: string; mergeMethod?: SimProject['mergeMethod']; files?: FileMap; message?: string },
  ): Promise<ProjectBuilder>;
  /** The next timestamp the builder will use (ISO 8601 UTC). */
  tick(): string;
}

function changes(files: FileMap) {
  return Object.entries(files).map(([path, content]) => ({ path, content }));
}

/** Creates a scenario builder over the simulator's state and repository root. */
export function createScenarioBuilder(ctx: BuilderContext): ScenarioBuilder {
  let time = (ctx.start ?? new Date(Date.now() - 2 * 86_400_000)).getTime();
  const tick = (): string => {
    const iso = new Date(time).toISOString();
    time += 60_000;
    return iso;
  };
  const signature = (userId: number) => {
    const u = ctx.state.user(userId) ?? { name: 'Administrator', email: 'root@sim.invalid' };
    return { name: u.name, email: u.email, date: tick() };
  };

  async function project(
    path: string,
    opts: { defaultBranch?: string; mergeMethod?: SimProject['mergeMethod']; files?: FileMap; message?: string } = {},
  ): Promise<ProjectBuilder> {
    const p = await createProject(ctx.state, ctx.root, {
      path,
      creatorId: ctx.adminId,
      defaultBranch: opts.defaultBranch ?? 'main',
      mergeMethod: opts.mergeMethod ?? 'merge',
    });
    const repo = p.repoDir;
    const commit: ProjectBuilder['commit'] = async (branch, files, message, o = {}) => {
      const parent = (await branchHead(repo, branch)) ?? (await branchHead(repo, p.defaultBranch)) ?? null;
      const author = signature(o.authorId ?? ctx.adminId);
      return fastCommit(repo, { branch, parent, changes: changes(files), message, author });
    };
    await commit(p.defaultBranch, opts.files ?? { 'README.md': `# ${p.name}\n` }, opts.message ?? 'Initial commit\n');
    const builder: ProjectBuilder = {
      project: p,
      commit,
      async branch(name, ref) {
        const target = await readCommit(repo, ref);
        if (!target) throw new Error(`unknown ref ${ref} in ${path}`);
        await git(['update-ref', `refs/heads/${name}`, target.id], { cwd: repo });
        return target.id;
      },
      protect(name, o = {}) {
        p.protectedBranches.set(name, {
          name,
          pushAccessLevel: o.push ?? ACCESS.maintainer,
          mergeAccessLevel: o.merge ?? ACCESS.maintainer,
          allowForcePush: o.allowForcePush ?? false,
        });
      },
      member(userId, level) {
        p.members.set(userId, level);
      },
      label(name, color) {
        return ensureLabel(ctx.state, p, name, color);
      },
      async mergeRequest(spec) {
        const target = spec.target ?? p.defaultBranch;
        const authorId = spec.authorId ?? ctx.adminId;
        await builder.branch(spec.source, spec.from ?? target);
        for (const c of spec.commits) await commit(spec.source, c.files, c.message, { authorId });
        const at = tick();
        const mr = await openMergeRequest(ctx.state, p, {
          sourceBranch: spec.source,
          targetBranch: target,
          title: spec.title,
          description: spec.description ?? '',
          authorId,
          squash: spec.squash ?? false,
          at,
        });
        for (const name of spec.labels ?? []) {
          mr.labels.push(ensureLabel(ctx.state, p, name).name);
          mr.labelEvents.push({ label: name, action: 'add', at, userId: authorId });
        }
        mr.approvalsRequired = spec.approvals?.required ?? 0;
        for (const userId of spec.approvals?.by ?? []) mr.approvedBy.push({ userId, at: tick() });
        const state = spec.state ?? 'merged';
        if (state === 'closed') {
          mr.state = 'closed';
          mr.updatedAt = tick();
        } else if (state === 'merged') {
          const mergerId = spec.mergedBy ?? ctx.adminId;
          const outcome = await mergeMergeRequest(p, mr, {
            method: spec.mergeMethod ?? p.mergeMethod,
            squash: spec.squash ?? false,
            user: { id: mergerId, ...signature(mergerId) },
            squashAuthor: signature(authorId),
          });
          if (outcome.kind !== 'merged') throw new Error(`cannot merge !${mr.iid} in ${path}: ${outcome.kind}`);
        }
        return mr;
      },
      async cherryPick(sha, branch) {
        const picked = await readCommit(repo, sha);
        if (!picked) throw new Error(`unknown commit ${sha} in ${path}`);
        const outcome = await applyCommit(repo, {
          mode: 'cherry-pick',
          commit: picked,
          branch,
          message: await cherryPickMessage(p, picked),
          author: { name: picked.authorName, email: picked.authorEmail, date: picked.authoredDate },
          committer: signature(ctx.adminId),
          dryRun: false,
        });
        if (outcome.kind !== 'applied')
          throw new Error(`cherry-pick of ${sha} onto ${branch} in ${path}: ${outcome.kind}`);
        return outcome.sha;
      },
    };
    return builder;
  }

  return {
    user(username, opts = {}) {
      const user: SimUser = {
        id: ctx.state.nextId('user'),
        username,
        name: opts.name ?? username,
        email: `${username}@sim.invalid`,
      };
      ctx.state.users.push(user);
      const token = opts.token ?? `glpat-${username}-${user.id}-${Math.random().toString(36).slice(2, 12)}`;
      ctx.state.tokens.push({ value: token, userId: user.id, kind: 'personal' });
      return { user, token };
    },
    project,
    tick,
  };
}
