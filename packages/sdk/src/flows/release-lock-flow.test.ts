/**
 * The release lock inside one promotion (issue 23): renewed while the flow waits, released on Ctrl-C,
 * and a lock taken away meanwhile stops the promotion before its next step (R3, nothing more written).
 */
import { demoScenarioInfo as demo } from '@hotfix-release/gitlab-sim';
import { afterEach, describe, expect } from 'vitest';
import { itWithRealisticFailures } from '../../../../test-support/sim-mode.js';
import { makeReleaseWorld, promotionConfig, type ReleaseWorld } from '../../test/release-world.js';
import { LOCK_FILE, lockBranchFor, readReleaseLock } from '../primitives/release-lock.js';
import { promoteHotfix } from './promote-hotfix.js';

const it = itWithRealisticFailures([]);
const MAIN = demo.mergeRequests.cleanPick.project;
const enc = encodeURIComponent(MAIN);
const LOCK = lockBranchFor('release');

describe('the release lock in a promotion', () => {
  let w: ReleaseWorld;
  afterEach(() => w?.close());
  const lockCommits = async () => {
    const r = await w.api(
      'GET',
      `/projects/${enc}/repository/commits?ref_name=${encodeURIComponent(LOCK)}&per_page=100`,
    );
    return (r.body as { title: string }[])
      .map((c) => c.title)
      .filter((t) => t.startsWith('[skip ci] hotfix-release lock'));
  };

  it('is renewed while the promotion waits (half a lease at a time), then released', async () => {
    w = await makeReleaseWorld({ start: new Date() });
    const r = (
      await promoteHotfix(w.client, promotionConfig(w, [MAIN]), {
        mr: demo.mergeRequests.cleanPick,
        clock: w.clock,
        lock: { leaseMs: 10_000 },
      })
    )._unsafeUnwrap();
    expect(r.ok).toBe(true);
    const titles = await lockCommits();
    expect(titles[0]).toMatch(/: release release/); // newest first
    expect(titles.filter((t) => t.includes(': renew ')).length).toBeGreaterThan(0);
    expect(titles.filter((t) => t.includes(': take ')).length).toBe(1);
    const lock = r.bundle.targets[0]?.lock;
    expect(Date.parse(lock?.leaseExpiresAt ?? '')).toBeGreaterThan(Date.parse(lock?.acquiredAt ?? '') + 10_000);
  }, 120_000);

  it('is released when the operator stops the promotion (Ctrl-C)', async () => {
    w = await makeReleaseWorld({ start: new Date() });
    const stop = new AbortController();
    const r = (
      await promoteHotfix(
        w.client,
        promotionConfig(w, [MAIN]),
        { mr: demo.mergeRequests.cleanPick, clock: w.clock, signal: stop.signal, journalPath: undefined },
        { afterStep: (step) => (step === 'drift' ? stop.abort() : undefined) },
      )
    )._unsafeUnwrap();
    expect(r.targets[0]).toMatchObject({ outcome: 'pending', reason: 'aborted' });
    const lock = (await readReleaseLock(w.client, MAIN, 'release'))._unsafeUnwrap();
    expect(lock?.file).toMatchObject({ state: 'released' });
  }, 120_000);

  it('stops before its next step, writing nothing more, when its lock is taken away meanwhile (R3)', async () => {
    w = await makeReleaseWorld({ start: new Date() });
    let writesAfter = 0;
    const r = await promoteHotfix(
      w.client,
      promotionConfig(w, [MAIN]),
      { mr: demo.mergeRequests.cleanPick, clock: w.clock, lock: { leaseMs: 10_000 } },
      {
        afterStep: async (step) => {
          if (step !== 'trigger') return;
          // Someone else's compare-and-swap takes the lock over (as --break-lock after a lapse would).
          const head = await w.head(MAIN, encodeURIComponent(LOCK));
          const took = await w.api('POST', `/projects/${enc}/repository/commits`, {
            branch: LOCK,
            commit_message: '[skip ci] hotfix-release lock: break release for other!9 (mallory)\n',
            actions: [
              {
                action: 'update',
                file_path: LOCK_FILE,
                last_commit_id: head,
                content: JSON.stringify({
                  format: 'hotfix-release-lock',
                  version: 1,
                  state: 'held',
                  generation: 99,
                  holder: { username: 'mallory', promotionId: 'other!9@x', mr: 'other!9' },
                  acquiredAt: new Date(w.sim.clock.now()).toISOString(),
                  leaseMs: 600_000,
                  leaseExpiresAt: new Date(w.sim.clock.now() + 600_000).toISOString(),
                }),
              },
            ],
          });
          expect(took.status).toBe(201);
          writesAfter = w.gitlabRequests().filter((q) => q.method !== 'GET').length;
        },
      },
    );
    if (r.isErr()) throw new Error(JSON.stringify(r.error));
    expect(r.value.targets[0]).toMatchObject({ outcome: 'pending', error: { code: 'lock-lost', runbookRef: 'R3' } });
    // The only writes after the takeover: the renewal GitLab refused; no note, no label, no release of mallory's lock.
    const after = w
      .gitlabRequests()
      .filter((q) => q.method !== 'GET')
      .slice(writesAfter);
    expect(after.filter((q) => q.status < 400)).toEqual([]);
    const lock = (await readReleaseLock(w.client, MAIN, 'release'))._unsafeUnwrap();
    expect(lock?.file?.holder.username).toBe('mallory');
  }, 120_000);
});
