/**
 * The release lock in a promotion (S2/R3, issue 23): taken for every target after preflight and
 * before the first side effect (targets in a fixed order, so two multi-target promotions never wait
 * on each other), waited for with progress naming the holder or refused at once, renewed by the
 * flow's clock while it waits, journaled as evidence, and released when the promotion ends.
 */
import type { LockRecord, TargetRecord } from '@hotfix-release/evidence';
import type { Clock } from '../clock.js';
import { type HotfixError, hotfixError, isHotfixError } from '../errors.js';
import type { GitLabClient } from '../gitlab-client.js';
import {
  type LockIdentity,
  lockHeldError,
  type ReleaseLock,
  releaseReleaseLock,
  renewReleaseLock,
  type TakeOutcome,
  tryTakeReleaseLock,
} from '../primitives/release-lock.js';
import type { PromoteSettings } from './_promote-options.js';
import type { PromotionTargetResult } from './_promote-target.js';
import type { Runner } from './_runner.js';

/** The lock settings of a promotion. */
export type LockSettings = PromoteSettings['lock'];

/** One target's lock as the promotion holds it. */
interface Held {
  readonly target: string;
  lock: ReleaseLock;
  record: LockRecord;
  renewedAt: number;
}

/** The locks of one promotion: take, renew (through the flow's clock), release. */
export interface LockGuard {
  /** The signal the flow runs under: the caller's, and aborted with `lock-lost` when a lock is lost. */
  readonly signal: AbortSignal | undefined;
  /** The flow's clock, renewing every held lock when half its lease has passed, before each sleep. */
  wrap(clock: Clock): Clock;
  /** Takes each target's lock (waiting or refusing as configured); throws `lock-held`/`lock-stale`. */
  acquire(targets: readonly { target: string; branch: string }[], runner: Runner): Promise<void>;
  /** The evidence record of a target's lock, when one is held. */
  recordFor(target: string): LockRecord | undefined;
  /** Releases each target's lock whose promotion ended (see {@link keepsLock}); journals `releasedAt`. */
  finish(results: readonly PromotionTargetResult[], runner: Runner): Promise<void>;
}

/** What the guard is built from. */
export interface LockGuardDeps {
  readonly client: GitLabClient;
  readonly identity: LockIdentity;
  readonly settings: LockSettings;
  readonly signal: AbortSignal | undefined;
  /** Whether the promotion has a journal (only then can it be resumed or abandoned). */
  readonly journaled: boolean;
}

/**
 * Whether a target's lock stays held after its run: while it waits for a human or timed out
 * (pending: `hotfix resume` continues under it) and after an R3 stop (release is in doubt until an
 * operator recovers it and runs `hotfix abandon`), unless the operator stopped it with Ctrl-C. A
 * promotion without a journal can be neither resumed nor abandoned, so it always releases.
 */
export function keepsLock(result: PromotionTargetResult, interrupted: boolean, journaled: boolean): boolean {
  if (result.reason === 'error' && result.error?.code === 'lock-lost') return true;
  if (interrupted || !journaled) return false;
  return result.outcome === 'pending' || result.reason === 'drift';
}

/** Creates the lock guard of one promotion (a no-op guard when the lock is disabled). */
export function createLockGuard(deps: LockGuardDeps): LockGuard {
  const held = new Map<string, Held>();
  const lost = new AbortController();
  const signal = deps.signal ? AbortSignal.any([deps.signal, lost.signal]) : lost.signal;
  if (!deps.settings.enabled)
    return {
      signal: deps.signal,
      wrap: (c) => c,
      acquire: async () => {},
      recordFor: () => undefined,
      finish: async () => {},
    };
  const renewAll = async (clock: Clock) => {
    for (const h of held.values()) {
      if (lost.signal.aborted || clock.now() - h.renewedAt < deps.settings.leaseMs / 2) continue;
      const r = await renewReleaseLock(deps.client, h.lock, {
        identity: deps.identity,
        leaseMs: deps.settings.leaseMs,
        clock,
      });
      if (r.isOk()) {
        h.lock = r.value;
        h.renewedAt = clock.now();
        h.record = { ...h.record, leaseExpiresAt: r.value.leaseExpiresAt };
      } else if (r.error.code === 'lock-lost' || clock.now() >= Date.parse(h.lock.leaseExpiresAt)) {
        lost.abort(r.error.code === 'lock-lost' ? r.error : lockLostBy(h, r.error));
      }
    }
  };
  return {
    signal,
    wrap: (clock) => renewingClock(clock, deps.settings.leaseMs, renewAll),
    async acquire(targets, runner) {
      // Project paths in code-point order (never the locale's): every promotion takes the same locks in
      // the same order, so two multi-repository promotions cannot each hold one and wait for the other.
      const ordered = [...targets].sort((a, b) => (a.target < b.target ? -1 : a.target > b.target ? 1 : 0));
      try {
        for (const t of ordered) held.set(t.target, await takeOne(deps, t, runner));
      } catch (e) {
        // Refused or interrupted part-way: give back what was taken, so nobody waits on a promotion that never ran.
        await releaseAll(deps, [...held.values()], runner.clock);
        held.clear();
        throw e;
      }
      for (const h of held.values()) await runner.journal({ step: 'lock', target: h.target, record: h.record });
    },
    recordFor: (target) => held.get(target)?.record,
    async finish(results, runner) {
      const interrupted = deps.signal?.aborted === true;
      for (const r of results) {
        const h = held.get(r.target);
        if (!h || r.error?.code === 'lock-lost') continue; // not ours any more: nothing to keep or release
        if (keepsLock(r, interrupted, deps.journaled)) {
          runner.progress(
            'lock',
            'done',
            `Keeping the release lock of ${h.lock.releaseBranch} (lease until ${h.record.leaseExpiresAt})`,
            r.target,
          );
          await runner.journal({ step: 'lock', target: r.target, record: h.record });
          continue;
        }
        const released = await releaseReleaseLock(deps.client, {
          project: r.target,
          releaseBranch: h.lock.releaseBranch,
          identity: deps.identity,
          leaseMs: deps.settings.leaseMs,
          clock: runner.clock,
        });
        if (released.isErr()) {
          runner.progress('lock', 'failed', `Could not release the release lock: ${released.error.message}`, r.target);
          continue;
        }
        h.record = { ...h.record, releasedAt: runner.nowIso() };
        r.record.lock = h.record;
        await runner.journal({ step: 'lock', target: r.target, record: h.record });
        runner.progress('lock', 'done', `Released the release lock of ${h.lock.releaseBranch}`, r.target);
      }
    },
  };
}

function lockLostBy(h: Held, cause: HotfixError): HotfixError {
  return hotfixError(
    'lock-lost',
    `The release lock of ${h.target} ${h.lock.releaseBranch} could not be renewed before its lease ran out (${cause.message}); this promotion stops before its next step (R3).`,
    {
      runbookRef: 'R3',
      details: { project: h.target, lockBranch: h.lock.lockBranch, reason: cause.message },
      cause,
    },
  );
}

/** A clock whose sleeps renew the locks first, and never sleep past a quarter of the lease at once. */
function renewingClock(clock: Clock, leaseMs: number, renew: (clock: Clock) => Promise<void>): Clock {
  const chunk = Math.max(1, Math.floor(leaseMs / 4));
  return {
    now: () => clock.now(),
    async sleep(ms, signal) {
      let left = ms;
      do {
        await renew(clock);
        if (signal?.aborted) return;
        const step = Math.min(left, chunk);
        await clock.sleep(step, signal);
        left -= step;
      } while (left > 0 && !signal?.aborted);
    },
  };
}

/** Takes one target's lock: waits (bounded, with progress naming the holder) or refuses. */
async function takeOne(deps: LockGuardDeps, t: { target: string; branch: string }, runner: Runner): Promise<Held> {
  const { settings } = deps;
  const clock = runner.clock;
  const start = clock.now();
  let told = '';
  for (;;) {
    const r = await tryTakeReleaseLock(deps.client, {
      project: t.target,
      releaseBranch: t.branch,
      identity: deps.identity,
      leaseMs: settings.leaseMs,
      breakStale: settings.breakStale,
      clock,
    });
    if (r.isErr()) throw r.error;
    const out = r.value;
    if (out.kind === 'acquired' || out.kind === 'adopted' || out.kind === 'broken')
      return taken(deps, t.target, out, runner);
    const waited = clock.now() - start;
    if (out.kind === 'stale' || !settings.wait || waited >= settings.maxWaitMs) {
      const e = lockHeldError(out.lock, out.kind, waited);
      runner.progress('lock', 'failed', e.message, t.target);
      throw e;
    }
    const news = `${out.lock.file?.holder.promotionId}@${out.lock.leaseExpiresAt}`;
    if (news !== told) {
      told = news;
      runner.progress('lock', 'start', waitingMessage(out.lock, settings.maxWaitMs - waited), t.target);
    }
    await clock.sleep(Math.min(settings.pollMs, settings.maxWaitMs - waited), deps.signal);
    if (deps.signal?.aborted)
      throw hotfixError('aborted', 'Stopped by the operator while waiting for the release lock; nothing was changed.', {
        runbookRef: 'S2',
        details: { reason: 'interrupted while waiting for the release lock' },
      });
  }
}

function waitingMessage(lock: ReleaseLock, leftMs: number): string {
  const h = lock.file?.holder;
  const who = h ? `${h.username} (promoting ${h.mr}${h.host ? ` on ${h.host}` : ''})` : 'an unknown holder';
  return `Waiting for the release lock of ${lock.project} ${lock.releaseBranch}: held by ${who}, lease until ${lock.leaseExpiresAt}; waiting at most ${Math.ceil(leftMs / 1000)} s more (S2)`;
}

function taken(
  deps: LockGuardDeps,
  target: string,
  out: Extract<TakeOutcome, { kind: 'acquired' | 'adopted' | 'broken' }>,
  runner: Runner,
): Held {
  const { lock } = out;
  const file = lock.file;
  const apiBranch = `${deps.client.gitlabUrl}/api/v4/projects/${encodeURIComponent(target)}/repository/branches/${encodeURIComponent(lock.lockBranch)}`;
  const holder = (h: NonNullable<typeof file>['holder']) => ({
    username: h.username,
    ...(h.id !== undefined ? { id: h.id } : {}),
    promotionId: h.promotionId,
    mr: h.mr,
  });
  const from = out.kind === 'broken' ? out.from : undefined;
  const record: LockRecord = runner.stamp({
    apiUrl: apiBranch,
    observedAt: '',
    branch: lock.lockBranch,
    releaseBranch: lock.releaseBranch,
    holder: holder(
      file?.holder ?? {
        username: deps.identity.username,
        promotionId: deps.identity.promotionId,
        mr: deps.identity.mr,
      },
    ),
    acquiredAt: new Date(Date.parse(file?.acquiredAt ?? lock.committedAt)).toISOString(),
    leaseExpiresAt: lock.leaseExpiresAt,
    ...(from?.file
      ? { brokenFrom: { holder: holder(from.file.holder), leaseExpiresAt: from.leaseExpiresAt, commit: from.commit } }
      : {}),
  });
  const verb = out.kind === 'adopted' ? 'Re-adopted' : out.kind === 'broken' ? 'Took over the stale' : 'Took';
  const was = from?.file
    ? ` (held by ${from.file.holder.username} for ${from.file.holder.mr}, lease ran out ${from.leaseExpiresAt})`
    : '';
  runner.progress(
    'lock',
    'done',
    `${verb} release lock of ${lock.releaseBranch}${was}; lease until ${lock.leaseExpiresAt}`,
    target,
  );
  return { target, lock, record, renewedAt: runner.clock.now() };
}

async function releaseAll(deps: LockGuardDeps, locks: readonly Held[], clock: Clock): Promise<void> {
  for (const h of locks) {
    await releaseReleaseLock(deps.client, {
      project: h.target,
      releaseBranch: h.lock.releaseBranch,
      identity: deps.identity,
      leaseMs: deps.settings.leaseMs,
      clock,
    });
  }
}

/** Attaches the held lock's record to a target record (the bundle without a journal carries it too). */
export function attachLock(record: TargetRecord, lock: LockRecord | undefined): void {
  if (lock) record.lock = lock;
}

/** The stop of a step the lock guard aborted: a `lock-lost` error, or undefined for the operator's Ctrl-C. */
export function lockLostReason(signal: AbortSignal | undefined): HotfixError | undefined {
  const reason = signal?.aborted ? (signal.reason as unknown) : undefined;
  return isHotfixError(reason) && reason.code === 'lock-lost' ? reason : undefined;
}
