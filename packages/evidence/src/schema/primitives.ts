import { z } from 'zod';

/** An ISO 8601 timestamp in UTC with a `Z` suffix, e.g. `2026-11-30T01:40:02.123Z`. */
export const isoUtcSchema = z.iso.datetime();

/**
 * A time GitLab did not report: recorded as absent with the reason, never replaced by "now"
 * (an evidence tool must not invent timestamps). Since schema 2.0.0.
 */
export const absentTimeSchema = z.strictObject({
  absent: z.literal(true),
  /** Why there is no time, e.g. `GitLab reported no merged_at for the merge request`. */
  reason: z.string().min(1).max(500),
});

/** A time GitLab reports: ISO 8601 UTC when it gave one, {@link absentTimeSchema} when it did not. */
export const reportedTimeSchema = z.union([isoUtcSchema, absentTimeSchema]);

/** A time GitLab reports, or the reason it is absent. */
export type ReportedTime = z.infer<typeof reportedTimeSchema>;

/** The ISO time of a reported time, `undefined` when GitLab did not report one. */
export function reportedIso(time: ReportedTime): string | undefined {
  return typeof time === 'string' ? time : undefined;
}

/** A git object id: 40 hex digits (SHA-1) or 64 (SHA-256), lower case. */
export const gitShaSchema = z.string().regex(/^[0-9a-f]{40}(?:[0-9a-f]{24})?$/, 'expected a lower-case git SHA');

/** A content digest `sha256:<64 hex>`. */
export const sha256DigestSchema = z.string().regex(/^sha256:[0-9a-f]{64}$/, 'expected sha256:<64 hex digits>');

/** An http(s) URL that carries no credentials: no user info and no token query parameter. */
export const httpUrlSchema = z
  .string()
  .regex(/^https?:\/\/[^\s/?#]+(?:[/?#]\S*)?$/, 'expected an http(s) URL')
  .refine((value) => !/^https?:\/\/[^/?#]*@/.test(value), 'URL must not carry user info (credentials)')
  .refine(
    (value) => !/[?&](?:private_token|access_token|job_token|token)=/i.test(value),
    'URL must not carry a token query parameter',
  );

/** A GitLab project path such as `group/sub/service`. */
export const projectPathSchema = z
  .string()
  .min(3)
  .max(255)
  .regex(/^[A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+)+$/, 'expected a project path like group/project');

/**
 * Where and when a record was observed: the GitLab API URL it was read from and the time.
 * Every evidence record extends this base.
 */
export const observationSchema = z.object({
  /** The API URL (or health endpoint URL) the facts were read from. */
  apiUrl: httpUrlSchema,
  /** When the facts were read, ISO 8601 UTC. */
  observedAt: isoUtcSchema,
});

/** Where and when a record was observed. */
export type Observation = z.infer<typeof observationSchema>;

/** A pipeline input or variable value as GitLab reports it. */
export const inputValueSchema = z.union([z.string().max(10_000), z.number(), z.boolean()]);
