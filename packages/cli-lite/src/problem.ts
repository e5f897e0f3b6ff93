import { randomUUID } from 'node:crypto';
import { type CliExitCode, EXIT_CODES } from './exit-codes.js';

/** An error as RFC 9457 problem details, with the `code`, `runbookRef` and `exitCode` extension members. */
export interface ProblemDetails {
  /** A URI naming the problem type: `https://hotfix-release.dev/problems/<code>`. */
  readonly type: string;
  /** A short summary of the problem type. */
  readonly title: string;
  /** The HTTP status the problem would have as an API answer (advisory). */
  readonly status: number;
  /** What happened this time, in one human sentence. */
  readonly detail: string;
  /** A URI for this occurrence. */
  readonly instance: string;
  /** The stable kebab-case error code. */
  readonly code: string;
  /** The runbook ID it relates to, when one does. */
  readonly runbookRef?: string;
  /** The exit code the command ended with. */
  readonly exitCode: CliExitCode;
  /** Further typed context (the SDK error's `details`, issues, hints). */
  readonly [extension: string]: unknown;
}

const STATUS: Record<CliExitCode, number> = {
  0: 200,
  1: 422,
  2: 422,
  3: 400,
  4: 504,
  5: 409,
  6: 409,
  64: 400,
  70: 500,
  130: 499,
};

/** Builds problem details; `title` defaults to the code in words. */
export function problem(init: {
  readonly code: string;
  readonly detail: string;
  readonly exitCode: CliExitCode;
  readonly runbookRef?: string | undefined;
  readonly title?: string;
  readonly extra?: Readonly<Record<string, unknown>>;
}): ProblemDetails {
  const title = init.title ?? init.code.replace(/-/g, ' ').replace(/^./, (c) => c.toUpperCase());
  return {
    type: `https://hotfix-release.dev/problems/${init.code}`,
    title,
    status: STATUS[init.exitCode] ?? 500,
    detail: init.detail,
    instance: `urn:uuid:${randomUUID()}`,
    code: init.code,
    ...(init.runbookRef ? { runbookRef: init.runbookRef } : {}),
    exitCode: init.exitCode,
    ...init.extra,
  };
}

/** The human line of a problem: `hotfix: <code> [<ref>]: <detail>`. */
export function problemLine(p: ProblemDetails): string {
  return `hotfix: ${p.code}${p.runbookRef ? ` [${p.runbookRef}]` : ''}: ${p.detail}`;
}

/** A usage problem (exit 64). */
export function usageProblem(detail: string): ProblemDetails {
  return problem({ code: 'usage', title: 'Usage error', detail, exitCode: EXIT_CODES.usage });
}

/** Thrown inside a command to end it with a problem; `run` catches it. */
export class ProblemError extends Error {
  /** The problem to report. */
  readonly problem: ProblemDetails;
  constructor(p: ProblemDetails) {
    super(p.detail);
    this.problem = p;
  }
}
