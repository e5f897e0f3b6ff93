import { z } from 'zod';
import { type Clock, isClock } from '../clock.js';
import type { ReleaseEvent } from '../primitives/await-environment/types.js';
import type { CustomSmokeCheck } from '../primitives/run-smoke-checks.js';
import { flowResolveSchema } from './_resolve-conflict-step.js';

/**
 * The operator's headers for health and smoke checks (staging behind auth), by target project
 * (`*`: every target): `{ "group/api": { "x-staging-auth": "<value>" } }`; a key
 * `<target>:<check name>` (or `*:<check name>`) adds headers to that one smoke check only, so one
 * check may carry a header another must not. Values are secrets: the journal and the bundle
 * refuse any record containing one, and no event or error carries them.
 */
export const checkHeadersSchema = z
  .record(
    z.string().min(1),
    z.record(
      z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'must be an HTTP header name'),
      z
        .string()
        .min(1)
        .regex(/^[^\r\n\0]*$/, 'must not contain line breaks'),
    ),
  )
  .default({});

/** The headers of one target's checks: those for every target (`*`) and its own; undefined when none. */
export function checkHeadersFor(
  h: z.output<typeof checkHeadersSchema>,
  target: string,
): Readonly<Record<string, string>> | undefined {
  const merged = { ...h['*'], ...h[target] };
  return Object.keys(merged).length > 0 ? merged : undefined;
}

/**
 * The headers of one target's smoke checks: `headers` for all of them, and `headersByCheck` for
 * those named by a `<target>:<check name>` (or `*:<check name>`) key, to spread into runSmokeChecks.
 */
export function smokeHeadersFor(
  h: z.output<typeof checkHeadersSchema>,
  target: string,
): {
  headers?: Readonly<Record<string, string>>;
  headersByCheck?: Readonly<Record<string, Readonly<Record<string, string>>>>;
} {
  const byCheck: Record<string, Record<string, string>> = {};
  for (const scope of ['*', target]) {
    for (const [key, headers] of Object.entries(h)) {
      if (!key.startsWith(`${scope}:`)) continue;
      const name = key.slice(scope.length + 1);
      byCheck[name] = { ...byCheck[name], ...headers };
    }
  }
  return {
    ...withHeaders(checkHeadersFor(h, target)),
    ...(Object.keys(byCheck).length > 0 ? { headersByCheck: byCheck } : {}),
  };
}

/** `{ headers }` to spread into a check's options, or nothing. */
export function withHeaders(h: Readonly<Record<string, string>> | undefined): {
  headers?: Readonly<Record<string, string>>;
} {
  return h ? { headers: h } : {};
}

/** Every header value of {@link checkHeadersSchema}: sentinels the journal and bundle refuse. */
export function checkHeaderValues(h: z.output<typeof checkHeadersSchema>): string[] {
  return Object.values(h).flatMap((perTarget) => Object.values(perTarget));
}

const fn = <T>(what: string) => z.custom<T>((v) => typeof v === 'function', { message: `expected ${what}` });

/**
 * The release lock (S2/R3, issue 23): one promotion at a time per target release branch, held on
 * GitLab as the branch `hotfix-release/lock/<release branch>` of each target. Taken after preflight,
 * before the first side effect; renewed while the flow waits; held across `awaiting-human` and
 * `timeout` stops and R3 stops; re-adopted by `hotfix resume`; released when the promotion ends.
 */
export const lockOptionsSchema = z
  .object({
    /** Take the lock (on by default). Off only for a GitLab where no other promotion can run. */
    enabled: z.boolean().default(true),
    /** Wait for a lock another promotion holds (bounded by `maxWaitMs`); false refuses at once (`--no-wait`). */
    wait: z.boolean().default(true),
    /** Most time to wait for the lock. */
    maxWaitMs: z
      .number()
      .int()
      .min(0)
      .max(86_400_000)
      .default(30 * 60_000),
    /** How often a waiting promotion reads the lock again. */
    pollMs: z.number().int().min(1).max(600_000).default(15_000),
    /** The lease: how long the lock holds without a renewal (renewed when half of it has passed). */
    leaseMs: z
      .number()
      .int()
      .min(10_000)
      .max(86_400_000)
      .default(15 * 60_000),
    /** Take over a lock whose lease ran out (`--break-lock`); recorded in the evidence. */
    breakStale: z.boolean().default(false),
    /** Where this promotion runs (host name, CI job URL), written into the lock for the next operator. */
    host: z.string().min(1).max(255).optional(),
  })
  .prefault({});

const mrSchema = z.object({ project: z.string().min(1).max(255), iid: z.number().int().positive() });

/**
 * One merge request of a hotfix that spans repositories (D4, issue 24): promoted into its own project's
 * release and, where given, into further `targets`. `dependsOn` names target projects (of this promotion)
 * that must be promoted before any of this MR's targets start: when one of them stops, this MR's targets are
 * recorded as not promoted with the reason, while independent targets go on.
 */
export const hotfixEntrySchema = z.object({
  mr: mrSchema,
  /** Further targets beyond the MR's own project (D4, forks or mirrors holding the same commits). */
  targets: z.array(z.string().min(1).max(255)).min(1).max(50).optional(),
  /** Target projects this MR's targets depend on (promoted first; a stop there stops these). */
  dependsOn: z.array(z.string().min(1).max(255)).max(50).optional(),
});

/** Options of `promoteHotfix`: one MR (`mr`, with `targets`) or several (`hotfixes`), never both. */
export const promoteOptionsSchema = z.object({
  /** The one hotfix MR (a hotfix in one repository); use `hotfixes` for a fix that spans repositories. */
  mr: mrSchema.optional(),
  /** Targets of `mr` (D4); the MR's project when omitted. */
  targets: z.array(z.string().min(1)).min(1).max(50).optional(),
  /**
   * D4 across repositories (issue 24): the merge requests promoted together, in this order, each into its
   * own project's release (and its further `targets`); one bundle, one note and label per MR.
   */
  hotfixes: z.array(hotfixEntrySchema).min(1).max(20).optional(),
  /** Evidence journal path; an existing journal is resumed (its steps re-checked against GitLab). */
  journalPath: z.string().min(1).optional(),
  /** The real token(s): the journal and the sealed bundle refuse any record containing one. */
  sentinels: z.array(z.string()).max(10).default([]),
  /** Most time to wait for each target's deployment. */
  maxWaitMs: z
    .number()
    .int()
    .positive()
    .max(86_400_000)
    .default(30 * 60_000),
  minDelayMs: z.number().int().min(1).default(2_000),
  maxDelayMs: z.number().int().min(1).default(30_000),
  stableForMs: z.number().int().min(0).default(0),
  /**
   * Back the hotfix out when its own deployment or its validation fails (D6: R1 revert, or R2 revert and
   * redeploy). Off by default: D6 leaves "revert or replace with a corrected hotfix" to the operator, and
   * a doubt about what staging runs (R3) never reverts anything, whatever this says.
   */
  rollbackOnFailure: z.boolean().default(false),
  /** Headers for each target's health and smoke checks (staging behind auth); values are secrets. */
  checkHeaders: checkHeadersSchema,
  /** Smoke checks written as code, per target project. */
  customChecks: z.record(z.string(), z.array(z.custom<CustomSmokeCheck>())).default({}),
  /** Progress: step boundaries and the wait's events. */
  onEvent: fn<(event: FlowEvent) => void>('a function').optional(),
  signal: z.instanceof(AbortSignal).optional(),
  /** The flow's clock: waits sleep on it and evidence is stamped from it; the client's clock by default. */
  clock: z.custom<Clock>(isClock, { message: 'expected { now(), sleep(ms, signal) }' }).optional(),
  /** The release lock: wait or refuse, lease, `--break-lock`. */
  lock: lockOptionsSchema,
  /** D3 in the flow: resolve a conflicting pick locally with this resolver, push, and go on (see resolveConflict). */
  resolveConflicts: flowResolveSchema.optional(),
  /**
   * How the pick reaches release (issue 19): `push` (GitLab's cherry-pick onto release), `merge-request`
   * (onto a `hotfix-release/pick/...` branch, then a merge request), `auto` (merge-request where release
   * refuses this user's pushes). Overrides each service's `pickMode`; unset, the service's applies.
   */
  pickMode: z.enum(['push', 'merge-request', 'auto']).optional(),
});

/** Options of `promoteHotfix` as callers write them. */
export type PromoteOptions = z.input<typeof promoteOptionsSchema>;

/** Progress of a promotion. */
export type FlowEvent =
  | {
      readonly type: 'step';
      readonly at: string;
      readonly step: string;
      readonly target?: string;
      readonly status: 'start' | 'done' | 'skipped' | 'failed';
      readonly message: string;
    }
  | ReleaseEvent;

/** Options of `promoteHotfix` after validation, with defaults. */
export type PromoteSettings = z.output<typeof promoteOptionsSchema>;
