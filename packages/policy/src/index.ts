export type { CompletionCriterion } from './completion-criteria.js';
export { completionCriteria } from './completion-criteria.js';
