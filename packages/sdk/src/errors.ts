/**
 * The SDK's errors in the one error dialect of hotfix-release (`ErrorShape` from the evidence
 * package: `code`, `message`, `runbookRef`, `details`, locations as JSON Pointers), plus whether
 * retrying the same call may help and the error underneath. Nothing in the SDK throws across the
 * package boundary; every fallible operation returns a neverthrow Result of this type.
 */
import type { ErrorIssue, RunbookId } from '@hotfix-release/evidence';

export { describeError } from '@hotfix-release/evidence';

/** The typed context each error code carries. */
export interface ErrorDetailsByCode {
  /**
   * A configuration or options object failed validation: `pointer` is the first bad field,
   * `issues` all of them, each located by JSON Pointer into the input.
   */
  'invalid-input': { readonly pointer: string; readonly issues: readonly ErrorIssue[] };
  /** GitLab answered 401: the token is missing, expired or revoked. */
  'gitlab-unauthorized': GitLabHttpDetails;
  /** GitLab answered 403: the token lacks the role or scope for this call. */
  'gitlab-forbidden': GitLabHttpDetails;
  /** GitLab answered 404: the project, ref, MR or resource does not exist (or is hidden). */
  'gitlab-not-found': GitLabHttpDetails;
  /** GitLab kept answering 429 after the retry budget was spent. */
  'gitlab-rate-limited': GitLabHttpDetails & { readonly retryAfterMs: number | undefined };
  /** GitLab (or a proxy in front of it) answered 5xx after the retry budget was spent. */
  'gitlab-unavailable': GitLabHttpDetails;
  /** Any other non-2xx answer, with GitLab's own message and `error_code` preserved. */
  'gitlab-http': GitLabHttpDetails;
  /** The connection failed (refused, reset, DNS) before a response arrived. */
  network: { readonly method: string; readonly route: string; readonly reason: string };
  /** One request took longer than its timeout. */
  timeout: { readonly method: string; readonly route: string; readonly timeoutMs: number };
  /** The caller's AbortSignal fired. */
  aborted: { readonly method?: string; readonly route?: string; readonly reason?: string };
  /** A GitLab response did not have the shape we rely on. */
  'response-invalid': {
    readonly method: string;
    readonly route: string;
    readonly issues: readonly ErrorIssue[];
  };
  /**
   * A side-effecting request was sent but its response was lost, and reading state
   * back could not tell whether it took effect. Never retried blindly.
   */
  'outcome-unknown': {
    readonly method: string;
    readonly route: string;
    readonly reason: string;
    readonly status?: number;
  };
  /** A paginated read needed more pages than its bound allows. */
  'pagination-limit': { readonly route: string; readonly maxPages: number; readonly perPage: number };
  /** Preflight found one or more blocking problems (all of them are listed). */
  'preflight-failed': { readonly findings: readonly { code: string; runbookRef: RunbookId; message: string }[] };
  /** The hotfix MR is not merged (D1). */
  'mr-not-merged': { readonly project: string; readonly iid: number; readonly state: string };
  /** The hotfix MR needs approvals it does not have (P1). */
  'mr-not-approved': { readonly project: string; readonly iid: number; readonly approvalsLeft: number };
  /** The release branch does not exist in the target project. */
  'branch-not-found': { readonly project: string; readonly branch: string };
  /** The cut-off action was requested for a hotfix (S5). */
  'forbidden-action': { readonly action: string; readonly source: string };
  /** A cherry-pick or revert conflicts and must be resolved locally (D3). */
  conflict: {
    readonly project: string;
    readonly sha: string;
    readonly branch: string;
    readonly paths: readonly string[];
  };
  /** The operator's resolution left conflict markers or touched paths outside the hotfix (D3). */
  'resolution-invalid': { readonly paths: readonly string[]; readonly reason: string };
  /** A compare-and-swap push was rejected because release moved meanwhile (D3). */
  'push-rejected': { readonly ref: string; readonly expectedOld: string; readonly reason: string };
  /** Release drifted: extra, missing or rewritten commits, or a different deployed SHA (R3). */
  drift: { readonly kinds: readonly string[]; readonly shas: readonly string[] };
  /** A local git operation failed (object missing, corrupt repository, I/O). */
  git: { readonly operation: string; readonly reason: string };
  /** A deployment or pipeline failed, was canceled or skipped (S6). */
  'deployment-failed': { readonly status: string; readonly webUrl: string | undefined; readonly jobName?: string };
  /** A wait passed its maximum without reaching a final state (S6). */
  'wait-timeout': { readonly maxWaitMs: number; readonly lastObserved: string };
  /** A smoke or acceptance check failed (S7, E6). */
  'validation-failed': { readonly checks: readonly { name: string; message: string }[] };
  /** A label required by S7/E8 does not exist in the project or group. */
  'label-missing': { readonly project: string; readonly label: string };
  /**
   * The token's kind cannot do what the command needs (a CI/CD job token and a cherry-pick, a
   * pipeline, a note or a label, P3/P4); refused before any side effect.
   */
  'token-insufficient': {
    readonly tokenKind: 'private' | 'job' | 'oauth';
    readonly command: string;
    readonly operations: readonly string[];
  };
  /**
   * Another promotion holds the release lock of this release branch (S2/R3): who, for which MR,
   * until when its lease runs; `waitedMs` is how long this promotion waited (0 with `--no-wait`).
   */
  'lock-held': {
    /** The target project. */
    readonly project: string;
    /** The release branch the lock serializes. */
    readonly releaseBranch: string;
    /** The lock branch, `hotfix-release/lock/<release branch>`. */
    readonly lockBranch: string;
    /** Who holds it: GitLab user, promotion id and MR. */
    readonly holder: { readonly username: string; readonly promotionId: string; readonly mr: string };
    /** The lease's end: GitLab's time of the lock's last commit plus the lease. */
    readonly leaseExpiresAt: string;
    /** How long this promotion waited for it (0 with `--no-wait`). */
    readonly waitedMs: number;
  };
  /**
   * The release lock's lease ran out without its holder releasing it (a killed process); only
   * `--break-lock` takes it over, recorded in the evidence (S2/R3).
   */
  'lock-stale': {
    /** The target project. */
    readonly project: string;
    /** The release branch the lock serializes. */
    readonly releaseBranch: string;
    /** The lock branch, `hotfix-release/lock/<release branch>`. */
    readonly lockBranch: string;
    /** Who holds it: GitLab user, promotion id and MR. */
    readonly holder: { readonly username: string; readonly promotionId: string; readonly mr: string };
    /** The lease's end: GitLab's time of the lock's last commit plus the lease. */
    readonly leaseExpiresAt: string;
  };
  /** This promotion's release lock was released or taken over while it ran; it stops before its next step (R3). */
  'lock-lost': { readonly project: string; readonly lockBranch: string; readonly reason: string };
  /** The evidence journal or bundle could not be read, written or verified. */
  evidence: { readonly path?: string; readonly reason: string };
  /** An invariant broke inside the SDK; a bug to report. */
  internal: { readonly reason: string };
}

/** Details shared by every error built from a GitLab HTTP answer. Never contains a token. */
export interface GitLabHttpDetails {
  /** HTTP method, e.g. `"POST"`. */
  readonly method: string;
  /** The route template, e.g. `"/projects/:id/repository/commits/:sha/cherry_pick"`. */
  readonly route: string;
  /** HTTP status code. */
  readonly status: number;
  /** GitLab's `message` (or `error`) flattened to one line. */
  readonly gitlabMessage: string;
  /** GitLab's machine-readable `error_code` (e.g. `"conflict"`, `"empty"`), when present. */
  readonly errorCode?: string;
  /** Field errors from `{"message": {"field": ["..."]}}` bodies. */
  readonly fieldErrors?: Readonly<Record<string, readonly string[]>>;
  /** GitLab's request id (`X-Request-Id`), for support tickets. */
  readonly requestId?: string;
}

/** Every stable error code. */
export type ErrorCode = keyof ErrorDetailsByCode;

/**
 * An SDK error: the one error shape (`ErrorShape` of the evidence package: plain, serialisable
 * data keyed by `code`) plus `retryable` and an optional `cause`. Spelled out rather than built
 * on `ErrorShape`, because `cause` refers back to this type; errors.test.ts checks it still is one.
 */
export type HotfixError = {
  [C in ErrorCode]: {
    /** Stable kebab-case code: branch on this, never on `message`. */
    readonly code: C;
    /** One human sentence saying what happened and what to do. */
    readonly message: string;
    /** The runbook ID this error relates to, when one does. */
    readonly runbookRef: RunbookId | undefined;
    /** Typed context for this code; locations inside a value are JSON Pointers. */
    readonly details: ErrorDetailsByCode[C];
    /** Whether the same call may succeed if tried again later. */
    readonly retryable: boolean;
    /** The error underneath, when there is one (also token-free). */
    readonly cause?: HotfixError | { readonly name: string; readonly message: string };
  };
}[ErrorCode];

/** The error of one given code. */
export type HotfixErrorOf<C extends ErrorCode> = Extract<HotfixError, { code: C }>;

/** Builds an error of the given code. */
export function hotfixError<C extends ErrorCode>(
  code: C,
  message: string,
  init: {
    readonly runbookRef?: RunbookId | undefined;
    readonly retryable?: boolean;
    readonly details: ErrorDetailsByCode[C];
    readonly cause?: HotfixError | { readonly name: string; readonly message: string } | unknown;
  },
): HotfixErrorOf<C> {
  const err: Record<string, unknown> = {
    code,
    message,
    runbookRef: init.runbookRef,
    retryable: init.retryable ?? false,
    details: init.details,
  };
  if (init.cause !== undefined) err.cause = toCause(init.cause);
  return err as HotfixErrorOf<C>;
}

function toCause(cause: unknown): HotfixError | { name: string; message: string } {
  if (isHotfixError(cause)) return cause;
  if (cause instanceof Error) return { name: cause.name, message: cause.message };
  if (
    typeof cause === 'object' &&
    cause !== null &&
    typeof (cause as { name?: unknown }).name === 'string' &&
    typeof (cause as { message?: unknown }).message === 'string'
  ) {
    return { name: (cause as { name: string }).name, message: (cause as { message: string }).message };
  }
  return { name: 'Unknown', message: String(cause) };
}

/** Tells whether a value is an SDK error (has a string `code`, `message` and `details`). */
export function isHotfixError(value: unknown): value is HotfixError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { code?: unknown }).code === 'string' &&
    typeof (value as { message?: unknown }).message === 'string' &&
    typeof (value as { details?: unknown }).details === 'object'
  );
}
