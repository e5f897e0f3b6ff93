export type { CompletionCriterionId, RunbookEntry, RunbookId } from './runbook.js';
export { isRunbookId, RUNBOOK, RUNBOOK_IDS, runbookEntry } from './runbook.js';
