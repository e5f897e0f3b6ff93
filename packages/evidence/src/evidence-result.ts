/**
 * The result type of this package's fallible functions.
 *
 * Why not neverthrow: `@hotfix-release/evidence` is kept to one dependency (zod) and
 * neverthrow is not installed for it. The shape is plain data so that callers with
 * neverthrow convert it in one line: `r.ok ? ok(r.value) : err(r.error)`.
 */

/**
 * Success or failure as plain data: `{ ok: true, value }` or `{ ok: false, error }`.
 *
 * @example
 * ```ts
 * const r: EvidenceResult<number, string> = { ok: true, value: 1 };
 * if (r.ok) console.log(r.value);
 * ```
 */
export type EvidenceResult<T, E> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

/** Builds a success. Internal helper. */
export function okResult<T>(value: T): { readonly ok: true; readonly value: T } {
  return { ok: true, value };
}

/** Builds a failure. Internal helper. */
export function errResult<E>(error: E): { readonly ok: false; readonly error: E } {
  return { ok: false, error };
}
