import { z } from 'zod';
import {
  gitShaSchema,
  httpUrlSchema,
  inputValueSchema,
  isoUtcSchema,
  observationSchema,
  projectPathSchema,
  reportedTimeSchema,
  sha256DigestSchema,
} from './primitives.js';

/** E1 (S2, S3): the release branch before and after, and each cherry-pick with its trailer. */
export const pickRecordSchema = observationSchema.extend({
  releaseBranch: z.string().min(1).max(255),
  headBefore: gitShaSchema,
  headAfter: gitShaSchema,
  picks: z
    .array(
      z.object({
        originalSha: gitShaSchema,
        pickedSha: gitShaSchema,
        /**
         * The `(cherry picked from commit <sha>)` trailer as read back from the picked commit;
         * empty for a pick recognised by its change (`via: 'patch-id'`), which has none.
         */
        trailer: z.string().max(500),
        method: z.enum(['api', 'local']),
        /**
         * How the picked commit was identified: `created` by this promotion; found on release by
         * its `trailer`, by the same change (`patch-id`), or after GitLab answered `empty`.
         * Optional: bundles written before it was recorded lack it.
         */
        via: z.enum(['created', 'trailer', 'patch-id', 'empty']).optional(),
      }),
    )
    .min(1)
    .max(100),
});

/** S3/R3: the drift report, typed but opaque to the schema: what kinds of drift, which commits, and the verdict. */
export const driftReportSchema = observationSchema.extend({
  ok: z.boolean(),
  base: gitShaSchema,
  head: gitShaSchema,
  kinds: z.array(z.string().min(1).max(100)).max(50),
  extraCommits: z.array(gitShaSchema).max(1000),
  missingCommits: z.array(gitShaSchema).max(1000),
});

/** D3: one conflict resolved on a local release branch before pushing. */
export const conflictResolutionSchema = observationSchema.extend({
  originalSha: gitShaSchema,
  paths: z.array(z.string().min(1).max(4096)).min(1).max(1000),
  resolvedBy: z.string().min(1).max(255),
  resultTree: gitShaSchema,
  verified: z.boolean(),
});

/**
 * E2: what GitLab observably shows the orchestration pipeline ran: its job and bridge names against the
 * deploy and cut-off fingerprints, and the downstream pipeline it reached in the target.
 */
export const pipelineObservationSchema = observationSchema.extend({
  /** The names of the pipeline's jobs and bridges as GitLab lists them. */
  jobs: z.array(z.string().min(1).max(255)).max(500),
  /** The deploy fingerprint the SDK matched them against (names or `/regex/`). */
  deployFingerprint: z.array(z.string().min(1).max(200)).min(1).max(20),
  /** The cut-off fingerprint the SDK matched them against. */
  cutOffFingerprint: z.array(z.string().min(1).max(200)).min(1).max(20),
  /** The downstream pipeline it reached in the target, and how (a bridge or the trigger API). */
  downstream: z
    .object({
      project: projectPathSchema,
      pipelineId: z.number().int().positive(),
      ref: z.string().min(1).max(255),
      via: z.enum(['bridge', 'trigger-api']),
    })
    .nullable(),
});

/**
 * E2: the request body exactly as sent to create the pipeline (journaled before the POST): its guided
 * inputs, or its guided variables.
 */
export const sentPipelineRequestSchema = z.object({
  ref: z.string().min(1).max(255),
  inputs: z.record(z.string().max(255), inputValueSchema).optional(),
  variables: z
    .array(z.object({ key: z.string().min(1).max(255), value: z.string().max(10_000) }))
    .max(20)
    .optional(),
});

/**
 * E2: the orchestration pipeline as GitLab reports it, with inputs and variables read back from GitLab.
 */
export const pipelineRecordSchema = observationSchema.extend({
  id: z.number().int().positive(),
  iid: z.number().int().positive(),
  project: projectPathSchema,
  ref: z.string().min(1).max(255),
  sha: gitShaSchema,
  status: z.string().min(1).max(50),
  webUrl: httpUrlSchema,
  createdAt: reportedTimeSchema,
  source: z.string().min(1).max(50),
  inputs: z.record(z.string().max(255), inputValueSchema),
  /**
   * Pipeline variables read back from GitLab: the guided inputs (action, project, confirm) in clear, every
   * other variable as its key and the sha256 of its value (evidence carries no secrets; see `recordVariables`).
   */
  variables: z
    .array(
      z.union([
        z.object({ key: z.string().min(1).max(255), value: z.string().max(10_000) }),
        z.object({ key: z.string().min(1).max(255), sha256: sha256DigestSchema }),
      ]),
    )
    .max(200),
  /**
   * Provenance beyond what GitLab reports (`inputs`, `variables`): `sent`, the request body as sent;
   * `observed`, what the pipeline observably ran. GitLab never reports inputs back, so E2 rests on these.
   */
  sent: sentPipelineRequestSchema.optional(),
  observed: pipelineObservationSchema.optional(),
});

/**
 * E3: one pipeline of the promotion window, classified by what it observably ran: `deploy` (its jobs
 * match the deploy fingerprint), `cut-off` (a job matches the cut-off fingerprint, or GitLab reported the
 * cut-off action), `other` (neither), or `unreadable` (its jobs could not be read; `reason` says why).
 */
export const enumeratedPipelineSchema = z.object({
  id: z.number().int().positive(),
  /** `created_at` as GitLab reported it; the window is applied to it locally, whatever the list filters did. */
  createdAt: isoUtcSchema,
  classification: z.enum(['deploy', 'cut-off', 'other', 'unreadable']),
  /** What the classification rests on: the jobs and bridges GitLab lists (`observed`) or a name/variables (`reported`). */
  basis: z.enum(['observed', 'reported']),
  /** The target the pipeline aimed at, when GitLab reported it (a variable or the name); absent when unknown. */
  target: z.string().min(1).max(255).optional(),
  /** The job and bridge names that decided a `cut-off` classification. */
  matched: z.array(z.string().min(1).max(255)).max(50).optional(),
  /** Why an `unreadable` pipeline could not be classified (for example an HTTP 403 on its jobs). */
  reason: z.string().min(1).max(500).optional(),
});

/** E3: the enumeration proving no cut-off pipeline ran for the target in the promotion window. */
export const enumerationRecordSchema = observationSchema.extend({
  /** The list query as sent (path and parameters), without credentials. */
  query: z.string().min(1).max(2000),
  windowStart: isoUtcSchema,
  windowEnd: isoUtcSchema,
  pagesRead: z.number().int().nonnegative(),
  pagesExhausted: z.boolean(),
  pipelinesExamined: z.number().int().nonnegative(),
  offendingPipelineIds: z.array(z.number().int().positive()).max(1000),
  /** Each pipeline created inside the window, classified; pipelines the list returned outside it are left out. */
  pipelines: z.array(enumeratedPipelineSchema).max(1000).optional(),
  /** How many listed pipelines fell outside the window by their `created_at` (an instance that ignores the filters). */
  outsideWindow: z.number().int().nonnegative().optional(),
});

/** E4: the downstream pipeline, the deploy job and the deployment. */
export const deploymentRecordSchema = z.object({
  downstreamPipeline: observationSchema.extend({
    id: z.number().int().positive(),
    project: projectPathSchema,
    status: z.string().min(1).max(50),
    sha: gitShaSchema,
    webUrl: httpUrlSchema,
  }),
  job: observationSchema.extend({
    id: z.number().int().positive(),
    name: z.string().min(1).max(255),
    status: z.string().min(1).max(50),
    finishedAt: isoUtcSchema.nullable(),
  }),
  deployment: observationSchema.extend({
    id: z.number().int().positive(),
    status: z.string().min(1).max(50),
    sha: gitShaSchema,
    environment: z.string().min(1).max(255),
    finishedAt: isoUtcSchema.nullable(),
  }),
});

/** E5: the deployed SHA as the environment reports it and as the health endpoint reports it. */
export const deployedShaRecordSchema = z.object({
  environment: observationSchema.extend({ name: z.string().min(1).max(255), sha: gitShaSchema }),
  health: observationSchema.extend({
    sha: gitShaSchema.nullable(),
    version: z.string().max(255).nullable(),
    httpStatus: z.number().int().min(100).max(599),
    /**
     * E5 by build identity (schema 2.0.0, additive, optional): the service's `versionPattern` and
     * what its named group captured from `version`: a commit prefix (`pattern-sha`) or the id of
     * the deployment that built it (`pattern-deployment`, with that deployment's id).
     */
    identity: z
      .object({
        basis: z.enum(['pattern-sha', 'pattern-deployment']),
        pattern: z.string().min(1).max(500),
        captured: z.string().max(255).nullable(),
        deploymentId: z.number().int().positive().optional(),
      })
      .optional(),
  }),
});

/**
 * E1/E5 (issue 23): every commit the deployment ran beyond the release head the promotion started
 * from (`base`, the pick record's `headBefore`), as GitLab's compare (`base..deployed`, straight)
 * lists them: the set the policy requires to be exactly this promotion's picks. `exhaustive` is
 * false when GitLab reported the comparison incomplete (`compare_timeout`) or the list was cut.
 * Schema 2.0.0, additive and optional: bundles written before it lack it.
 */
export const deployedCommitsRecordSchema = observationSchema.extend({
  base: gitShaSchema,
  deployed: gitShaSchema,
  commits: z.array(z.object({ sha: gitShaSchema, title: z.string().max(1000) })).max(1000),
  exhaustive: z.boolean(),
});

/** Who held a release lock: the GitLab user and the promotion (S2/R3, issue 23). */
export const lockHolderSchema = z.object({
  username: z.string().min(1).max(255),
  id: z.number().int().positive().optional(),
  /** The promotion's id (`<mr project>!<iid>@<startedAt>`): the same across `hotfix resume`. */
  promotionId: z.string().min(1).max(1000),
  /** The hotfix MR the holder is promoting, `group/project!iid`. */
  mr: z.string().min(1).max(1000),
});

/**
 * S2/R3 (issue 23): the release lock this promotion held on the target's release branch, a branch
 * under `hotfix-release/lock/` in the target project: who held it, when it was taken, until when its
 * lease ran when last renewed, when it was released, and (with `--break-lock`) whose stale lock it
 * took over. Schema 2.0.0, additive and optional: bundles written before it lack it.
 */
export const lockRecordSchema = observationSchema.extend({
  /** The lock branch, e.g. `hotfix-release/lock/release`. */
  branch: z.string().min(1).max(255),
  /** The release branch it serializes. */
  releaseBranch: z.string().min(1).max(255),
  holder: lockHolderSchema,
  acquiredAt: isoUtcSchema,
  /** The lease's end as of the last renewal, from GitLab's commit time plus the lease. */
  leaseExpiresAt: isoUtcSchema,
  /** When the promotion released it; absent while it is held (awaiting a human, timed out). */
  releasedAt: isoUtcSchema.optional(),
  /** The stale lock `--break-lock` took over: its holder and when its lease had run out. */
  brokenFrom: z.object({ holder: lockHolderSchema, leaseExpiresAt: isoUtcSchema, commit: gitShaSchema }).optional(),
});

/** E6: one smoke or acceptance check and its result. */
export const smokeCheckRecordSchema = observationSchema.extend({
  name: z.string().min(1).max(255),
  kind: z.enum(['http', 'script']),
  result: z.enum(['passed', 'failed', 'timed_out', 'error']),
  startedAt: isoUtcSchema,
  durationMs: z.number().nonnegative(),
  outputDigest: sha256DigestSchema,
});

/** E7: the MR note recording what was validated and for which service. */
export const noteRecordSchema = observationSchema.extend({
  id: z.number().int().positive(),
  url: httpUrlSchema,
  bodyDigest: sha256DigestSchema,
  createdAt: reportedTimeSchema,
  /** The service (target project) the note says was validated. */
  service: projectPathSchema,
});

/** E8: the MR label as read back from GitLab, when it was added, and whether this is governed delivery work. */
export const labelRecordSchema = observationSchema.extend({
  name: z.string().min(1).max(255),
  governed: z.boolean(),
  present: z.boolean(),
  addedAt: isoUtcSchema.nullable(),
});

/** R1/R2: one rollback: the revert commit, the rerun pipeline and the revalidation. */
export const rollbackRecordSchema = observationSchema.extend({
  reason: z.string().min(1).max(2000),
  runbookRef: z.enum(['R1', 'R2']),
  revertSha: gitShaSchema,
  rerunPipeline: pipelineRecordSchema.nullable(),
  revalidation: z.object({ passed: z.boolean(), checks: z.array(smokeCheckRecordSchema).max(200) }).nullable(),
});

/**
 * S2/E1 in merge-request pick mode (issue 19): the release merge request the pick went through, from a
 * `hotfix-release/pick/...` branch into release. `reported` is what GitLab said (its merge commit, who
 * merged, its approvals and pipeline, each `null` when GitLab left it out); `observed` is what the SDK
 * read from the repository itself (the merge commit's parents, release's head after the merge). Schema
 * 2.0.0, additive and optional: bundles of push-mode promotions lack it.
 */
export const releaseMergeRequestRecordSchema = observationSchema.extend({
  iid: z.number().int().positive(),
  webUrl: httpUrlSchema,
  sourceBranch: z.string().min(1).max(255),
  targetBranch: z.string().min(1).max(255),
  /** The MR's state when last read: `merged` once the pick is on release. */
  state: z.string().min(1).max(50),
  /** The head of the source branch the SDK asked GitLab to merge (the `sha` guard of the merge). */
  sourceSha: gitShaSchema,
  /** Who approved, as GitLab's approvals API listed them (empty when it listed none), and when that was read. */
  approvals: z.object({
    observedAt: isoUtcSchema,
    approvedBy: z.array(z.string().min(1).max(255)).max(100),
    /** GitLab's `approvals_left` (EE); `null` where GitLab does not report it. */
    approvalsLeft: z.number().int().nonnegative().nullable(),
  }),
  /** The MR's head pipeline as GitLab reported it; `null` when the MR has none. */
  pipeline: z
    .object({
      id: z.number().int().positive(),
      status: z.string().min(1).max(50),
      sha: gitShaSchema,
      webUrl: httpUrlSchema.optional(),
    })
    .nullable(),
  reported: z.object({
    mergeCommitSha: gitShaSchema.nullable(),
    squashCommitSha: gitShaSchema.nullable(),
    /** `merge_user` (GitLab 14.7+), else the deprecated `merged_by`; `null` when neither was reported. */
    mergedBy: z.string().min(1).max(255).nullable(),
    mergedAt: reportedTimeSchema,
  }),
  /** Read from the repository after the merge: the commit release moved to and, for a merge commit, its parents. */
  observed: z
    .object({
      releaseHead: gitShaSchema,
      /** How the MR landed: a merge commit (second parent = `sourceSha`), a fast-forward, or a squash. */
      method: z.enum(['merge-commit', 'fast-forward', 'squash']),
      mergeCommitParents: z.array(gitShaSchema).max(2).optional(),
    })
    .optional(),
});
