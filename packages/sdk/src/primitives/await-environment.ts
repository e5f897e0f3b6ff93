/**
 * awaitEnvironment: follows the exact orchestration run to the deployment of the
 * expected SHA in the target's environment and its health endpoint (S6, E4, E5).
 */
import { errAsync, ResultAsync } from 'neverthrow';
import { z } from 'zod';
import { type AcceptorResult, runWaiter } from '../_internal/waiter.js';
import { zodIssues } from '../_internal/zod-issues.js';
import { type Clock, isClock } from '../clock.js';
import { type HotfixError, hotfixError } from '../errors.js';
import type { GitLabClient } from '../gitlab-client.js';
import { orchestratorFor, type RunbookConfig, serviceFor } from '../runbook-config.js';
import { pollDeployment, pollHealth } from './await-environment/follow-deployment.js';
import { pollDownstream } from './await-environment/follow-downstream.js';
import { type FollowContext, initialState, snapshot, type Terminal } from './await-environment/follow-state.js';
import type { AwaitObserved, AwaitOutcome, ReleaseEvent } from './await-environment/types.js';

const fn = <T>(what: string) => z.custom<T>((v) => typeof v === 'function', { message: `expected ${what}` });

/** Options of `awaitEnvironment` (the single source of truth for their types and defaults). */
export const awaitEnvironmentOptionsSchema = z
  .object({
    /** The pinned orchestration pipeline, as `triggerGuidedRelease` returns it. */
    pipeline: z.object({
      id: z.number().int().positive(),
      /** Its project (id or path); the configured orchestration project when omitted. */
      projectId: z.union([z.number().int().positive(), z.string().min(1)]).optional(),
    }),
    /** The target project's full path (a service descriptor must exist for it, D5). */
    target: z.string().min(1),
    /** The commit that must end up deployed and reported by the health endpoint (E5). */
    expectedSha: z.string().regex(/^[0-9a-f]{7,64}$/i, 'must be a hex commit SHA'),
    /** Required upper bound of the whole wait. */
    maxWaitMs: z.number().int().positive().max(86_400_000),
    minDelayMs: z.number().int().min(1).max(600_000).default(2_000),
    maxDelayMs: z.number().int().min(1).max(3_600_000).default(30_000),
    /** Health must stay good this long after it first reports the SHA (0: once is enough). */
    stableForMs: z.number().int().min(0).max(3_600_000).default(0),
    /**
     * Learn when the deployment should finish from the environment's five most recent successful
     * deployments (their jobs' `started_at`/`finished_at`, else the deployments' `created_at`/`updated_at`)
     * and sleep toward shortly before that, then poll closely; far from it a sleep may stretch to a tenth of the
     * learned wait (never below `maxDelayMs`), near it and without learning none exceeds `maxDelayMs`.
     * Without history or timestamps the wait polls on its usual backoff.
     */
    learn: z.boolean().default(true),
    /** How many trigger jobs deep to follow from the orchestration pipeline. */
    maxDepth: z.number().int().min(1).max(10).default(4),
    signal: z.instanceof(AbortSignal).optional(),
    /** Receives progress events (for the CLI to render); an exception thrown by it is ignored. */
    onEvent: fn<(event: ReleaseEvent) => void>('a function').optional(),
    /** Time source and sleep; the client's clock by default (tests pass the simulator's virtual clock). */
    clock: z.custom<Clock>(isClock, { message: 'expected { now(), sleep(ms, signal) }' }).optional(),
    /** Jitter source in [0, 1). */
    random: fn<() => number>('a function').optional(),
    /** fetch for the health endpoint (the global one by default). */
    fetch: fn<typeof fetch>('a fetch function').optional(),
    /**
     * Headers sent with the health request (staging behind auth), e.g. `{ 'x-staging-auth': value }`; the
     * values are secrets: never in events, errors or evidence. A redirect is followed only to the same origin.
     */
    headers: z.record(z.string().min(1), z.string()).optional(),
  })
  .refine((o) => o.minDelayMs <= o.maxDelayMs, { message: 'must not exceed maxDelayMs', path: ['minDelayMs'] });

/** Options of `awaitEnvironment` as callers write them. */
export type AwaitEnvironmentOptions = z.input<typeof awaitEnvironmentOptionsSchema>;

function invalid(prefix: string, error: z.ZodError): HotfixError {
  const issues = zodIssues(error);
  return hotfixError('invalid-input', `${prefix}: ${issues.map((i) => `${i.pointer}: ${i.message}`).join('; ')}`, {
    details: { pointer: issues[0]?.pointer ?? '', issues },
  });
}

/**
 * Waits until the target's deployment of `expectedSha`, started by the given
 * orchestration pipeline, has finished and the service's health endpoint reports that
 * SHA. It follows the exact run: orchestration pipeline → trigger job(s) → downstream
 * pipeline in the target project (whatever project GitLab says, nested bridges
 * followed) → the deploy job named in the service descriptor → the deployment in the
 * environment whose job belongs to that pipeline. Polls through the SDK's one waiter
 * (state checked before any wait, jittered backoff, a final look before the deadline).
 *
 * Returns an outcome, not an error, for `success`, `failure` (failed, canceled or
 * skipped, with the failing job and its web URL), `awaiting_human` (a manual job or a
 * blocked deployment, with what the operator must do), `timeout` and `aborted`; each
 * carries everything observed. Errors: `invalid-input` (options, or no service
 * descriptor for the target), `gitlab-unauthorized`, `gitlab-forbidden`,
 * `gitlab-not-found` (end the wait at once), `response-invalid`, `internal`.
 *
 * @example
 * ```ts
 * const outcome = await awaitEnvironment(client, config, {
 *   pipeline, target: 'evenergi/charging-api', expectedSha: pick.sha, maxWaitMs: 20 * 60_000,
 *   onEvent: (e) => console.log(e.type),
 * });
 * if (outcome.isOk() && outcome.value.outcome === 'success') console.log(outcome.value.observed.deployment);
 * ```
 * @see S6 E4 E5 D4 D5
 */
export function awaitEnvironment(
  client: GitLabClient,
  config: RunbookConfig,
  options: AwaitEnvironmentOptions,
): ResultAsync<AwaitOutcome, HotfixError> {
  const parsed = awaitEnvironmentOptionsSchema.safeParse(options);
  if (!parsed.success) return errAsync(invalid('Invalid awaitEnvironment options', parsed.error));
  const o = parsed.data;
  const service = serviceFor(config, o.target);
  if (!service) {
    return errAsync(
      hotfixError(
        'invalid-input',
        `No service descriptor for ${o.target}: add it to the runbook configuration (P5, D5).`,
        {
          runbookRef: 'P5',
          details: { pointer: '/target', issues: [{ pointer: '/target', message: 'no service descriptor' }] },
        },
      ),
    );
  }
  const clock = o.clock ?? client.clock;
  const ctx: FollowContext = {
    client,
    target: o.target,
    expectedSha: o.expectedSha.toLowerCase(),
    environment: service.environment,
    deployJobs: service.deployJobs,
    releaseBranch: service.releaseBranch,
    profile: orchestratorFor(config, o.target),
    health: service.health,
    stableForMs: o.stableForMs,
    maxDepth: o.maxDepth,
    orchestration: { project: o.pipeline.projectId ?? config.orchestration.project, pipelineId: o.pipeline.id },
    signal: o.signal,
    now: () => clock.now(),
    fetch: o.fetch ?? fetch,
    healthHeaders: o.headers,
    learn: o.learn,
    minDelayMs: o.minDelayMs,
    emit: (event) => {
      try {
        o.onEvent?.(event);
      } catch {
        // A progress renderer that throws must not end the wait.
      }
    },
  };
  const state = initialState();
  const poll = (): ResultAsync<AcceptorResult<Terminal, AwaitObserved>, HotfixError> =>
    ResultAsync.fromPromise(
      (async () => {
        const step =
          state.phase === 'downstream'
            ? await pollDownstream(ctx, state)
            : state.phase === 'deployment'
              ? await pollDeployment(ctx, state)
              : await pollHealth(ctx, state);
        // Downstream found in this poll: look at its deployment at once rather than after a sleep.
        const next =
          step.isOk() && step.value === undefined && state.phase === 'deployment' && state.job === undefined
            ? await pollDeployment(ctx, state)
            : step;
        if (next.isErr()) throw next.error;
        const observed = snapshot(ctx, state);
        return next.value === undefined
          ? ({ state: 'retry', observed } as const)
          : ({ state: 'done', value: next.value, observed } as const);
      })(),
      (e) =>
        (e as { code?: unknown }).code
          ? (e as HotfixError)
          : hotfixError('internal', String(e), { details: { reason: String(e) } }),
    );
  return runWaiter(
    {
      maxWaitMs: o.maxWaitMs,
      minDelayMs: o.minDelayMs,
      maxDelayMs: o.maxDelayMs,
      signal: o.signal,
      clock,
      ...(o.random ? { random: o.random } : {}),
      expectedAt: () => (state.phase === 'deployment' ? state.expectedFinishAt : undefined),
      onWait: ({ delayMs, remainingMs }) =>
        ctx.emit({
          type: 'waiting',
          at: new Date(clock.now()).toISOString(),
          target: o.target,
          phase: state.phase,
          delayMs,
          remainingMs,
        }),
    },
    poll,
  ).map((w): AwaitOutcome => {
    const observed = snapshot(ctx, state);
    if (w.state === 'done') return { ...w.value, observed, elapsedMs: w.elapsedMs } as AwaitOutcome;
    if (w.state === 'aborted') return { outcome: 'aborted', observed, elapsedMs: w.elapsedMs };
    return {
      outcome: 'timeout',
      maxWaitMs: o.maxWaitMs,
      observed,
      elapsedMs: w.elapsedMs,
      ...(w.lastError ? { lastError: { code: w.lastError.code, message: w.lastError.message } } : {}),
    };
  });
}
