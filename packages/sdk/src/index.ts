export type { ErrorCode, ErrorDetailsByCode, GitLabHttpDetails, HotfixError, HotfixErrorOf } from './errors.js';
export { describeError, hotfixError, isHotfixError } from './errors.js';
