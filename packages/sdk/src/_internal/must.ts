import { type Result, ResultAsync } from 'neverthrow';
import { type HotfixError, hotfixError, isHotfixError } from '../errors.js';

/**
 * Awaits a Result inside one async body and returns its value, throwing its HotfixError.
 * Such a body is turned back into a Result at the package boundary by `fromBody`, so
 * nothing thrown here ever leaves the SDK.
 */
export async function must<T>(r: PromiseLike<Result<T, HotfixError>>): Promise<T> {
  const v = await r;
  if (v.isErr()) throw v.error;
  return v.value;
}

/** Runs an async body written with `must`: a HotfixError it throws is the Err; anything else becomes `internal`. */
export function fromBody<T>(work: Promise<T>): ResultAsync<T, HotfixError> {
  return ResultAsync.fromPromise(work, (e) =>
    isHotfixError(e)
      ? e
      : hotfixError('internal', e instanceof Error ? e.message : String(e), { details: { reason: String(e) } }),
  );
}
