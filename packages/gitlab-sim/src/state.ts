/**
 * The simulator's state: users, tokens, projects and everything GitLab keeps in its
 * database. Repository content is NOT here: it lives in real bare git repositories on
 * disk and is always read with native git.
 */

import { type RealisticSwitches, resolveRealistic } from './realistic.js';

/** GitLab access levels. */
export const ACCESS = { none: 0, guest: 10, reporter: 20, developer: 30, maintainer: 40, owner: 50 } as const;

/** A GitLab user. */
export interface SimUser {
  readonly id: number;
  readonly username: string;
  readonly name: string;
  readonly email: string;
}

/** An access token (personal, job or OAuth) and whom it authenticates. */
export interface SimToken {
  readonly value: string;
  readonly userId: number;
  readonly kind: 'personal' | 'job' | 'oauth';
  /** For job tokens: the project whose job owns the token. */
  readonly projectId?: number;
  revoked?: boolean;
  /** A personal access token's name (`/personal_access_tokens/self`); `sim` when unset. */
  name?: string;
  /** A personal access token's scopes; `['api']` when unset. */
  scopes?: string[];
  /** A personal access token's expiry date (`YYYY-MM-DD`), or null for none. */
  expiresAt?: string | null;
}

/** What `/version` and `/metadata` report: the instance's version, revision and edition. */
export interface SimInstance {
  /** GitLab's version string, e.g. `18.6.0-ee` or `16.11.2`. */
  version: string;
  revision: string;
  /** Enterprise Edition. */
  enterprise: boolean;
  /** The agent server for Kubernetes (KAS); off by default. */
  kas: { enabled: boolean; externalUrl: string | null; externalK8sProxyUrl: string | null; version: string | null };
}

/** The instance the simulator reports when nothing else is asked for. */
export const DEFAULT_SIM_INSTANCE: Readonly<SimInstance> = {
  version: '18.6.0',
  revision: '5f1e2d3c4b0',
  enterprise: false,
  kas: { enabled: false, externalUrl: null, externalK8sProxyUrl: null, version: null },
};

/** A protected-branch rule: who may push and merge, and whether force pushes are allowed. */
export interface SimProtectedBranch {
  readonly name: string;
  pushAccessLevel: number;
  mergeAccessLevel: number;
  allowForcePush: boolean;
}

/** A project label. */
export interface SimLabel {
  readonly id: number;
  name: string;
  color: string;
  description: string | null;
}

/** A note (comment) on a merge request. */
export interface SimNote {
  readonly id: number;
  body: string;
  readonly authorId: number;
  readonly createdAt: string;
  updatedAt: string;
  readonly system: boolean;
  readonly internal: boolean;
}

/** A merge request as GitLab stores it. */
export interface SimMergeRequest {
  readonly id: number;
  readonly iid: number;
  readonly projectId: number;
  title: string;
  description: string;
  state: 'opened' | 'closed' | 'merged' | 'locked';
  readonly sourceBranch: string;
  readonly targetBranch: string;
  readonly authorId: number;
  /** Diff head: the last commit of the source branch. */
  sha: string;
  mergeCommitSha: string | null;
  squashCommitSha: string | null;
  squash: boolean;
  mergedAt: string | null;
  mergeUserId: number | null;
  labels: string[];
  /** Label name -> when it was added (ISO UTC), for label events. */
  labelEvents: { label: string; action: 'add' | 'remove'; at: string; userId: number }[];
  approvalsRequired: number;
  approvedBy: { userId: number; at: string }[];
  notes: SimNote[];
  readonly createdAt: string;
  updatedAt: string;
  diffBaseSha: string;
  diffStartSha: string;
}

/** A project: its metadata, members, labels, MRs and the path of its bare repository. */
export interface SimProject {
  readonly id: number;
  /** `namespace/name`. */
  readonly path: string;
  readonly name: string;
  readonly namespace: string;
  defaultBranch: string;
  /** Absolute path of the bare repository. */
  readonly repoDir: string;
  /** How MRs in this project are merged. */
  mergeMethod: 'merge' | 'rebase_merge' | 'ff';
  readonly members: Map<number, number>;
  readonly protectedBranches: Map<string, SimProtectedBranch>;
  readonly labels: SimLabel[];
  readonly mergeRequests: SimMergeRequest[];
  readonly createdAt: string;
  /** The project's CI/CD configuration file (`ci_config_path`); `.gitlab-ci.yml` when unset. */
  ciConfigPath?: string;
  /**
   * A project-level approval rule (EE `POST /projects/:id/approval_rules`, any eligible approver): the
   * approvals every new merge request needs; 0 or unset, none.
   */
  approvalsBeforeMerge?: number;
  /**
   * "Pipelines must succeed" (`only_allow_merge_if_pipeline_succeeds`): an MR merges only once the pipeline
   * of its head succeeded, and opening one runs a `merge_request_event` pipeline on its source branch.
   */
  onlyAllowMergeIfPipelineSucceeds?: boolean;
  /** Minimum role allowed to set pipeline variables (GitLab's ci_pipeline_variables_minimum_override_role). */
  pipelineVariablesMinimumRole: number;
  /** CI state per project (pipelines, jobs, environments, deployments); owned by the CI engine. */
  readonly ci: Record<string, unknown>;
}

/** The whole mutable state with id counters, shared by every handler. */
export class SimState {
  /** The realistic-mode switches this simulator runs with (all off: the cooperative mode). */
  realistic: RealisticSwitches = resolveRealistic(undefined);
  /** Whether POST /api/graphql is served (false: refused with 404, as an instance or proxy blocking it). */
  graphql = true;
  /** What `/version` and `/metadata` report (tests may change it). */
  instance: SimInstance = { ...DEFAULT_SIM_INSTANCE, kas: { ...DEFAULT_SIM_INSTANCE.kas } };
  readonly users: SimUser[] = [];
  readonly tokens: SimToken[] = [];
  readonly projects: SimProject[] = [];
  private readonly counters = new Map<string, number>();

  /** The next id of a sequence (`project`, `mr`, `note`, `pipeline`, `job`, ...), starting at 1. */
  nextId(sequence: string): number {
    const n = (this.counters.get(sequence) ?? 0) + 1;
    this.counters.set(sequence, n);
    return n;
  }

  /** Finds a project by numeric id or by its full path (already URL-decoded). */
  findProject(idOrPath: string | number): SimProject | undefined {
    if (typeof idOrPath === 'number' || /^\d+$/.test(idOrPath)) {
      const id = Number(idOrPath);
      return this.projects.find((p) => p.id === id);
    }
    return this.projects.find((p) => p.path.toLowerCase() === idOrPath.toLowerCase());
  }

  /** The user a token authenticates, or undefined when the token is unknown or revoked. */
  userForToken(value: string): { user: SimUser; token: SimToken } | undefined {
    const token = this.tokens.find((t) => t.value === value && !t.revoked);
    if (!token) return undefined;
    const user = this.users.find((u) => u.id === token.userId);
    return user ? { user, token } : undefined;
  }

  /** The user with the given id. */
  user(id: number): SimUser | undefined {
    return this.users.find((u) => u.id === id);
  }

  /** A user's access level on a project (0 when not a member). */
  accessLevel(project: SimProject, userId: number): number {
    return project.members.get(userId) ?? ACCESS.none;
  }
}
