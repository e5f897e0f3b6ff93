import { CONTROL_CATALOG } from './control-catalog.js';
import type { ControlResult } from './control-result.js';

/**
 * The CLI's exit codes: 0 every required control passed (an `unverified` one only when the gate's policy
 * file accepts it); 1 a control failed, is `unverified` and not accepted, or a waiver expired;
 * 2 the evidence could not be evaluated (unreadable, invalid schema, bad digest or signature, an
 * `error` result, or zero evaluated controls); 3 bad configuration or waiver file.
 */
export const EXIT_CODES = { ok: 0, failed: 1, unevaluable: 2, configuration: 3 } as const;

/** One of {@link EXIT_CODES}. */
export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

const INTEGRITY = new Set<string>(CONTROL_CATALOG.filter((c) => c.kind === 'integrity').map((c) => c.id));

/**
 * Maps control results to an exit code (0, 1 or 2); configuration errors are 3 and never reach here.
 * Zero evaluated controls (nothing passed, failed, was unverified or waived) is 2, never 0. An
 * `unverified` result is refused like a failure (1) unless it is `accepted` by the gate's policy file.
 *
 * @example
 * ```ts
 * exitCodeFor([]); // 2
 * ```
 */
export function exitCodeFor(results: readonly ControlResult[]): 0 | 1 | 2 {
  const evaluated = results.filter(
    (r) => r.status === 'pass' || r.status === 'fail' || r.status === 'unverified' || r.status === 'waived',
  );
  if (evaluated.length === 0) return EXIT_CODES.unevaluable;
  if (results.some((r) => r.status === 'error' || (r.status === 'fail' && INTEGRITY.has(r.id))))
    return EXIT_CODES.unevaluable;
  if (results.some((r) => r.status === 'fail' || (r.status === 'unverified' && r.accepted !== true)))
    return EXIT_CODES.failed;
  return EXIT_CODES.ok;
}
