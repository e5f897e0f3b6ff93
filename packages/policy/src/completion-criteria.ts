import { type CompletionCriterionId, RUNBOOK } from '@hotfix-release/evidence';

/**
 * One completion criterion of the runbook (E1–E8) that the policy judges.
 *
 * @example
 * ```ts
 * const c: CompletionCriterion = { id: 'E3', summary: 'bring-all-code-to-release-branch was not selected for the hotfix.' };
 * ```
 */
export interface CompletionCriterion {
  /** The runbook ID, `"E1"` … `"E8"`. */
  readonly id: CompletionCriterionId;
  /** What must hold, as the runbook states it. */
  readonly summary: string;
}

/**
 * Lists the runbook's completion criteria E1–E8, in order.
 *
 * @example
 * ```ts
 * completionCriteria().map((c) => c.id); // ['E1', ..., 'E8']
 * ```
 */
export function completionCriteria(): readonly CompletionCriterion[] {
  return RUNBOOK.filter((e) => e.section === 'evidence').map((e) => ({
    id: e.id as CompletionCriterionId,
    summary: e.summary,
  }));
}
