/**
 * The release lock (issue 23, S2/R3): one promotion at a time per target release branch, held on
 * GitLab itself so it works across machines and CI jobs. The lock is a branch in the target project,
 * `hotfix-release/lock/<release branch>`, whose newest commit carries `hotfix-release.lock.json`
 * (holder, promotion, MR, lease). Every change is ONE `POST /projects/:id/repository/commits`:
 *
 * - take a free lock: `branch` = the lock branch, `start_branch` = release and a `create` action.
 *   GitLab refuses it with 400 "A branch called '…' already exists" when the lock branch exists, and
 *   Gitaly creates the ref only if it is still absent, so of two promotions exactly one wins;
 * - renew, take over a stale lock (`--break-lock`), re-adopt one's own lock (`hotfix resume`) and
 *   release: an `update` action with `last_commit_id` = the lock commit read before. GitLab refuses
 *   with 400 "You are attempting to update a file that has changed since you started editing it"
 *   when the file changed since, and Gitaly moves the branch only from the commit it started from:
 *   a compare-and-swap, so two renewers or two breakers cannot both win. (GitLab ignores a
 *   `last_commit_id` that is not in the repository, gitlab-org/gitlab#438657; ours always is.)
 * - release is a compare-and-swap commit that marks the lock `released`; the branch stays. The
 *   branches API has no compare-and-swap delete, so deleting could remove a lock a second promotion
 *   had just taken between our read and our DELETE. A released lock is free: the next promotion
 *   takes it over with the same compare-and-swap.
 *
 * Every commit message starts with `[skip ci]`, so GitLab runs no pipeline for the lock branch.
 * The lease is judged from GitLab's clock where it can be: it ends `leaseMs` after the lock commit's
 * `committed_date` (the time GitLab wrote the commit), compared with the flow's clock.
 */
import { errAsync, type ResultAsync } from 'neverthrow';
import { z } from 'zod';
import { fromBody, must } from '../_internal/must.js';
import { type Clock, isoNow } from '../clock.js';
import { type HotfixError, hotfixError } from '../errors.js';
import type { GitLabClient } from '../gitlab-client.js';

/** The reserved branch namespace of release locks. */
export const LOCK_BRANCH_PREFIX = 'hotfix-release/lock/';

/** The file the lock commit carries. */
export const LOCK_FILE = 'hotfix-release.lock.json';

/** The lock branch of a release branch: `hotfix-release/lock/<release branch>`. */
export function lockBranchFor(releaseBranch: string): string {
  return `${LOCK_BRANCH_PREFIX}${releaseBranch}`;
}

/** Who takes a lock: the GitLab user, the promotion (same across resume), its MR and where it runs. */
export interface LockIdentity {
  readonly username: string;
  readonly id?: number | undefined;
  /** `<mr project>!<iid>@<startedAt>`: the promotion, the same across `hotfix resume`. */
  readonly promotionId: string;
  /** The hotfix MR, `group/project!iid`. */
  readonly mr: string;
  /** The journal's file name, so an operator can find the run. */
  readonly journal?: string | undefined;
  /** The machine or CI job the promotion runs on. */
  readonly host?: string | undefined;
}

const holderSchema = z.object({
  username: z.string().min(1),
  id: z.number().int().optional(),
  promotionId: z.string().min(1),
  mr: z.string().min(1),
  journal: z.string().optional(),
  host: z.string().optional(),
});

/** The lock file, as written (extra fields tolerated, so a newer writer's file still reads). */
const lockFileSchema = z.looseObject({
  format: z.literal('hotfix-release-lock'),
  version: z.literal(1),
  state: z.enum(['held', 'released']),
  /**
   * One more on every write: no two writes carry the same content, so the file's last commit always
   * moves (an unchanged file would leave GitLab's `last_commit_id` check nothing to see).
   */
  generation: z.number().int().positive(),
  holder: holderSchema,
  acquiredAt: z.string(),
  leaseMs: z.number().int().positive(),
  /** The writer's estimate, for people reading the branch; the lease is judged from committed_date. */
  leaseExpiresAt: z.string(),
  brokenFrom: z.object({ holder: holderSchema, leaseExpiresAt: z.string(), commit: z.string() }).optional(),
});

/** The lock file's content. */
export type LockFile = z.output<typeof lockFileSchema>;

/** A release lock as GitLab shows it now. */
export interface ReleaseLock {
  readonly project: string;
  readonly releaseBranch: string;
  readonly lockBranch: string;
  /** The lock branch's head: the commit a compare-and-swap must name. */
  readonly commit: string;
  /** GitLab's time of that commit. */
  readonly committedAt: string;
  /** The lock file; undefined when the branch holds no readable lock file (treated as held by someone unknown). */
  readonly file: LockFile | undefined;
  /** `committedAt` plus the lease. */
  readonly leaseExpiresAt: string;
}

/** What a lock looks like from a promotion's side. */
export type LockView = 'free' | 'ours' | 'held' | 'stale';

/** How `promotion` sees `lock` at `now`: free (released), ours, held by someone else, or held with its lease run out. */
export function viewLock(lock: ReleaseLock | undefined, promotionId: string, now: number): LockView {
  if (!lock || lock.file?.state === 'released') return 'free';
  if (lock.file?.holder.promotionId === promotionId) return 'ours';
  return Date.parse(lock.leaseExpiresAt) <= now ? 'stale' : 'held';
}

const branchHeadSchema = z.object({
  commit: z.object({ id: z.string(), committed_date: z.string().optional(), created_at: z.string().optional() }),
});
const createdCommitSchema = z.object({
  id: z.string(),
  committed_date: z.string().optional(),
  created_at: z.string().optional(),
});

function gitlabTime(c: { committed_date?: string | undefined; created_at?: string | undefined }, clock: Clock): string {
  const t = Date.parse(c.committed_date ?? c.created_at ?? '');
  return Number.isNaN(t) ? isoNow(clock) : new Date(t).toISOString();
}

function leaseEnd(committedAt: string, file: LockFile | undefined): string {
  return new Date(Date.parse(committedAt) + (file?.leaseMs ?? 0)).toISOString();
}

function isNotFound(e: HotfixError): boolean {
  return e.code === 'gitlab-not-found';
}

/**
 * Reads the lock of `releaseBranch` in `project` (GET the lock branch, then the lock file at its
 * head); undefined when there is no lock branch.
 *
 * Errors: transport errors.
 */
export function readReleaseLock(
  client: GitLabClient,
  project: string,
  releaseBranch: string,
): ResultAsync<ReleaseLock | undefined, HotfixError> {
  return fromBody(readLock(client, project, releaseBranch));
}

async function readLock(
  client: GitLabClient,
  project: string,
  releaseBranch: string,
): Promise<ReleaseLock | undefined> {
  const lockBranch = lockBranchFor(releaseBranch);
  const branch = await client.request(
    { method: 'GET', route: '/projects/:id/repository/branches/:branch', params: { id: project, branch: lockBranch } },
    branchHeadSchema,
  );
  if (branch.isErr()) {
    if (isNotFound(branch.error)) return undefined;
    throw branch.error;
  }
  const commit = branch.value.commit;
  const raw = await client.rawFile(project, LOCK_FILE, commit.id);
  if (raw.isErr() && !isNotFound(raw.error)) throw raw.error;
  const file = raw.isOk() ? parseLockFile(raw.value) : undefined;
  const committedAt = gitlabTime(commit, client.clock);
  return {
    project,
    releaseBranch,
    lockBranch,
    commit: commit.id,
    committedAt,
    file,
    leaseExpiresAt: leaseEnd(committedAt, file),
  };
}

function parseLockFile(text: string): LockFile | undefined {
  try {
    const v = lockFileSchema.safeParse(JSON.parse(text));
    return v.success ? v.data : undefined;
  } catch {
    return undefined;
  }
}

/** What a lock write says. */
interface LockWrite {
  readonly project: string;
  readonly releaseBranch: string;
  readonly identity: LockIdentity;
  readonly leaseMs: number;
  readonly clock: Clock;
  /** The state to write: `held` (take, renew, take over) or `released`. */
  readonly state: 'held' | 'released';
  /** When the holder first took it (kept across renewals). */
  readonly acquiredAt?: string | undefined;
  readonly brokenFrom?: LockFile['brokenFrom'];
  /** The lock being replaced (its generation is counted on). */
  readonly previous?: ReleaseLock | undefined;
}

function lockContent(w: LockWrite): string {
  const now = isoNow(w.clock);
  const file: LockFile = {
    format: 'hotfix-release-lock',
    version: 1,
    state: w.state,
    generation: (w.previous?.file?.generation ?? 0) + 1,
    holder: {
      username: w.identity.username,
      ...(w.identity.id !== undefined ? { id: w.identity.id } : {}),
      promotionId: w.identity.promotionId,
      mr: w.identity.mr,
      ...(w.identity.journal ? { journal: w.identity.journal } : {}),
      ...(w.identity.host ? { host: w.identity.host } : {}),
    },
    acquiredAt: w.acquiredAt ?? now,
    leaseMs: w.leaseMs,
    leaseExpiresAt: new Date(w.clock.now() + w.leaseMs).toISOString(),
    ...(w.brokenFrom ? { brokenFrom: w.brokenFrom } : {}),
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}

function commitMessage(w: LockWrite, verb: string): string {
  return `[skip ci] hotfix-release lock: ${verb} ${w.releaseBranch} for ${w.identity.mr} (${w.identity.username})\n`;
}

/** One lock commit: `create` on a new branch from release, or a compare-and-swap `update`. */
function writeLock(
  client: GitLabClient,
  w: LockWrite,
  how: { readonly create: true } | { readonly lastCommitId: string; readonly verb: string },
): ResultAsync<ReleaseLock, HotfixError> {
  const lockBranch = lockBranchFor(w.releaseBranch);
  const content = lockContent(w);
  const action =
    'create' in how
      ? { action: 'create', file_path: LOCK_FILE, content }
      : { action: 'update', file_path: LOCK_FILE, content, last_commit_id: how.lastCommitId };
  const body = {
    branch: lockBranch,
    ...('create' in how ? { start_branch: w.releaseBranch } : {}),
    commit_message: commitMessage(w, 'create' in how ? 'take' : how.verb),
    actions: [action],
  };
  return client
    .request(
      { method: 'POST', route: '/projects/:id/repository/commits', params: { id: w.project }, body },
      createdCommitSchema,
    )
    .map((c) => {
      const committedAt = gitlabTime(c, w.clock);
      const file = parseLockFile(content);
      return {
        project: w.project,
        releaseBranch: w.releaseBranch,
        lockBranch,
        commit: c.id,
        committedAt,
        file,
        leaseExpiresAt: leaseEnd(committedAt, file),
      };
    });
}

/** The outcome of one attempt to take a lock. */
export type TakeOutcome =
  | { readonly kind: 'acquired'; readonly lock: ReleaseLock }
  /** Our own lock (same promotion id), renewed: `hotfix resume` of the holder. */
  | { readonly kind: 'adopted'; readonly lock: ReleaseLock }
  /** A stale lock taken over (`breakStale`); `from` is what it was. */
  | { readonly kind: 'broken'; readonly lock: ReleaseLock; readonly from: ReleaseLock }
  | { readonly kind: 'held' | 'stale'; readonly lock: ReleaseLock };

/** Options of one take attempt. */
export interface TakeOptions {
  readonly project: string;
  readonly releaseBranch: string;
  readonly identity: LockIdentity;
  readonly leaseMs: number;
  /** Take over a lock whose lease ran out (`--break-lock`). */
  readonly breakStale: boolean;
  readonly clock: Clock;
}

/**
 * One attempt to take the lock of a release branch (no waiting: the caller waits and retries). A
 * free lock is taken, our own re-adopted, a stale one taken over only with `breakStale`; a lock
 * held by another promotion is reported with its holder. A write that loses a race reads again
 * (at most three rounds), so a take never fails for a lock that changed hands meanwhile.
 *
 * Errors: transport errors; `lock-lost` when the lock kept changing under three rounds.
 */
export function tryTakeReleaseLock(client: GitLabClient, o: TakeOptions): ResultAsync<TakeOutcome, HotfixError> {
  return fromBody(take(client, o));
}

async function take(client: GitLabClient, o: TakeOptions): Promise<TakeOutcome> {
  const w: LockWrite = { ...o, state: 'held' };
  for (let round = 0; round < 3; round++) {
    const lock = await must(readReleaseLock(client, o.project, o.releaseBranch));
    const view = viewLock(lock, o.identity.promotionId, o.clock.now());
    if (!lock) {
      const created = await writeLock(client, w, { create: true });
      if (created.isOk()) return { kind: 'acquired', lock: created.value };
      if (!isLostRace(created.error)) throw created.error;
      continue;
    }
    if (view === 'held' || (view === 'stale' && !o.breakStale)) return { kind: view, lock };
    const swapped = await writeLock(
      client,
      { ...swapWrite(w, lock, view), previous: lock },
      {
        lastCommitId: lock.commit,
        verb: view === 'ours' ? 'renew' : view === 'stale' ? 'break' : 'take',
      },
    );
    if (swapped.isErr()) {
      if (!isLostRace(swapped.error)) throw swapped.error;
      continue;
    }
    if (view === 'ours') return { kind: 'adopted', lock: swapped.value };
    if (view === 'stale') return { kind: 'broken', lock: swapped.value, from: lock };
    return { kind: 'acquired', lock: swapped.value };
  }
  throw lockLost(
    o.project,
    o.releaseBranch,
    'the lock changed hands three times while this promotion tried to take it',
  );
}

function swapWrite(w: LockWrite, lock: ReleaseLock, view: LockView): LockWrite {
  if (view === 'ours') return { ...w, acquiredAt: lock.file?.acquiredAt };
  if (view !== 'stale' || !lock.file) return w;
  return {
    ...w,
    brokenFrom: { holder: lock.file.holder, leaseExpiresAt: lock.leaseExpiresAt, commit: lock.commit },
  };
}

/**
 * A write refused because someone else wrote first: the branch exists (create), the file changed
 * since `last_commit_id` (update), or the branch moved under the commit (Gitaly's ref update).
 * Every 400 of this endpoint for our own well-formed request is one of those; the read that
 * follows tells which.
 */
function isLostRace(e: HotfixError): boolean {
  return e.code === 'gitlab-http' && e.details.status === 400;
}

function lockLost(project: string, releaseBranch: string, reason: string): HotfixError {
  return hotfixError(
    'lock-lost',
    `The release lock of ${project} ${releaseBranch} is no longer this promotion's: ${reason}. Nothing more is changed; check "hotfix status" and release before going on (R3).`,
    { runbookRef: 'R3', details: { project, lockBranch: lockBranchFor(releaseBranch), reason } },
  );
}

/**
 * Renews our lock with a compare-and-swap on the commit we last wrote; `lock-lost` when GitLab
 * shows it is no longer ours (taken over after its lease ran out, or released by `hotfix abandon`).
 *
 * Errors: `lock-lost`, transport errors.
 */
export function renewReleaseLock(
  client: GitLabClient,
  held: ReleaseLock,
  o: Omit<TakeOptions, 'breakStale' | 'project' | 'releaseBranch'>,
): ResultAsync<ReleaseLock, HotfixError> {
  const w: LockWrite = {
    ...o,
    project: held.project,
    releaseBranch: held.releaseBranch,
    state: 'held',
    previous: held,
    acquiredAt: held.file?.acquiredAt,
    ...(held.file?.brokenFrom ? { brokenFrom: held.file.brokenFrom } : {}),
  };
  return writeLock(client, w, { lastCommitId: held.commit, verb: 'renew' }).orElse((e) =>
    isLostRace(e) || isNotFound(e)
      ? errAsync(lockLost(held.project, held.releaseBranch, 'it changed since this promotion last renewed it'))
      : errAsync(e),
  );
}

/** What a release found. */
export type ReleaseOutcome = 'released' | 'absent' | 'not-ours' | 'already-released';

/**
 * Releases the lock of `releaseBranch` if it is still `promotionId`'s: a compare-and-swap commit
 * marking it released (never a delete, see the module comment). Someone else's lock is left alone.
 *
 * Errors: transport errors; `lock-lost` when it changed hands between the read and the write.
 */
export function releaseReleaseLock(
  client: GitLabClient,
  o: Omit<TakeOptions, 'breakStale'>,
): ResultAsync<ReleaseOutcome, HotfixError> {
  return fromBody(release(client, o));
}

async function release(client: GitLabClient, o: Omit<TakeOptions, 'breakStale'>): Promise<ReleaseOutcome> {
  const lock = await must(readReleaseLock(client, o.project, o.releaseBranch));
  if (!lock) return 'absent';
  if (lock.file?.state === 'released') return 'already-released';
  if (lock.file?.holder.promotionId !== o.identity.promotionId) return 'not-ours';
  const w: LockWrite = { ...o, state: 'released', previous: lock, acquiredAt: lock.file.acquiredAt };
  const r = await writeLock(client, w, { lastCommitId: lock.commit, verb: 'release' });
  if (r.isOk()) return 'released';
  if (isLostRace(r.error)) throw lockLost(o.project, o.releaseBranch, 'it changed hands before it could be released');
  throw r.error;
}

/** The `lock-held` or `lock-stale` error naming the holder of `lock` (S2/R3). */
export function lockHeldError(lock: ReleaseLock, kind: 'held' | 'stale', waitedMs: number): HotfixError {
  const h = lock.file?.holder ?? { username: 'unknown', promotionId: 'unknown', mr: 'unknown' };
  const holder = { username: h.username, promotionId: h.promotionId, mr: h.mr };
  const base = {
    project: lock.project,
    releaseBranch: lock.releaseBranch,
    lockBranch: lock.lockBranch,
    holder,
    leaseExpiresAt: lock.leaseExpiresAt,
  };
  const who = `${h.username} (promoting ${h.mr}${h.host ? ` on ${h.host}` : ''})`;
  if (kind === 'stale')
    return hotfixError(
      'lock-stale',
      `The release lock of ${lock.project} ${lock.releaseBranch} is held by ${who}, whose lease ran out at ${lock.leaseExpiresAt}; its promotion may have been killed. Check with ${h.username}, then take it over with --break-lock (recorded in the evidence), or release it with "hotfix abandon" on their journal (R3).`,
      { runbookRef: 'R3', details: base },
    );
  return hotfixError(
    'lock-held',
    `The release lock of ${lock.project} ${lock.releaseBranch} is held by ${who}; its lease runs until ${lock.leaseExpiresAt}${waitedMs > 0 ? ` (waited ${Math.round(waitedMs / 1000)} s)` : ''}. Nothing was changed; try again when that promotion ends (S2).`,
    { runbookRef: 'S2', details: { ...base, waitedMs } },
  );
}
