import type { RunbookId } from '@hotfix-release/evidence';

/** A runbook reference: one stable ID, or a range such as `S2–S7` for controls spanning steps. */
export type RunbookRef = RunbookId | `${RunbookId}–${RunbookId}`;

/**
 * When a control applies: always, only for governed delivery work (E8), only when a signing key is
 * configured or a signature is required (CI), only for a signed (DSSE) input, only for rolled-back targets, or only with live facts.
 */
export type AppliesWhen = 'always' | 'governed' | 'signature-expected' | 'envelope' | 'rolled-back' | 'live-facts';

/**
 * The id of every control, in evaluation order: the runbook ID for E1–E8, kebab-case otherwise.
 * The catalog below has exactly these ids in this order (checked by a type test and a test), so
 * code names a control by a typed id, never by a string or a position in the catalog.
 */
export const CONTROL_IDS = [
  'bundle-schema',
  'bundle-digest',
  'bundle-signature',
  'bundle-claims',
  'bundle-subject',
  'promoted-targets',
  'E1',
  'E2',
  'E3',
  'E4',
  'E5',
  'E6',
  'E7',
  'E8',
  'step-order',
  'evidence-freshness',
  'rollback-records',
  'live-facts',
] as const;

/** The id of a control in {@link CONTROL_CATALOG}. */
export type ControlId = (typeof CONTROL_IDS)[number];

/** One control of the catalog, as data. */
export interface ControlDefinition {
  /** Stable id: the runbook ID for E1–E8, kebab-case otherwise. */
  readonly id: ControlId;
  /** What the control proves, in one line. */
  readonly title: string;
  /** The runbook requirement behind it. */
  readonly runbookRef: RunbookRef;
  /** Controls evaluated first; an `error` in one of them makes this control `error` too. */
  readonly dependencies: readonly ControlId[];
  /** Whether it is judged once per bundle or once per target project (D4). */
  readonly scope: 'bundle' | 'target';
  /** When the control applies; otherwise its result is `not_applicable`. */
  readonly appliesWhen: AppliesWhen;
  /** Whether a waiver may turn its failure into `waived`. */
  readonly waivable: boolean;
  /** `integrity`: a failure means the evidence cannot be trusted (exit 2); `criterion`: a failure is exit 1. */
  readonly kind: 'integrity' | 'criterion';
  /** One line telling the operator what to do, citing the runbook. */
  readonly remediation: string;
}

/**
 * The control catalog, in evaluation order (every dependency comes before its dependents).
 * @see E1–E8, D4, S2–S7, R2
 */
export const CONTROL_CATALOG = [
  {
    id: 'bundle-schema',
    title: 'The evidence is readable and matches the evidence schema',
    runbookRef: 'E1–E8',
    dependencies: [],
    scope: 'bundle',
    appliesWhen: 'always',
    waivable: false,
    kind: 'integrity',
    remediation: 'Regenerate the bundle with the hotfix tool (E1–E8); do not edit evidence by hand.',
  },
  {
    id: 'bundle-digest',
    title: 'The content digest matches the canonical JSON of the bundle',
    runbookRef: 'E1–E8',
    dependencies: ['bundle-schema'],
    scope: 'bundle',
    appliesWhen: 'always',
    waivable: false,
    kind: 'integrity',
    remediation:
      'The bundle changed after it was sealed: use the original bundle or reseal it from the journal (E1–E8).',
  },
  {
    id: 'bundle-signature',
    title: 'A trusted ed25519 key signed the DSSE envelope',
    runbookRef: 'E1–E8',
    dependencies: ['bundle-schema'],
    scope: 'bundle',
    appliesWhen: 'signature-expected',
    waivable: false,
    kind: 'integrity',
    remediation: 'Check the signed envelope, not a bare bundle, with the key that signed it (E1–E8).',
  },
  {
    id: 'bundle-claims',
    title: 'The bundle is evidence of the expected instance, MR, settings and governance',
    runbookRef: 'D4',
    dependencies: ['bundle-schema'],
    scope: 'bundle',
    appliesWhen: 'always',
    waivable: false,
    kind: 'integrity',
    remediation:
      'Check the evidence of this MR on this GitLab instance, promoted with the settings of the policy file (D4, E1–E8).',
  },
  {
    id: 'bundle-subject',
    title: 'The signed statement attests exactly this bundle’s promoted targets',
    runbookRef: 'D4',
    dependencies: ['bundle-schema'],
    scope: 'bundle',
    appliesWhen: 'envelope',
    waivable: false,
    kind: 'integrity',
    remediation: 'Sign one bundle per statement, with one subject per promoted target at its release head (D4).',
  },
  {
    id: 'promoted-targets',
    title: 'The bundle names exactly which targets were promoted, and none is pending',
    runbookRef: 'D4',
    dependencies: ['bundle-schema'],
    scope: 'bundle',
    appliesWhen: 'always',
    waivable: false,
    kind: 'criterion',
    remediation: 'Finish or roll back every target and record the promoted ones exactly (D4).',
  },
  {
    id: 'E1',
    title: 'The merged hotfix is on release, and release holds nothing else',
    runbookRef: 'E1',
    dependencies: ['bundle-schema'],
    scope: 'target',
    appliesWhen: 'always',
    waivable: false,
    kind: 'criterion',
    remediation:
      'Cherry-pick the merged hotfix into release (S2) and verify no extra commits came with it (S3); on drift stop (R3).',
  },
  {
    id: 'E2',
    title: 'The orchestration pipeline used the deploy action, the target project and confirm=true',
    runbookRef: 'E2',
    dependencies: ['bundle-schema'],
    scope: 'target',
    appliesWhen: 'always',
    waivable: false,
    kind: 'criterion',
    remediation:
      'Create a new orchestration pipeline with action=deploy-release-branch-to-staging, project=<target>, confirm=true (S4).',
  },
  {
    id: 'E3',
    title: 'A complete enumeration proves no cut-off pipeline ran for the target in the promotion window',
    runbookRef: 'E3',
    dependencies: ['bundle-schema'],
    scope: 'target',
    appliesWhen: 'always',
    waivable: false,
    kind: 'criterion',
    remediation:
      'Never run bring-all-code-to-release-branch for a hotfix (S5); enumerate every page of the window again.',
  },
  {
    id: 'E4',
    title: 'The target’s staging deployment completed successfully',
    runbookRef: 'E4',
    dependencies: ['bundle-schema'],
    scope: 'target',
    appliesWhen: 'always',
    waivable: false,
    kind: 'criterion',
    remediation: 'Watch the downstream pipeline, deploy job and deployment to success (S6); on failure follow D6.',
  },
  {
    id: 'E5',
    title: 'Staging runs the expected commit, per the environment and the health endpoint',
    runbookRef: 'E5',
    dependencies: ['bundle-schema', 'E1'],
    scope: 'target',
    appliesWhen: 'always',
    waivable: false,
    kind: 'criterion',
    remediation: 'Confirm the environment and health endpoint report the release head after the pick (S6).',
  },
  {
    id: 'E6',
    title: 'Every hotfix smoke or acceptance check passed',
    runbookRef: 'E6',
    dependencies: ['bundle-schema'],
    scope: 'target',
    appliesWhen: 'always',
    waivable: true,
    kind: 'criterion',
    remediation: 'Run the hotfix’s smoke/acceptance checks in staging (S7); if they fail, do not proceed (D6).',
  },
  {
    id: 'E7',
    title: 'A note records what was validated and for which service',
    runbookRef: 'E7',
    dependencies: ['bundle-schema'],
    scope: 'target',
    appliesWhen: 'always',
    waivable: true,
    kind: 'criterion',
    remediation: 'Post the validation summary on the MR naming the service (S7, E7).',
  },
  {
    id: 'E8',
    title: 'Governed work carries "Validated in Staging", added after validation passed',
    runbookRef: 'E8',
    dependencies: ['bundle-schema', 'E6'],
    scope: 'target',
    appliesWhen: 'governed',
    waivable: true,
    kind: 'criterion',
    remediation: 'Add the existing "Validated in Staging" label only after every check passed (S7).',
  },
  {
    id: 'step-order',
    title: 'Pick, pipeline, deployment, smoke checks and note happened in runbook order',
    runbookRef: 'S2–S7',
    dependencies: ['bundle-schema'],
    scope: 'target',
    appliesWhen: 'always',
    waivable: false,
    kind: 'criterion',
    remediation: 'Redo the steps in order S2 → S4 → S6 → S7; evidence out of order cannot show causality.',
  },
  {
    id: 'evidence-freshness',
    title: 'No observation is older than the configured maximum age or in the future',
    runbookRef: 'E1–E8',
    dependencies: ['bundle-schema'],
    scope: 'bundle',
    appliesWhen: 'always',
    waivable: true,
    kind: 'criterion',
    remediation: 'Re-observe the promotion (or check it sooner) so every record is within the maximum age (E1–E8).',
  },
  {
    id: 'rollback-records',
    title: 'A rolled-back target was reverted, redeployed with the same inputs and revalidated',
    runbookRef: 'R2',
    dependencies: ['bundle-schema'],
    scope: 'target',
    appliesWhen: 'rolled-back',
    waivable: false,
    kind: 'criterion',
    remediation: 'Revert the hotfix from release, rerun the deploy action with confirm=true and revalidate (R1/R2).',
  },
  {
    id: 'live-facts',
    title: 'GitLab still reports what the bundle claims (pipeline inputs, deployed SHA, label, note)',
    runbookRef: 'E2–E8',
    dependencies: ['bundle-schema'],
    scope: 'target',
    appliesWhen: 'live-facts',
    waivable: false,
    kind: 'criterion',
    remediation: 'Investigate the disagreement in GitLab before trusting this bundle (E2, E5, E7, E8).',
  },
] as const satisfies readonly ControlDefinition[];

/** Tells whether a string is the id of a catalog control. */
export function isControlId(value: unknown): value is ControlId {
  return typeof value === 'string' && (CONTROL_IDS as readonly string[]).includes(value);
}

/** Looks up a control definition by id. */
export function controlDefinition(id: ControlId): ControlDefinition {
  // Present for every id: the catalog holds exactly CONTROL_IDS (pinned by control-catalog.test.ts).
  return BY_ID.get(id)!;
}

const BY_ID = new Map<ControlId, ControlDefinition>(CONTROL_CATALOG.map((c) => [c.id, c]));
