import type { ResultAsync } from 'neverthrow';
import type { HotfixError } from '../errors.js';
import { type LocalPickInput, type LocalPickResult, runLocalPick } from './cherry-pick-local/local-pick.js';

export type {
  LocalConflict,
  LocalConflictReason,
  LocalEntry,
  LocalPickResult,
  LocalPickStats,
} from './cherry-pick-local/local-pick.js';

/** Options of {@link cherryPickLocal} and {@link revertLocal}. */
export interface CherryPickLocalOptions {
  /** The git directory: `.git` of a clone or a bare repository. No working tree is read or written. */
  readonly gitdir: string;
  /** The ref to pick onto, e.g. `release` or `refs/heads/release`. */
  readonly ref: string;
  /** The commit to pick (or revert), 4 to 40 hex digits. */
  readonly commit: string;
  /** For a merge commit: the 1-based parent to diff against (git's `-m`). Required for merges. */
  readonly mainline?: number;
  /** Who commits; the author of a pick stays the original author. */
  readonly committer: {
    readonly name: string;
    readonly email: string;
    /** ISO 8601 time of the commit; now when omitted. */
    readonly date?: string;
    /** Minutes east of UTC (60 for UTC+01:00); 0 by default. */
    readonly utcOffsetMinutes?: number;
  };
  /** Append `(cherry picked from commit <sha>)` (git's `-x`); true by default. Ignored by revert. */
  readonly appendTrailer?: boolean;
  /** Move `ref` to the new commit only if it still points where it did: compare-and-swap under git's ref lock; false by default. */
  readonly updateRef?: boolean;
  /** An isomorphic-git cache object to share across calls on the same repository. */
  readonly cache?: object;
}

/**
 * Cherry-picks one commit onto a ref inside a local git directory without touching any
 * working tree: a three-way merge of trees (base = the commit's parent, or parent `mainline`
 * of a merge; ours = the ref's tree; theirs = the commit's tree) that is byte-exact for binary,
 * latin1, CRLF and files without a final newline, and reports anything it cannot merge as git
 * would as a conflict, never as a wrong tree.
 *
 * Errors: `invalid-input` (bad option, naming the field; a merge commit without `mainline`),
 * `git` (ref or object missing, unreadable repository), `push-rejected` (with `updateRef`, the
 * ref moved meanwhile; nothing changed).
 *
 * @example
 * ```ts
 * const result = await cherryPickLocal({
 *   gitdir: '/srv/repo.git',
 *   ref: 'release',
 *   commit: 'f00dbabe',
 *   committer: { name: 'Hotfix Bot', email: 'bot@example.com' },
 *   updateRef: true,
 * });
 * if (result.isOk() && result.value.kind === 'conflict') console.log(result.value.conflicts.map((c) => c.path));
 * ```
 * @see S2 (cherry-pick the hotfix into release), D3 (resolve conflicts on a local release branch, verify the tree)
 */
export function cherryPickLocal(options: CherryPickLocalOptions): ResultAsync<LocalPickResult, HotfixError> {
  return runLocalPick('pick', options as LocalPickInput);
}
