/**
 * The result type of this package's fallible functions: a neverthrow `Result` with a
 * typed, `code`-keyed {@link EvidenceError}, like every other package of the project.
 */
import { err, ok, type Result } from 'neverthrow';

/** Success or failure of an evidence operation: a neverthrow `Result`. */
export type EvidenceResult<T, E> = Result<T, E>;

/** Builds a success. Internal helper. */
export function okResult<T>(value: T): Result<T, never> {
  return ok(value);
}

/** Builds a failure. Internal helper. */
export function errResult<E>(error: E): Result<never, E> {
  return err(error);
}
