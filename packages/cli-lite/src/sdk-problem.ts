/**
 * Errors of every package as RFC 9457 problem details, in the one error dialect: the problem's
 * `code`, `runbookRef` and `detail` come from the error's `code`, `runbookRef` and message (with
 * where the problem is), and its typed `details` (JSON Pointers for locations) travel as the
 * `details` extension member. Type-only import of the SDK: `policy check` never loads it.
 */
import { describeError, type ErrorShape } from '@hotfix-release/evidence';
import type { HotfixError } from '@hotfix-release/sdk';
import { type CliExitCode, EXIT_CODES } from './exit-codes.js';
import { type ProblemDetails, problem } from './problem.js';

/** The outcome class of each SDK error code (the rest are `failed`). */
const CLASS: Partial<Record<HotfixError['code'], CliExitCode>> = {
  'invalid-input': EXIT_CODES.configuration,
  'forbidden-action': EXIT_CODES.configuration,
  'gitlab-unauthorized': EXIT_CODES.configuration,
  'token-insufficient': EXIT_CODES.configuration,
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

/** What {@link describeError} says after `code [ref]: `: the message and where the problem is. */
export function errorDetail(error: ErrorShape): string {
  const line = describeError(error);
  const head = `${error.code}${error.runbookRef ? ` [${error.runbookRef}]` : ''}: `;
  return line.startsWith(head) ? line.slice(head.length) : line;
}

/** Any package's error as problem details; `retryable` travels too when the error has it. */
export function problemFromError(
  error: ErrorShape & { readonly retryable?: boolean },
  init: {
    readonly exitCode: CliExitCode;
    readonly detail?: string;
    readonly title?: string;
    readonly extra?: Readonly<Record<string, unknown>>;
  },
): ProblemDetails {
  return problem({
    code: error.code,
    detail: init.detail ?? errorDetail(error),
    exitCode: init.exitCode,
    runbookRef: error.runbookRef,
    ...(init.title ? { title: init.title } : {}),
    extra: {
      ...(error.retryable === undefined ? {} : { retryable: error.retryable }),
      details: error.details,
      ...init.extra,
    },
  });
}

/** An SDK error as problem details, with the exit code of its outcome class. */
export function problemFromSdk(
  error: HotfixError,
  extra: Record<string, unknown> = {},
  detail: string = error.message,
): ProblemDetails {
  return problemFromError(error, { exitCode: exitCodeOf(error), detail, extra });
}
