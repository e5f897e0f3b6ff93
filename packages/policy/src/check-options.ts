import { isoUtcSchema, projectPathSchema } from '@hotfix-release/evidence';
import { z } from 'zod';
import type { LiveFacts } from './live-facts.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The options of {@link checkBundles}, as a zod schema holding every default.
 * Expected values left unset come from the bundle's own `settings`, except the two action names,
 * which always default to the runbook's values (S4, S5) and never come from the bundle.
 */
export const checkOptionsSchema = z.object({
  /** The clock: "now" for freshness, ISO 8601 UTC. Default: the current time. */
  now: isoUtcSchema.optional(),
  /** Maximum age of any observation. Default 7 days. */
  maxEvidenceAgeMs: z
    .number()
    .int()
    .positive()
    .default(7 * DAY_MS),
  /** Tolerated clock skew for observations in the future. Default 5 minutes. */
  futureSkewMs: z
    .number()
    .int()
    .nonnegative()
    .default(5 * 60 * 1000),
  expected: z
    .object({
      action: z.string().min(1).default('deploy-release-branch-to-staging'),
      cutoffAction: z.string().min(1).default('bring-all-code-to-release-branch'),
      orchestrationProject: projectPathSchema.optional(),
      releaseBranch: z.string().min(1).optional(),
      environment: z.string().min(1).optional(),
      label: z.string().min(1).optional(),
    })
    .prefault({}),
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
