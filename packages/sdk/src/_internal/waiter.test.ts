import { errAsync, okAsync } from 'neverthrow';
import { describe, expect, it } from 'vitest';
import type { Clock } from '../clock.js';
import { type HotfixError, hotfixError } from '../errors.js';
import { type AcceptorResult, backoffDelayMs, learnedDelayMs, runWaiter } from './waiter.js';

/** A virtual clock: sleeping moves time, nothing waits. */
function fakeClock(start = 0) {
  let t = start;
  const sleeps: number[] = [];
  const clock: Clock = {
    now: () => t,
    sleep: async (ms) => {
      sleeps.push(ms);
      t += ms;
    },
  };
  return { clock, sleeps, now: () => t };
}

const retry = (observed: number) => okAsync<AcceptorResult<string, number>, HotfixError>({ state: 'retry', observed });
const done = (observed: number) =>
  okAsync<AcceptorResult<string, number>, HotfixError>({ state: 'done', value: 'ok', observed });
const base = { minDelayMs: 1_000, maxDelayMs: 8_000, random: () => 0.5 };

describe('runWaiter', () => {
  it('checks the current state before waiting: done at once means no sleep', async () => {
    const c = fakeClock();
    const r = await runWaiter({ ...base, maxWaitMs: 10_000, clock: c.clock }, () => done(1));
    expect(r._unsafeUnwrap()).toMatchObject({ state: 'done', value: 'ok', attempts: 1, elapsedMs: 0 });
    expect(c.sleeps).toEqual([]);
  });

  it('backs off exponentially between minDelayMs and maxDelayMs', async () => {
    const c = fakeClock();
    let n = 0;
    const r = await runWaiter({ ...base, maxWaitMs: 600_000, clock: c.clock }, () => (++n < 7 ? retry(n) : done(n)));
    expect(r._unsafeUnwrap().attempts).toBe(7);
    expect(c.sleeps).toEqual([1_000, 1_500, 3_000, 6_000, 6_000, 6_000]);
    for (let a = 1; a < 40; a++) {
      for (const rnd of [0, 0.3, 0.999]) {
        const d = backoffDelayMs(a, 1_000, 8_000, () => rnd);
        expect(d).toBeGreaterThanOrEqual(1_000);
        expect(d).toBeLessThanOrEqual(8_000);
      }
    }
  });

  it('makes a final attempt just before the deadline, then times out with what it last observed', async () => {
    const c = fakeClock();
    const seen: number[] = [];
    const r = await runWaiter({ ...base, maxWaitMs: 10_000, clock: c.clock }, (attempt) => {
      seen.push(c.now());
      return retry(attempt);
    });
    const w = r._unsafeUnwrap();
    expect(w).toMatchObject({ state: 'timeout', observed: seen.length });
    expect(seen.at(-1)).toBe(9_999);
    expect(w.elapsedMs).toBeLessThanOrEqual(10_000);
  });

  it('can finish on that final attempt', async () => {
    const c = fakeClock();
    const r = await runWaiter({ ...base, maxWaitMs: 5_000, clock: c.clock }, () =>
      c.now() >= 4_999 ? done(c.now()) : retry(c.now()),
    );
    expect(r._unsafeUnwrap()).toMatchObject({ state: 'done', observed: 4_999 });
  });

  for (const code of ['gitlab-unauthorized', 'gitlab-forbidden', 'gitlab-not-found'] as const) {
    it(`returns ${code} at once, without waiting`, async () => {
      const c = fakeClock();
      const e = hotfixError(code, 'no', {
        details: { method: 'GET', route: '/x', status: 401, gitlabMessage: 'no' },
      }) as HotfixError;
      const r = await runWaiter({ ...base, maxWaitMs: 60_000, clock: c.clock }, () => errAsync(e));
      expect(r._unsafeUnwrapErr().code).toBe(code);
      expect(c.sleeps).toEqual([]);
    });
  }

  it('retries transient errors and keeps the last one for a timeout', async () => {
    const c = fakeClock();
    const e = hotfixError('gitlab-unavailable', '502', {
      retryable: true,
      details: { method: 'GET', route: '/x', status: 502, gitlabMessage: 'bad gateway' },
    });
    const r = await runWaiter({ ...base, maxWaitMs: 5_000, clock: c.clock }, () => errAsync(e));
    expect(r._unsafeUnwrap()).toMatchObject({ state: 'timeout', lastError: { code: 'gitlab-unavailable' } });
  });

  it('waits at least as long as a rate-limited answer asked', async () => {
    const c = fakeClock();
    let n = 0;
    const limited = hotfixError('gitlab-rate-limited', '429', {
      retryable: true,
      details: { method: 'GET', route: '/x', status: 429, gitlabMessage: 'Retry later', retryAfterMs: 42_000 },
    });
    const r = await runWaiter({ ...base, maxWaitMs: 120_000, clock: c.clock }, () =>
      ++n === 1 ? errAsync(limited) : done(n),
    );
    expect(r._unsafeUnwrap().state).toBe('done');
    expect(c.sleeps).toEqual([42_000]);
  });

  it('returns aborted when the signal fires, before or during a wait', async () => {
    const c = fakeClock();
    const ac = new AbortController();
    ac.abort();
    const before = await runWaiter({ ...base, maxWaitMs: 60_000, clock: c.clock, signal: ac.signal }, () => retry(1));
    expect(before._unsafeUnwrap()).toMatchObject({ state: 'aborted', attempts: 0 });
    const ac2 = new AbortController();
    const during = await runWaiter(
      {
        ...base,
        maxWaitMs: 60_000,
        signal: ac2.signal,
        clock: {
          now: c.clock.now,
          sleep: async () => {
            ac2.abort();
          },
        },
      },
      () => retry(7),
    );
    expect(during._unsafeUnwrap()).toMatchObject({ state: 'aborted', observed: 7, attempts: 1 });
  });
});

describe('runWaiter with an expectation (waits that learn)', () => {
  const learn = { minDelayMs: 2_000, maxDelayMs: 30_000 };
  /** Follows a change that happens at `finishAt`; returns polls made and the lag after the change. */
  async function follow(finishAt: number, expectedAt: number | undefined, random = () => 0.5) {
    const c = fakeClock();
    let polls = 0;
    const r = await runWaiter(
      { ...learn, maxWaitMs: 3_600_000, clock: c.clock, random, expectedAt: () => expectedAt },
      () => {
        polls++;
        return c.now() >= finishAt ? done(c.now()) : retry(c.now());
      },
    );
    const w = r._unsafeUnwrap();
    expect(w.state).toBe('done');
    return { polls, lagMs: c.now() - finishAt, sleeps: c.sleeps };
  }

  it('follows a ten-minute change with fewer polls and a small lag than the blind backoff', async () => {
    const blind = await follow(600_000, undefined);
    const learned = await follow(600_000, 600_000);
    expect(learned.polls).toBeLessThan(blind.polls);
    expect(learned.lagMs).toBeLessThanOrEqual(5_000);
    expect(blind.lagMs).toBeGreaterThan(5_000);
    // Still bounded: no sleep longer than a tenth of the learned wait (60 s here), none shorter than minDelayMs.
    expect(Math.max(...learned.sleeps)).toBeLessThanOrEqual(60_000);
    expect(Math.max(...learned.sleeps)).toBeGreaterThan(30_000);
    expect(Math.min(...learned.sleeps)).toBeGreaterThanOrEqual(2_000);
    // Ten minutes in at most a dozen polls (issue 27: ≤ 20 requests in all with the downstream and history reads).
    expect(learned.polls).toBeLessThanOrEqual(14);
  });

  it('a short expectation keeps maxDelayMs as the step cap (a tenth of 2 min is below it)', async () => {
    const short = await follow(120_000, 120_000);
    expect(Math.max(...short.sleeps)).toBeLessThanOrEqual(30_000);
    expect(short.lagMs).toBeLessThanOrEqual(5_000);
  });

  it('notices a change much EARLIER than expected within a tenth of the learned wait (learning never makes it much worse)', async () => {
    for (const rnd of [0, 0.5, 0.999]) {
      const early = await follow(120_000, 600_000, () => rnd);
      expect(early.lagMs).toBeLessThanOrEqual(60_000);
      const blind = await follow(120_000, undefined, () => rnd);
      expect(early.polls).toBeLessThanOrEqual(blind.polls);
    }
  });

  it('a change later than expected is still seen, the gap growing with how late it is', async () => {
    const late = await follow(720_000, 600_000);
    expect(late.lagMs).toBeLessThanOrEqual(30_000);
    expect(late.polls).toBeLessThan(60);
    // History that is badly wrong (30 s deployments, this one takes 10 min) costs about what not learning does.
    const wrong = await follow(600_000, 30_000);
    const blind = await follow(600_000, undefined);
    expect(wrong.polls).toBeLessThanOrEqual(blind.polls + 3);
    expect(wrong.lagMs).toBeLessThanOrEqual(30_000);
  });

  it('without an expectation the schedule is exactly the backoff (missing history degrades to polling)', async () => {
    const a = await follow(200_000, undefined);
    const c = fakeClock();
    let n = 0;
    await runWaiter({ ...learn, maxWaitMs: 3_600_000, clock: c.clock, random: () => 0.5 }, () =>
      c.now() >= 200_000 ? done(++n) : retry(++n),
    );
    expect(a.sleeps).toEqual(c.sleeps);
  });

  it('an expectation in the past polls closely, and Retry-After still wins', async () => {
    expect(learnedDelayMs(6_000, 5_000, 2_000, 30_000, () => 0.999)).toBeLessThan(5_000);
    expect(learnedDelayMs(0, 600_000, 2_000, 30_000, () => 0.5)).toBeLessThanOrEqual(30_000);
    const c = fakeClock();
    let n = 0;
    const limited = hotfixError('gitlab-rate-limited', '429', {
      retryable: true,
      details: { method: 'GET', route: '/x', status: 429, gitlabMessage: 'Retry later', retryAfterMs: 42_000 },
    });
    await runWaiter({ ...learn, maxWaitMs: 120_000, clock: c.clock, expectedAt: () => 0 }, () =>
      ++n === 1 ? errAsync(limited) : done(n),
    );
    expect(c.sleeps).toEqual([42_000]);
  });
});
