/**
 * The SDK's one notion of time. Every wait sleeps on it and every evidence time the SDK
 * writes is read from it, so a promotion has one timeline (the simulator's virtual clock
 * in tests) and no record is stamped by the wall clock behind the caller's back.
 */

/** Time as the SDK sees it: injected (into the client and the waits) so tests run on a virtual clock. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`; resolves early when `signal` aborts (callers check `signal.aborted`). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The default clock: wall time and a timer that an AbortSignal cancels. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) {
        resolve();
        return;
      }
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    }),
};

/** The clock's current time as ISO 8601 UTC. */
export function isoNow(clock: Clock): string {
  return new Date(clock.now()).toISOString();
}

/** Whether a value looks like a Clock (for option schemas). */
export function isClock(value: unknown): value is Clock {
  return typeof (value as Clock)?.now === 'function' && typeof (value as Clock)?.sleep === 'function';
}
