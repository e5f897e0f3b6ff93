import { httpUrlSchema, isoUtcSchema, projectPathSchema } from '@hotfix-release/evidence';
import { z } from 'zod';
import type { LiveFacts } from './live-facts.js';

/**
 * The options of {@link checkBundles}, as a zod schema holding every default.
 * Expectations come from the caller and the policy file, never from the bundle; the two action names
 * default to the runbook's values (S4, S5).
 */
export const checkOptionsSchema = z.object({
  /** The clock: "now" for freshness, ISO 8601 UTC. Default: the current time. */
  now: isoUtcSchema.optional(),
  /** Maximum age of any observation. Default: the policy file's, else 7 days. */
  maxEvidenceAgeMs: z.number().int().positive().optional(),
  /** Tolerated clock skew for observations in the future. Default 5 minutes. */
  futureSkewMs: z
    .number()
    .int()
    .nonnegative()
    .default(5 * 60 * 1000),
  /**
   * Expectations given by the caller (e.g. the CLI from `--mr` or `CI_MERGE_REQUEST_IID`); they win over the
   * policy file's, except the merge requests: those must agree with the file's `expected.mrs` (D4). Nothing here ever comes from the bundle: a control that needs a missing one is an `error`.
   */
  expected: z
    .object({
      action: z.string().min(1).default('deploy-release-branch-to-staging'),
      cutoffAction: z.string().min(1).default('bring-all-code-to-release-branch'),
      gitlabUrl: httpUrlSchema.optional(),
      /** One merge request the bundle must promote (the one MR of a single-repository hotfix). */
      mr: z.object({ project: projectPathSchema, iid: z.number().int().positive() }).optional(),
      /**
       * D4 across repositories: the merge requests the bundle must promote, exactly (`--mr` repeated). Wins over
       * `mr`; a bundle promoting one the gate did not ask for, or missing one, fails `bundle-claims`.
       */
      mrs: z
        .array(z.object({ project: projectPathSchema, iid: z.number().int().positive() }))
        .min(1)
        .max(20)
        .optional(),
      /**
       * The merge request the gate's pipeline runs for (GitLab CI: CI_PROJECT_PATH and CI_MERGE_REQUEST_IID): the
       * expected MR when neither `mr`/`mrs` nor the policy file's `expected.mrs` names any. When the policy file
       * names MRs, it must be one of them (else `conflicting-expectations`, D4); `mr`/`mrs` win over it.
       */
      pipelineMr: z.object({ project: projectPathSchema, iid: z.number().int().positive() }).optional(),
      orchestrationProject: projectPathSchema.optional(),
      orchestrationRef: z.string().min(1).optional(),
      releaseBranch: z.string().min(1).optional(),
      environment: z.string().min(1).optional(),
      label: z.string().min(1).optional(),
      governedProjects: z.array(projectPathSchema).optional(),
    })
    .prefault({}),
  /** Where each caller-given expectation came from (e.g. `{ gitlabUrl: 'CI_SERVER_URL' }`), named in failures. */
  expectedSources: z.record(z.string(), z.string().max(200)).default({}),
  /** The gate's policy file (text or parsed JSON, see `policyFileSchema`), and the name it is reported under. */
  policy: z.unknown().optional(),
  policyName: z.string().min(1).max(1000).default('the policy file'),
  /**
   * Signed or refused: an input that is not a DSSE envelope verified by a trusted key is an `error` (exit 2),
   * unless the policy file sets `signing.allowUnsigned`. The CLI sets this under `CI=true`.
   */
  requireSignature: z.boolean().default(false),
  /**
   * How the waiver file reached the gate. `file`: it must be a DSSE envelope signed by a trusted key;
   * `protected-ref`: the caller read it live from a protected ref of the project.
   */
  waiverSource: z.enum(['file', 'protected-ref']).default('file'),
  /** The MR author as GitLab reports it (read live); a waiver approved by this user is refused. */
  mrAuthor: z.string().min(1).max(255).optional(),
  /** D4 across repositories: the authors of every MR (read live); a waiver approved by any of them is refused. */
  mrAuthors: z.array(z.string().min(1).max(255)).max(20).optional(),
  /** Trusted ed25519 public keys (PEM); when any is given, `bundle-signature` applies. */
  trustedKeys: z.array(z.object({ publicKey: z.string().min(1), keyid: z.string().min(1).optional() })).default([]),
  /** The waiver file's content: its text or its parsed JSON. */
  waivers: z.unknown().optional(),
  /** How long one live-facts read may take before `live-facts` is an `error`. Default 30 s. */
  liveTimeoutMs: z.number().int().positive().default(30_000),
  /** Re-reads facts from GitLab; when given, `live-facts` applies. */
  live: z.custom<LiveFacts>((v) => typeof v === 'function', 'expected a function').optional(),
});

/** The options a caller passes to {@link checkBundles} (defaults optional). */
export type CheckOptions = z.input<typeof checkOptionsSchema>;

/** The options after defaults. */
export type ResolvedCheckOptions = z.output<typeof checkOptionsSchema>;
