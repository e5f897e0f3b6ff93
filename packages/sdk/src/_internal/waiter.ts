/**
 * The one polling loop every wait in the SDK goes through (after smithy's util-waiter):
 * an acceptor maps one observation to an explicit state, the loop checks the current
 * state before it ever sleeps, sleeps a jittered exponential delay between
 * `minDelayMs` and `maxDelayMs` (or, when the caller knows when the change is expected,
 * toward shortly before that and then closely), makes a final attempt just before the deadline, and
 * stops on the caller's AbortSignal. 401/403/404 (and other non-retryable errors) end
 * the wait at once; a timeout reports what was last observed.
 */
import { err, ok, type Result, ResultAsync } from 'neverthrow';
import type { Clock } from '../clock.js';
import { type HotfixError, hotfixError } from '../errors.js';

/** What an acceptor makes of one observation. */
export type AcceptorResult<V, O> =
  /** Not there yet: poll again after a delay. */
  | { readonly state: 'retry'; readonly observed: O }
  /** A final state (success, failure, awaiting a human ...): stop with this value. */
  | { readonly state: 'done'; readonly value: V; readonly observed: O };

/** How a wait ended. */
export type WaitResult<V, O> =
  | {
      readonly state: 'done';
      readonly value: V;
      readonly observed: O;
      readonly attempts: number;
      readonly elapsedMs: number;
    }
  | {
      readonly state: 'timeout' | 'aborted';
      readonly observed: O | undefined;
      readonly attempts: number;
      readonly elapsedMs: number;
      /** The last transient error, when the last attempts failed. */
      readonly lastError?: HotfixError;
    };

/** Bounds and dependencies of one wait. */
export interface WaiterOptions {
  /** Required upper bound of the whole wait. */
  readonly maxWaitMs: number;
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
  readonly signal?: AbortSignal | undefined;
  readonly clock: Clock;
  /** A number in [0, 1); jitter source. */
  readonly random?: () => number;
  /**
   * When the awaited change is expected (clock ms), learned from history; `undefined` while
   * unknown. Asked before each sleep: with an expectation the waiter sleeps toward shortly
   * before it and then polls closely (see {@link learnedDelayMs}) instead of backing off. No
   * sleep is longer than `maxDelayMs` or a tenth of the wait the expectation promised when it
   * was first learned, whichever is larger (a ten-minute deployment: 60 s steps), so a change
   * that comes much earlier than expected is still seen within that bound.
   */
  readonly expectedAt?: () => number | undefined;
  /** Called before each sleep, for progress display. */
  readonly onWait?: (info: {
    readonly attempt: number;
    readonly delayMs: number;
    readonly remainingMs: number;
  }) => void;
}

/** Errors that end a wait at once: retrying cannot help. */
const FATAL = new Set<string>([
  'gitlab-unauthorized',
  'gitlab-forbidden',
  'gitlab-not-found',
  'invalid-input',
  'response-invalid',
  'internal',
  'forbidden-action',
]);

/** Whether a poll error ends the wait (true) or is retried on the waiter's schedule (false). */
export function isFatalWaitError(error: HotfixError): boolean {
  if (FATAL.has(error.code)) return true;
  if (error.code === 'aborted') return true;
  return !error.retryable && !['gitlab-rate-limited', 'gitlab-unavailable', 'network', 'timeout'].includes(error.code);
}

/**
 * The delay before attempt `attempt + 1`: an exponential ceiling from `minDelayMs` up to
 * `maxDelayMs`, jittered over its upper half (never below `minDelayMs`), so concurrent
 * waiters spread out without polling more often than needed.
 */
export function backoffDelayMs(attempt: number, minDelayMs: number, maxDelayMs: number, random: () => number): number {
  const ceiling = Math.min(maxDelayMs, minDelayMs * 2 ** Math.min(attempt - 1, 30));
  return Math.max(minDelayMs, Math.round(ceiling / 2 + random() * (ceiling / 2)));
}

/**
 * The delay before the next attempt when the change is expected at `expectedAt` (clock ms):
 * far from it, sleeps toward `minDelayMs` before it in even steps of at most `farCapMs` (at
 * least `maxDelayMs`; the waiter passes a tenth of the learned wait) (jitter only shortens a step, so the wake-up never passes the expectation); near it or past
 * it, polls every `minDelayMs` or so, the gap growing with the overdue time (jittered over its
 * upper half, capped at `maxDelayMs`: about the blind backoff's doubling) so a change much later
 * than expected costs no more requests than not learning would.
 */
export function learnedDelayMs(
  now: number,
  expectedAt: number,
  minDelayMs: number,
  maxDelayMs: number,
  random: () => number,
  farCapMs: number = maxDelayMs,
): number {
  const wake = expectedAt - minDelayMs;
  const until = wake - now;
  if (until > minDelayMs) {
    const cap = Math.max(maxDelayMs, farCapMs);
    const step = until / Math.ceil(until / cap);
    return Math.max(minDelayMs, Math.min(cap, Math.round(step * (0.95 + 0.05 * random()))));
  }
  const overdue = Math.max(0, now - expectedAt);
  const gap = (minDelayMs + overdue) * (0.5 + 0.5 * random());
  return Math.max(minDelayMs, Math.min(maxDelayMs, Math.round(gap)));
}

/**
 * Polls until the acceptor reports `done`, the deadline passes, or the signal aborts.
 * `poll` performs the requests of one attempt and maps them to a state; a fatal error
 * from it ends the wait with that error; a transient one is retried on the schedule,
 * which then waits at least as long as the server's `Retry-After` asked.
 */
export function runWaiter<V, O>(
  options: WaiterOptions,
  poll: (attempt: number) => ResultAsync<AcceptorResult<V, O>, HotfixError>,
): ResultAsync<WaitResult<V, O>, HotfixError> {
  return ResultAsync.fromPromise(loop(options, poll), (e) =>
    hotfixError('internal', `The waiter failed: ${String(e)}`, { details: { reason: String(e) } }),
  ).andThen((r) => r);
}

async function loop<V, O>(
  options: WaiterOptions,
  poll: (attempt: number) => ResultAsync<AcceptorResult<V, O>, HotfixError>,
): Promise<Result<WaitResult<V, O>, HotfixError>> {
  const { clock, signal } = options;
  const random = options.random ?? Math.random;
  const started = clock.now();
  const deadline = started + options.maxWaitMs;
  let observed: O | undefined;
  let lastError: HotfixError | undefined;
  const end = (state: 'timeout' | 'aborted', attempts: number): Result<WaitResult<V, O>, HotfixError> =>
    ok({ state, observed, attempts, elapsedMs: clock.now() - started, ...(lastError ? { lastError } : {}) });
  let final = false;
  let learnedSpan: number | undefined;
  for (let attempt = 1; ; attempt++) {
    if (signal?.aborted) return end('aborted', attempt - 1);
    const r = await poll(attempt);
    if (r.isOk()) {
      lastError = undefined;
      observed = r.value.observed;
      if (r.value.state === 'done') {
        return ok({
          state: 'done',
          value: r.value.value,
          observed: r.value.observed,
          attempts: attempt,
          elapsedMs: clock.now() - started,
        });
      }
    } else {
      if (r.error.code === 'aborted' || signal?.aborted) return end('aborted', attempt);
      if (isFatalWaitError(r.error)) return err(r.error);
      lastError = r.error;
    }
    const remaining = deadline - clock.now();
    if (final || remaining <= 0) return end('timeout', attempt);
    const expected = options.expectedAt?.();
    // The wait the expectation promised when first learned; a tenth of it may stretch the far steps.
    if (expected !== undefined && learnedSpan === undefined) learnedSpan = Math.max(0, expected - clock.now());
    const farCap = Math.max(options.maxDelayMs, Math.round((learnedSpan ?? 0) / 10));
    let delay =
      expected === undefined
        ? backoffDelayMs(attempt, options.minDelayMs, options.maxDelayMs, random)
        : learnedDelayMs(clock.now(), expected, options.minDelayMs, options.maxDelayMs, random, farCap);
    // Never fight the server: a rate-limited poll waits at least as long as it asked.
    const serverAsked = lastError?.code === 'gitlab-rate-limited' ? lastError.details.retryAfterMs : undefined;
    if (serverAsked !== undefined) delay = Math.max(delay, serverAsked);
    // Rather than give up with time left, look one last time just before the deadline.
    if (delay >= remaining) {
      delay = Math.max(0, remaining - 1);
      final = true;
    }
    options.onWait?.({ attempt, delayMs: delay, remainingMs: remaining });
    try {
      await clock.sleep(delay, signal);
    } catch {
      return end('aborted', attempt);
    }
  }
}
