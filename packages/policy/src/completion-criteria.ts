import { type CompletionCriterionId, RUNBOOK } from '@hotfix-release/evidence';

/** One completion criterion of the runbook (E1–E8) that the policy judges. */
export interface CompletionCriterion {
  /** The runbook ID, `"E1"` … `"E8"`. */
  readonly id: CompletionCriterionId;
  /** What must hold, as the runbook states it. */
  readonly summary: string;
}

/** Lists the runbook's completion criteria E1–E8, in order. */
export function completionCriteria(): readonly CompletionCriterion[] {
  return RUNBOOK.filter((e) => e.section === 'evidence').map((e) => ({
    id: e.id as CompletionCriterionId,
    summary: e.summary,
  }));
}
