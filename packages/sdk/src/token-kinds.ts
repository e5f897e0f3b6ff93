/**
 * What each kind of GitLab token may do, and the git user name GitLab expects with it.
 *
 * A CI/CD job token (`CI_JOB_TOKEN`) reaches only the REST endpoints GitLab lists for it
 * ("GitLab CI/CD job token" and "Fine-grained permissions for CI/CD job tokens" in GitLab's docs:
 * deployments, environments, packages, releases, the job's own artifacts, ...). Cherry-picking or
 * reverting through the commits API, creating a pipeline, writing MR notes and adding labels are
 * not on that list, so a promotion or rollback with a job token is refused before anything is
 * attempted (P3, P4), instead of failing half-way with a 401.
 */
import { err, ok, type Result } from 'neverthrow';
import { type HotfixError, hotfixError } from './errors.js';

/** How a token is sent: PRIVATE-TOKEN (personal/project/group), JOB-TOKEN (CI_JOB_TOKEN) or Bearer (OAuth). */
export type TokenKind = 'private' | 'job' | 'oauth';

/** A GitLab operation a command may need, named as the runbook's steps use it. */
export type GitLabOperation =
  | 'read-merge-request'
  | 'cherry-pick'
  | 'revert'
  | 'create-pipeline'
  | 'mr-note'
  | 'mr-label'
  | 'git-push';

/** What each operation is, in GitLab's words, and which runbook step needs it. */
const OPERATIONS: Readonly<
  Record<GitLabOperation, { readonly what: string; readonly ref: 'P1' | 'P3' | 'P4' | 'S7' }>
> = {
  'read-merge-request': { what: 'read the merge request (GET /projects/:id/merge_requests/:iid)', ref: 'P1' },
  'cherry-pick': { what: 'cherry-pick (POST /projects/:id/repository/commits/:sha/cherry_pick)', ref: 'P3' },
  revert: { what: 'revert (POST /projects/:id/repository/commits/:sha/revert)', ref: 'P3' },
  'create-pipeline': { what: 'create a pipeline (POST /projects/:id/pipeline)', ref: 'P4' },
  'mr-note': { what: 'write an MR note (POST /projects/:id/merge_requests/:iid/notes)', ref: 'S7' },
  'mr-label': { what: 'add a label (PUT /projects/:id/merge_requests/:iid)', ref: 'S7' },
  'git-push': { what: 'push over git (needs "Allow Git push requests" for job tokens)', ref: 'P3' },
};

/**
 * Operations a job token cannot do on a default GitLab. `git-push` is not here: recent GitLab
 * versions let a maintainer allow job-token pushes, and the server's answer decides.
 */
const JOB_TOKEN_CANNOT: ReadonlySet<GitLabOperation> = new Set([
  'read-merge-request',
  'cherry-pick',
  'revert',
  'create-pipeline',
  'mr-note',
  'mr-label',
]);

/** What a promotion needs of its token (P1, P3, P4, S7). */
export const PROMOTION_OPERATIONS: readonly GitLabOperation[] = [
  'cherry-pick',
  'create-pipeline',
  'mr-note',
  'mr-label',
  'read-merge-request',
];

/** What a rollback needs of its token (R1, R2). */
export const ROLLBACK_OPERATIONS: readonly GitLabOperation[] = ['revert', 'create-pipeline', 'read-merge-request'];

/**
 * What the read-only commands need of their token (P1): `preflight`, `status` and a live policy
 * check read the merge request, which GitLab does not open to job tokens.
 */
export const INSPECTION_OPERATIONS: readonly GitLabOperation[] = ['read-merge-request'];

/** The operations of `operations` a token of this kind cannot do, each in GitLab's words (empty when none). */
export function tokenCannot(
  kind: TokenKind,
  operations: readonly GitLabOperation[],
): { readonly operation: GitLabOperation; readonly what: string; readonly ref: 'P1' | 'P3' | 'P4' | 'S7' }[] {
  if (kind !== 'job') return [];
  return operations.filter((o) => JOB_TOKEN_CANNOT.has(o)).map((o) => ({ operation: o, ...OPERATIONS[o] }));
}

/**
 * The HTTP Basic user name GitLab expects for a git push with this kind of token: `gitlab-ci-token`
 * for a job token, `oauth2` for an OAuth token, and any name for an access token (`oauth2` is used).
 */
export function gitUsernameFor(kind: TokenKind): string {
  return kind === 'job' ? 'gitlab-ci-token' : 'oauth2';
}

/**
 * Refuses, before any side effect, a token kind that cannot do what a command needs: a job token
 * and any operation GitLab does not open to job tokens. The error (`token-insufficient`) names each
 * operation and says which token to use instead.
 *
 * @example
 * ```ts
 * const can = checkTokenCan('job', PROMOTION_OPERATIONS, 'promote');
 * if (can.isErr()) console.error(can.error.message);
 * ```
 * @see P3 P4
 */
export function checkTokenCan(
  kind: TokenKind,
  operations: readonly GitLabOperation[],
  command: string,
): Result<void, HotfixError> {
  const cannot = tokenCannot(kind, operations);
  const first = cannot[0];
  if (!first) return ok(undefined);
  return err(
    hotfixError(
      'token-insufficient',
      `${command} needs a token that can ${cannot.map((o) => o.what).join('; ')}, and a CI/CD job token (CI_JOB_TOKEN) cannot on GitLab's default job-token allowlist; nothing was attempted. Use a personal, project or group access token with the api scope in GITLAB_TOKEN (without --job-token).`,
      {
        runbookRef: first.ref,
        details: { tokenKind: kind, command, operations: cannot.map((o) => o.operation) },
      },
    ),
  );
}
