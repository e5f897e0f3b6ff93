import { z } from 'zod';
import {
  gitShaSchema,
  httpUrlSchema,
  isoUtcSchema,
  projectPathSchema,
  reportedTimeSchema,
  sha256DigestSchema,
} from './primitives.js';
import {
  conflictResolutionSchema,
  deployedCommitsRecordSchema,
  deployedShaRecordSchema,
  deploymentRecordSchema,
  driftReportSchema,
  enumerationRecordSchema,
  labelRecordSchema,
  lockRecordSchema,
  noteRecordSchema,
  pickRecordSchema,
  pipelineRecordSchema,
  releaseMergeRequestRecordSchema,
  rollbackRecordSchema,
  smokeCheckRecordSchema,
} from './target-records.js';

/**
 * The evidence schema version this package writes. Semver; see {@link SCHEMA_MAJOR} for the compatibility rule.
 * 2.0.0: a time GitLab did not report (`hotfix.mr.mergedAt`, a pipeline's or a note's `createdAt`) is
 * `{ absent: true, reason }` instead of a string.
 * 3.0.0 (issue 24, D4 across repositories): `hotfixes` (one entry per merge request) replaces `hotfix`,
 * and every target record names its hotfix (`hotfix: "group/project!iid"`).
 */
export const SCHEMA_VERSION = '3.0.0';

/**
 * The major version this package reads. Compatibility rule: a reader accepts every bundle whose
 * `schemaVersion` has the same major; minor versions only add optional fields (readers ignore fields
 * they do not know, and the content digest still covers them); patch versions only tighten docs.
 * Removing, renaming or changing the meaning of a field is a new major.
 */
export const SCHEMA_MAJOR = 3;

/**
 * The majors this package reads: its own and the two before. A 1.x or 2.x bundle is validated against the
 * 2.x schema (2.0.0 only widened times, so every 1.x bundle is a valid 2.x one) and then normalized to the
 * 3.x shape in one place, {@link normalizeBundle}: its one `hotfix` becomes `hotfixes[0]` and every target
 * names it.
 */
export const READABLE_MAJORS: readonly number[] = [1, 2, SCHEMA_MAJOR];

/** A hotfix's reference as target records name it: `group/project!iid`. */
export const hotfixRefSchema = z
  .string()
  .max(300)
  .regex(/^[A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+)+![1-9]\d{0,9}$/, 'expected a merge request like group/project!12');

/** One hotfix (a merged merge request) of a promotion: the MR, the commits picked, and whether it is governed. */
export const hotfixSchema = z.object({
  mr: z.object({
    project: projectPathSchema,
    iid: z.number().int().positive(),
    webUrl: httpUrlSchema,
    mergeMethod: z.enum(['merge', 'squash', 'rebase_merge', 'ff']),
    /** Absent (with the reason) when GitLab reported no `merged_at`. */
    mergedAt: reportedTimeSchema,
  }),
  commits: z
    .array(z.object({ sha: gitShaSchema, title: z.string().max(1000) }))
    .min(1)
    .max(100),
  governed: z.boolean(),
});

/** The reference of a hotfix's merge request, `group/project!iid`, as target records name it. */
export function hotfixRef(mr: { readonly project: string; readonly iid: number }): string {
  return `${mr.project}!${mr.iid}`;
}

/**
 * A project path's identity: GitLab finds full paths case-insensitively and keeps them unique that way, so
 * `Group/Project` and `group/project` name one project. Compare paths by this key, never with `===`.
 */
export function projectKey(path: string): string {
  return path.toLowerCase();
}

/**
 * A merge request's identity, `group/project!iid` with the path's {@link projectKey}, from the MR or from its
 * reference (as {@link hotfixRef} writes it): compare MRs by this.
 */
export function hotfixKey(mr: string | { readonly project: string; readonly iid: number }): string {
  // A reference's iid is digits: lower-casing the whole reference lower-cases exactly its path.
  return typeof mr === 'string' ? projectKey(mr) : `${projectKey(mr.project)}!${mr.iid}`;
}

/** D4 order: why a target was not started: the targets it depends on that were not promoted. */
export const blockedRecordSchema = z.object({
  observedAt: isoUtcSchema,
  reason: z.string().min(1).max(2000),
  blockedBy: z.array(projectPathSchema).min(1).max(50),
});

/** A target's outcome: `promoted` (S4–S7 done), `failed`, `rolled_back` (D6/R1/R2) or `pending` (not finished). */
export const targetOutcomeSchema = z.enum(['promoted', 'failed', 'rolled_back', 'pending']);

/**
 * Every record backing E1–E8 for one target project (D4: one entry per target). Records of steps that
 * have not happened yet are absent, so a partial bundle from a journal is still valid.
 */
export const targetRecordSchema = z.object({
  project: projectPathSchema,
  /** Schema 3.x: the hotfix this target promotes, `group/project!iid` (one of the bundle's `hotfixes`). */
  hotfix: hotfixRefSchema,
  outcome: targetOutcomeSchema,
  pick: pickRecordSchema.optional(),
  drift: driftReportSchema.optional(),
  /** S2/E1 in merge-request pick mode: the release MR the pick went through (absent in push mode). */
  releaseMergeRequest: releaseMergeRequestRecordSchema.optional(),
  conflicts: z.array(conflictResolutionSchema).max(100),
  pipeline: pipelineRecordSchema.optional(),
  enumeration: enumerationRecordSchema.optional(),
  deployment: deploymentRecordSchema.optional(),
  deployedSha: deployedShaRecordSchema.optional(),
  /** E1/E5: the commits the deployment ran beyond the pick's `headBefore` (absent in older bundles). */
  deployedCommits: deployedCommitsRecordSchema.optional(),
  /** S2/R3: the release lock the promotion held (absent in older bundles and without a lock). */
  lock: lockRecordSchema.optional(),
  smokeChecks: z.array(smokeCheckRecordSchema).max(200),
  note: noteRecordSchema.optional(),
  label: labelRecordSchema.optional(),
  rollbacks: z.array(rollbackRecordSchema).max(20),
  /** D4 order (schema 3.x): the targets that had to be promoted before this one started (absent: none). */
  dependsOn: z.array(projectPathSchema).max(50).optional(),
  /** D4 order (schema 3.x): not started because a target it depends on was not promoted (outcome `failed`). */
  blocked: blockedRecordSchema.optional(),
});

/** The fields every major of the bundle shares: who, when, where, with which settings. Internal. */
export const bundleHeaderShape = {
  tool: z.object({ name: z.string().min(1).max(100), version: z.string().min(1).max(100) }),
  operator: z.object({ username: z.string().min(1).max(255), id: z.number().int().positive().optional() }),
  gitlabUrl: httpUrlSchema,
  startedAt: isoUtcSchema,
  completedAt: isoUtcSchema.optional(),
  settings: z.object({
    orchestrationProject: projectPathSchema,
    releaseBranch: z.string().min(1).max(255),
    environment: z.string().min(1).max(255),
    label: z.string().min(1).max(255),
  }),
};

/** The fields every major ends with: D4's promoted targets and the seal. Internal. */
export const bundleTrailerShape = {
  /** D4: exactly which targets were promoted (project paths). */
  promotedTargets: z.array(projectPathSchema).max(50),
  /** `sha256:` of the canonical JSON of the bundle without this field; set by `sealBundle`. */
  digest: sha256DigestSchema.optional(),
};

/**
 * The evidence of one promotion (schema {@link SCHEMA_VERSION}): who, when, with what, which merge requests
 * (`hotfixes`, one per repository's MR, D4), and per target the records, each naming its hotfix.
 */
export const promotionBundleSchema = z.object({
  schemaVersion: z.string().regex(/^3\.\d+\.\d+$/, 'expected a 3.x.y schema version'),
  ...bundleHeaderShape,
  /** The merge requests promoted together (D4): one per repository's part of the fix. */
  hotfixes: z.array(hotfixSchema).min(1).max(20),
  targets: z.array(targetRecordSchema).min(1).max(50),
  ...bundleTrailerShape,
});

/** D4 order record type: a target not started because a target it depends on was not promoted. */
export type BlockedRecord = z.infer<typeof blockedRecordSchema>;

/** One hotfix of a bundle (see {@link hotfixSchema}). */
export type Hotfix = z.infer<typeof hotfixSchema>;

/**
 * The hotfix a target promotes, with its index in `hotfixes`; undefined when the target names none of them
 * (`parseBundle` refuses such a bundle).
 *
 * @example
 * ```ts
 * const h = hotfixForTarget(bundle, bundle.targets[0]);
 * console.log(h?.hotfix.mr.iid);
 * ```
 */
export function hotfixForTarget(
  bundle: { readonly hotfixes: readonly Hotfix[] },
  target: { readonly hotfix: string },
): { readonly hotfix: Hotfix; readonly index: number } | undefined {
  const index = bundle.hotfixes.findIndex((h) => hotfixRef(h.mr) === target.hotfix);
  const hotfix = bundle.hotfixes[index];
  return hotfix ? { hotfix, index } : undefined;
}

/**
 * One promotion's evidence bundle (the zod output type).
 */
export type PromotionBundle = z.infer<typeof promotionBundleSchema>;

/** The records of one target project. */
export type TargetRecord = z.infer<typeof targetRecordSchema>;

/** A target's outcome. */
export type TargetOutcome = z.infer<typeof targetOutcomeSchema>;

/**
 * E1 record type. @example
 * ```ts
 * const heads = (p: PickRecord) => [p.headBefore, p.headAfter];
 * ```
 */
export type PickRecord = z.infer<typeof pickRecordSchema>;
/**
 * S3/R3 drift report type. @example
 * ```ts
 * const clean = (d: DriftReport) => d.ok;
 * ```
 */
export type DriftReport = z.infer<typeof driftReportSchema>;
/**
 * D3 conflict resolution type. @example
 * ```ts
 * const paths = (c: ConflictResolution) => c.paths;
 * ```
 */
export type ConflictResolution = z.infer<typeof conflictResolutionSchema>;
/**
 * E2 pipeline record type. @example
 * ```ts
 * const action = (p: PipelineRecord) => p.inputs.action;
 * ```
 */
export type PipelineRecord = z.infer<typeof pipelineRecordSchema>;
/**
 * E3 enumeration record type. @example
 * ```ts
 * const complete = (e: EnumerationRecord) => e.pagesExhausted;
 * ```
 */
export type EnumerationRecord = z.infer<typeof enumerationRecordSchema>;
/**
 * One pipeline of the E3 window with its classification. @example
 * ```ts
 * const offending = (p: EnumeratedPipeline) => p.classification === 'cut-off';
 * ```
 */
export type EnumeratedPipeline = NonNullable<EnumerationRecord['pipelines']>[number];
/**
 * E4 deployment record type. @example
 * ```ts
 * const status = (d: DeploymentRecord) => d.deployment.status;
 * ```
 */
export type DeploymentRecord = z.infer<typeof deploymentRecordSchema>;
/**
 * E5 deployed-SHA record type. @example
 * ```ts
 * const sha = (d: DeployedShaRecord) => d.environment.sha;
 * ```
 */
export type DeployedShaRecord = z.infer<typeof deployedShaRecordSchema>;
/**
 * E1/E5 deployed-commits record type. @example
 * ```ts
 * const shas = (d: DeployedCommitsRecord) => d.commits.map((c) => c.sha);
 * ```
 */
export type DeployedCommitsRecord = z.infer<typeof deployedCommitsRecordSchema>;
/**
 * S2/E1 release merge request record type (merge-request pick mode). @example
 * ```ts
 * const merge = (r: ReleaseMergeRequestRecord) => r.reported.mergeCommitSha;
 * ```
 */
export type ReleaseMergeRequestRecord = z.infer<typeof releaseMergeRequestRecordSchema>;
/**
 * S2/R3 release-lock record type. @example
 * ```ts
 * const who = (l: LockRecord) => `${l.holder.username} until ${l.leaseExpiresAt}`;
 * ```
 */
export type LockRecord = z.infer<typeof lockRecordSchema>;
/**
 * E6 smoke-check record type. @example
 * ```ts
 * const passed = (s: SmokeCheckRecord) => s.result === 'passed';
 * ```
 */
export type SmokeCheckRecord = z.infer<typeof smokeCheckRecordSchema>;
/**
 * E7 note record type. @example
 * ```ts
 * const url = (n: NoteRecord) => n.url;
 * ```
 */
export type NoteRecord = z.infer<typeof noteRecordSchema>;
/**
 * E8 label record type. @example
 * ```ts
 * const when = (l: LabelRecord) => l.addedAt;
 * ```
 */
export type LabelRecord = z.infer<typeof labelRecordSchema>;
/**
 * R1/R2 rollback record type. @example
 * ```ts
 * const revert = (r: RollbackRecord) => r.revertSha;
 * ```
 */
export type RollbackRecord = z.infer<typeof rollbackRecordSchema>;
