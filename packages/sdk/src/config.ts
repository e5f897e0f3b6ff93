/**
 * Client configuration: validated with zod at the boundary, with defaults. The token is
 * a string or an async provider (re-read per request, so rotation works); it is never
 * copied into errors, events or evidence.
 */
import { err, ok, type Result } from 'neverthrow';
import { z } from 'zod';
import { zodIssues } from './_internal/zod-issues.js';
import { type HotfixError, hotfixError } from './errors.js';

const tokenProvider = z.custom<() => Promise<string>>((v) => typeof v === 'function', {
  message: 'expected a string or a function returning a Promise of a string',
});

/** Whether a URL carries `user[:password]@` before its host. */
function hasUserinfo(url: string): boolean {
  try {
    const u = new URL(url);
    return u.username !== '' || u.password !== '';
  } catch {
    return false;
  }
}

/** Retry policy for idempotent requests (GET/HEAD). POST/PUT are never retried blindly. */
export const retryPolicySchema = z.object({
  /** Attempts in all, including the first (1 = no retry). */
  maxAttempts: z.number().int().min(1).max(20).default(5),
  /** Base of the jittered exponential backoff. */
  baseDelayMs: z.number().int().min(0).max(60_000).default(500),
  /** Upper bound of one backoff delay. */
  maxDelayMs: z.number().int().min(0).max(600_000).default(30_000),
  /** A `Retry-After` longer than this ends the retries with `gitlab-rate-limited` instead of sleeping. */
  maxRetryAfterMs: z.number().int().min(0).max(3_600_000).default(120_000),
});

/** The client configuration schema (the single source of truth for its types and defaults). */
export const clientConfigSchema = z.object({
  /** Base URL of the GitLab instance, e.g. `https://gitlab.example.com` (no `/api/v4`). */
  gitlabUrl: z
    .string()
    .url()
    .refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL')
    // A password in the URL would be sent in clear to every redirect and printed by fetch's errors.
    .refine((u) => !hasUserinfo(u), 'must not carry a user name or password (give the token separately)')
    .transform((u) => u.replace(/\/+$/, '').replace(/\/api\/v4$/, '')),
  /** A token, or an async function returning one. */
  token: z.union([z.string().min(1, 'must not be empty'), tokenProvider]),
  /** How the token is sent: PRIVATE-TOKEN (personal/project/group), JOB-TOKEN (CI_JOB_TOKEN) or Bearer (OAuth). */
  tokenKind: z.enum(['private', 'job', 'oauth']).default('private'),
  /** Timeout of one HTTP request. */
  timeoutMs: z.number().int().min(1).max(600_000).default(30_000),
  retry: retryPolicySchema.default({ maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 30_000, maxRetryAfterMs: 120_000 }),
  /** Largest response body accepted; larger answers are a `response-invalid` error. */
  maxResponseBytes: z
    .number()
    .int()
    .min(1024)
    .default(16 * 1024 * 1024),
  /** Default page size for list calls (GitLab's maximum is 100). */
  perPage: z.number().int().min(1).max(100).default(100),
  /** Default bound on pages read by one list call. */
  maxPages: z.number().int().min(1).max(1000).default(20),
  userAgent: z.string().min(1).default('hotfix-release-sdk'),
  /** Cancels every request of this client. */
  signal: z.instanceof(AbortSignal).optional(),
});

/** Client configuration as callers write it (defaults optional). */
export type ClientConfigInput = z.input<typeof clientConfigSchema>;
/** Client configuration after validation, with defaults applied. */
export type ClientConfig = z.output<typeof clientConfigSchema>;

/**
 * Validates client configuration, applying defaults; a bad field is an `invalid-input`
 * error naming it.
 */
export function parseClientConfig(input: unknown): Result<ClientConfig, HotfixError> {
  const parsed = clientConfigSchema.safeParse(input);
  if (parsed.success) return ok(parsed.data);
  const issues = zodIssues(parsed.error);
  return err(
    hotfixError(
      'invalid-input',
      `Invalid client configuration: ${issues.map((i) => `${i.pointer}: ${i.message}`).join('; ')}`,
      {
        details: { pointer: issues[0]?.pointer ?? '', issues },
      },
    ),
  );
}
