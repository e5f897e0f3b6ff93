/**
 * One run's memory of GitLab answers that cannot change while the run lasts: who the token is
 * (GET /user) and a commit's diff named by its full SHA (a commit is immutable, so is its diff
 * against its first parent). A flow wraps its client once so the primitives it calls read each
 * of these once per run (issue 27: every request is a round trip on a real network). Nothing
 * that can move is remembered: branches, pipelines, deployments and lists are always read fresh.
 */
import { type Result, ResultAsync } from 'neverthrow';
import type { HotfixError } from '../errors.js';
import type { GitLabClient } from '../gitlab-client.js';
import type { ListResult } from './paginate.js';
import type { GitLabDiff } from './schemas.js';

const FULL_SHA = /^[0-9a-f]{40}$/;

type Remembered<T> = Map<string, Promise<Result<T, HotfixError>>>;
type Answer<R> = R extends ResultAsync<infer T, HotfixError> ? T : never;

/** Answers from `remembered` while it holds the key; a failed read, or one `keep` rejects, is not remembered. */
function once<T>(
  remembered: Remembered<T>,
  key: string,
  read: () => ResultAsync<T, HotfixError>,
  keep: (value: T) => boolean = () => true,
): ResultAsync<T, HotfixError> {
  let pending = remembered.get(key);
  if (pending === undefined) {
    pending = Promise.resolve(read()).then((r) => {
      if (r.isErr() || !keep(r.value)) remembered.delete(key);
      return r;
    });
    remembered.set(key, pending);
  }
  return new ResultAsync(pending);
}

/**
 * The client with GET /user and complete commit diffs (by full SHA) read at most once; every
 * other method is the client's own. Only a diff read to its last page is remembered; a diff
 * named by a branch or a short SHA is always read.
 */
export function rememberStableReads(client: GitLabClient): GitLabClient {
  const users: Remembered<Answer<ReturnType<GitLabClient['currentUser']>>> = new Map();
  const diffs: Remembered<ListResult<GitLabDiff>> = new Map();
  const currentUser: GitLabClient['currentUser'] = () => once(users, 'user', () => client.currentUser());
  const commitDiff: GitLabClient['commitDiff'] = (project, sha, opts) =>
    FULL_SHA.test(sha)
      ? once(
          diffs,
          `${String(project)}\n${sha}`,
          () => client.commitDiff(project, sha, opts),
          (d) => d.exhausted,
        )
      : client.commitDiff(project, sha, opts);
  return new Proxy(client, {
    get(target, key) {
      if (key === 'currentUser') return currentUser;
      if (key === 'commitDiff') return commitDiff;
      const value: unknown = Reflect.get(target, key);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
