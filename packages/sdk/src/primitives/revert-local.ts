import type { ResultAsync } from 'neverthrow';
import type { HotfixError } from '../errors.js';
import { type LocalPickInput, type LocalPickResult, runLocalPick } from './cherry-pick-local/local-pick.js';
import type { CherryPickLocalOptions } from './cherry-pick-local.js';

/**
 * Reverts one commit on a ref inside a local git directory without touching any working tree:
 * the same three-way tree merge as {@link cherryPickLocal} with base and theirs swapped (base =
 * the commit's tree, theirs = its parent's, or parent `mainline` of a merge). The commit is
 * authored and committed by `committer` with git's message `Revert "<title>"` /
 * `This reverts commit <sha>.`
 *
 * Errors: `invalid-input` (bad option, naming the field), `git` (ref or object missing),
 * `push-rejected` (with `updateRef`, the ref moved meanwhile; nothing changed).
 *
 * @example
 * ```ts
 * const result = await revertLocal({
 *   gitdir: '/srv/repo.git',
 *   ref: 'release',
 *   commit: 'f00dbabe',
 *   committer: { name: 'Hotfix Bot', email: 'bot@example.com' },
 * });
 * ```
 * @see R1 (not yet deployed: revert the pick from release), R2 (deployed: revert the hotfix from release, push, redeploy)
 */
export function revertLocal(options: CherryPickLocalOptions): ResultAsync<LocalPickResult, HotfixError> {
  return runLocalPick('revert', options as LocalPickInput);
}
