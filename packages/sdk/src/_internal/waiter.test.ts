import { errAsync, okAsync } from 'neverthrow';
import { describe, expect, it } from 'vitest';
import type { Clock } from '../clock.js';
import { type HotfixError, hotfixError } from '../errors.js';
import { type AcceptorResult, backoffDelayMs, runWaiter } from './waiter.js';

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
