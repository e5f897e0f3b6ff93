/**
 * The runbook "Staging Hotfix Release" as data: one entry per stable ID
 * (P prerequisites, S steps, D decision points, E evidence, R recovery, U use).
 * Code, errors, evidence records and policy results cite these IDs.
 */

/** Every stable runbook ID, in the order the runbook lists them. */
export const RUNBOOK_IDS = [
  'U1',
  'U2',
  'P1',
  'P2',
  'P3',
  'P4',
  'P5',
  'P6',
  'S1',
  'S2',
  'S3',
  'S4',
  'S5',
  'S6',
  'S7',
  'D1',
  'D2',
  'D3',
  'D4',
  'D5',
  'D6',
  'E1',
  'E2',
  'E3',
  'E4',
  'E5',
  'E6',
  'E7',
  'E8',
  'R1',
  'R2',
  'R3',
] as const;

/** A stable runbook ID such as `"S5"` or `"E3"`. */
export type RunbookId = (typeof RUNBOOK_IDS)[number];

/** The runbook's completion criteria, E1–E8. */
export type CompletionCriterionId = Extract<RunbookId, `E${number}`>;

/** One runbook requirement: its ID, its section and a one-line summary. */
export interface RunbookEntry {
  /** The stable ID, e.g. `"S4"`. */
  readonly id: RunbookId;
  /** The runbook section the ID belongs to. */
  readonly section: 'use' | 'prerequisite' | 'procedure' | 'decision' | 'evidence' | 'recovery';
  /** The requirement in one line, as the runbook states it. */
  readonly summary: string;
}

const SUMMARIES: Record<RunbookId, string> = {
  U1: 'Promote ONE merged hotfix to staging outside the normal cut-off cadence.',
  U2: 'Not for the weekly cut-off, unrelated features, or services with their own staging process.',
  P1: 'The hotfix MR is merged, and approved for staging.',
  P2: 'The target repository / service is known.',
  P3: 'The operator may cherry-pick into release (or push a corrected release branch).',
  P4: 'The operator may create and run the orchestration pipeline for the target.',
  P5: 'It is known where the target exposes staging deployment status, logs and health checks.',
  P6: "The hotfix's smoke / acceptance checks are known.",
  S1: 'Confirm the hotfix is ready: MR merged, scope right for staging, affected services known.',
  S2: "Cherry-pick the merged hotfix into release (the MR's merge or squash commit).",
  S3: 'Verify release holds the intended hotfix and no unexpected extra commits came with it.',
  S4: 'Create a NEW orchestration pipeline with action=deploy-release-branch-to-staging, project=<target>, confirm=true.',
  S5: 'Never choose bring-all-code-to-release-branch for a hotfix: it rebuilds release from the default branch.',
  S6: "Watch the target's deployment to completion: downstream pipeline, environment, health checks.",
  S7: 'Validate the fix in staging; for governed work add the MR label "Validated in Staging" once validation passes.',
  D1: 'MR not merged, or still changing: stop; finish development and review first.',
  D2: 'Release needs a full resync from the default branch: not this runbook (use the cut-off process).',
  D3: 'Cherry-pick conflicts: resolve on a local release branch, verify the tree, push only after confirming.',
  D4: 'More than one repository needs the hotfix: repeat S4–S7 per repository and record which were promoted.',
  D5: "A service uses other job names, approvals or entry points: follow that service's own descriptor.",
  D6: 'Staging validation fails: do not proceed; revert or replace the hotfix and rerun the staging deploy.',
  E1: 'The merged hotfix is present on release.',
  E2: 'The orchestration pipeline used action=deploy-release-branch-to-staging, the intended project, and confirm=true.',
  E3: 'bring-all-code-to-release-branch was not selected for the hotfix.',
  E4: "The target service's staging deployment completed successfully.",
  E5: 'The staging environment reflects the expected commit or build.',
  E6: 'The hotfix-specific smoke tests or acceptance checks passed.',
  E7: 'The MR, a deployment note or a handover note records what was validated and for which service.',
  E8: 'For governed delivery work, the MR carries "Validated in Staging", added after validation passed.',
  R1: 'Not yet deployed: remove or revert the cherry-picked commit from release, and stop the promotion.',
  R2: 'Deployed and must be backed out: revert, push, rerun the orchestration pipeline with the same inputs, revalidate.',
  R3: "Release state unclear or drifted: stop; restore release with the repository's recovery process first.",
};

function sectionOf(id: RunbookId): RunbookEntry['section'] {
  switch (id[0]) {
    case 'U':
      return 'use';
    case 'P':
      return 'prerequisite';
    case 'S':
      return 'procedure';
    case 'D':
      return 'decision';
    case 'E':
      return 'evidence';
    default:
      return 'recovery';
  }
}

/** The whole runbook as entries, in runbook order. */
export const RUNBOOK: readonly RunbookEntry[] = RUNBOOK_IDS.map((id) => ({
  id,
  section: sectionOf(id),
  summary: SUMMARIES[id],
}));

/** Tells whether a string is a stable runbook ID. */
export function isRunbookId(value: unknown): value is RunbookId {
  return typeof value === 'string' && (RUNBOOK_IDS as readonly string[]).includes(value);
}

/** Looks up one runbook entry by ID. */
export function runbookEntry(id: RunbookId): RunbookEntry {
  const entry = RUNBOOK.find((e) => e.id === id);
  // RUNBOOK is built from RUNBOOK_IDS, so every RunbookId has an entry.
  return entry as RunbookEntry;
}
