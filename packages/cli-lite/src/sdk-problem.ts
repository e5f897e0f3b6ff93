import type { HotfixError } from '@hotfix-release/sdk';
import { type CliExitCode, EXIT_CODES } from './exit-codes.js';
import { type ProblemDetails, problem } from './problem.js';

/** The outcome class of each SDK error code (the rest are `failed`). */
const CLASS: Partial<Record<HotfixError['code'], CliExitCode>> = {
  'invalid-input': EXIT_CODES.configuration,
  'forbidden-action': EXIT_CODES.configuration,
  'gitlab-unauthorized': EXIT_CODES.configuration,
  conflict: EXIT_CODES.conflict,
  'resolution-invalid': EXIT_CODES.conflict,
  'push-rejected': EXIT_CODES.conflict,
  'wait-timeout': EXIT_CODES.timeout,
  timeout: EXIT_CODES.timeout,
  aborted: EXIT_CODES.interrupted,
  evidence: EXIT_CODES.unevaluable,
  internal: EXIT_CODES.internal,
};

/** The exit code of an SDK error. */
export function exitCodeOf(error: HotfixError): CliExitCode {
  return CLASS[error.code] ?? EXIT_CODES.failed;
}

/** An SDK error as problem details; its typed `details` travel as an extension member. */
export function problemFromSdk(
  error: HotfixError,
  extra: Record<string, unknown> = {},
  detail: string = error.message,
): ProblemDetails {
  return problem({
    code: error.code,
    detail,
    exitCode: exitCodeOf(error),
    runbookRef: error.runbookRef,
    extra: { retryable: error.retryable, details: error.details, ...extra },
  });
}

/** One human line for an SDK error: `<code> [<ref>]: <message>`. */
export function describeSdkError(error: HotfixError): string {
  return `${error.code}${error.runbookRef ? ` [${error.runbookRef}]` : ''}: ${error.message}`;
}
