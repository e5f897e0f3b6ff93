import { afterEach, describe, expect, it } from 'vitest';
import { makeReleaseWorld, type ReleaseWorld, TARGET } from '../../test/release-world.js';
import {
  LOCK_FILE,
  type LockIdentity,
  lockBranchFor,
  readReleaseLock,
  releaseReleaseLock,
  renewReleaseLock,
  tryTakeReleaseLock,
} from './release-lock.js';

const alice: LockIdentity = {
  username: 'alice',
  promotionId: `${TARGET}!7@2026-03-02T10:00:00.000Z`,
  mr: `${TARGET}!7`,
};
const bob: LockIdentity = { username: 'bob', promotionId: `${TARGET}!8@2026-03-02T10:00:01.000Z`, mr: `${TARGET}!8` };
const LEASE = 10 * 60_000;
const enc = encodeURIComponent(TARGET);

describe('the release lock on GitLab (S2/R3)', () => {
  let w: ReleaseWorld;
  afterEach(() => w?.close());
  const take = (identity: LockIdentity, breakStale = false) =>
    tryTakeReleaseLock(w.client, {
      project: TARGET,
      releaseBranch: 'release',
      identity,
      leaseMs: LEASE,
      breakStale,
      clock: w.clock,
    });

  it('is taken by exactly one of two promotions that try at once, and names its holder to the other', async () => {
    w = await makeReleaseWorld();
    const [a, b] = await Promise.all([take(alice), take(bob)]);
    const kinds = [a._unsafeUnwrap().kind, b._unsafeUnwrap().kind].sort();
    expect(kinds).toEqual(['acquired', 'held']);
    const lock = (await readReleaseLock(w.client, TARGET, 'release'))._unsafeUnwrap();
    const winner = a._unsafeUnwrap().kind === 'acquired' ? alice : bob;
    expect(lock?.file).toMatchObject({ state: 'held', holder: { username: winner.username, mr: winner.mr } });
    // The lease ends leaseMs after GitLab's commit time.
    expect(Date.parse(lock?.leaseExpiresAt ?? '') - Date.parse(lock?.committedAt ?? '')).toBe(LEASE);
    // One commit created the branch from release; no pipeline ran for it ([skip ci]).
    const branch = await w.api(
      'GET',
      `/projects/${enc}/repository/branches/${encodeURIComponent(lockBranchFor('release'))}`,
    );
    expect((branch.body as { commit: { title: string } }).commit.title).toMatch(
      /^\[skip ci\] hotfix-release lock: take/,
    );
    const pipelines = await w.api(
      'GET',
      `/projects/${enc}/pipelines?ref=${encodeURIComponent(lockBranchFor('release'))}`,
    );
    expect(pipelines.body).toEqual([]);
  });

  it('GitLab refuses a second create from start_branch and a stale last_commit_id (compare-and-swap)', async () => {
    w = await makeReleaseWorld();
    const first = (await take(alice))._unsafeUnwrap();
    const again = await w.api('POST', `/projects/${enc}/repository/commits`, {
      branch: lockBranchFor('release'),
      start_branch: 'release',
      commit_message: '[skip ci] x',
      actions: [{ action: 'create', file_path: LOCK_FILE, content: '{}' }],
    });
    expect(again.status).toBe(400);
    expect(JSON.stringify(again.body)).toContain('already exists');
    const renewed = (
      await renewReleaseLock(w.client, first.lock, { identity: alice, leaseMs: LEASE, clock: w.clock })
    )._unsafeUnwrap();
    expect(renewed.commit).not.toBe(first.lock.commit);
    // A second renewal from the same (now old) commit loses: the file changed since.
    const stale = await w.api('POST', `/projects/${enc}/repository/commits`, {
      branch: lockBranchFor('release'),
      commit_message: '[skip ci] x',
      actions: [{ action: 'update', file_path: LOCK_FILE, content: '{}', last_commit_id: first.lock.commit }],
    });
    expect(stale).toEqual({
      status: 400,
      body: { message: 'You are attempting to update a file that has changed since you started editing it.' },
    });
    const lost = await renewReleaseLock(w.client, first.lock, { identity: alice, leaseMs: LEASE, clock: w.clock });
    expect(lost._unsafeUnwrapErr()).toMatchObject({ code: 'lock-lost', runbookRef: 'R3' });
  });

  it('is re-adopted by its own promotion, refused to others until the lease runs out, then broken only on request', async () => {
    w = await makeReleaseWorld();
    expect((await take(alice))._unsafeUnwrap().kind).toBe('acquired');
    expect((await take(alice))._unsafeUnwrap().kind).toBe('adopted');
    expect((await take(bob, true))._unsafeUnwrap().kind).toBe('held');
    await w.advance(LEASE + 1_000);
    expect((await take(bob))._unsafeUnwrap().kind).toBe('stale');
    const broken = (await take(bob, true))._unsafeUnwrap();
    expect(broken.kind).toBe('broken');
    expect(broken.lock.file).toMatchObject({
      holder: { username: 'bob' },
      brokenFrom: { holder: { username: 'alice' } },
    });
    // Alice's renewal after the takeover is refused: she has lost it.
    const aliceLock = broken.kind === 'broken' ? broken.from : broken.lock;
    const lost = await renewReleaseLock(w.client, aliceLock, { identity: alice, leaseMs: LEASE, clock: w.clock });
    expect(lost._unsafeUnwrapErr().code).toBe('lock-lost');
    // Alice's release leaves Bob's lock alone; Bob's release frees it for the next promotion.
    const opts = { project: TARGET, releaseBranch: 'release', leaseMs: LEASE, clock: w.clock };
    expect((await releaseReleaseLock(w.client, { ...opts, identity: alice }))._unsafeUnwrap()).toBe('not-ours');
    expect((await releaseReleaseLock(w.client, { ...opts, identity: bob }))._unsafeUnwrap()).toBe('released');
    expect((await releaseReleaseLock(w.client, { ...opts, identity: bob }))._unsafeUnwrap()).toBe('already-released');
    expect((await take(alice))._unsafeUnwrap().kind).toBe('acquired');
  });
});
