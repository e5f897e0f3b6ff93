/**
 * `@hotfix-release/sdk/lock`: the release lock (S2/R3, issue 23) as primitives, for tools that
 * inspect or release it (`hotfix status`, `hotfix doctor`, `hotfix abandon`). Promotions take,
 * renew and release it themselves (see the `lock` option of `promoteHotfix`).
 *
 * @packageDocumentation
 */
export type {
  LockFile,
  LockIdentity,
  LockView,
  ReleaseLock,
  ReleaseOutcome,
  TakeOptions,
  TakeOutcome,
} from './primitives/release-lock.js';
export {
  LOCK_BRANCH_PREFIX,
  LOCK_FILE,
  lockBranchFor,
  lockHeldError,
  readReleaseLock,
  releaseReleaseLock,
  renewReleaseLock,
  tryTakeReleaseLock,
  viewLock,
} from './primitives/release-lock.js';
