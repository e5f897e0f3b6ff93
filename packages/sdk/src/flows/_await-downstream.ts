import { okAsync, type ResultAsync } from 'neverthrow';
import { runWaiter } from '../_internal/waiter.js';
import type { Clock } from '../clock.js';
import type { HotfixError } from '../errors.js';
import type { GitLabClient } from '../gitlab-client.js';

const FINAL = new Set(['success', 'failed', 'canceled', 'skipped', 'manual']);

/**
 * S6 watches the downstream pipeline to completion, not only its deploy job: later
 * stages (smoke jobs, notifications) may still run after the deployment succeeded.
 * Waits, through the SDK's one waiter, until the pipeline reaches a final status.
 */
export function awaitPipelineFinished(
  client: GitLabClient,
  pipeline: { readonly projectId: number | string; readonly id: number },
  opts: {
    readonly maxWaitMs: number;
    readonly minDelayMs: number;
    readonly maxDelayMs: number;
    readonly clock: Clock;
    readonly signal?: AbortSignal | undefined;
  },
): ResultAsync<{ status: string; observedAt: string; timedOut: boolean }, HotfixError> {
  const clock = opts.clock;
  return runWaiter<{ status: string }, { status: string }>(
    { maxWaitMs: opts.maxWaitMs, minDelayMs: opts.minDelayMs, maxDelayMs: opts.maxDelayMs, clock, signal: opts.signal },
    () =>
      client
        .pipeline(pipeline.projectId, pipeline.id)
        .andThen((p) =>
          okAsync(
            FINAL.has(p.status)
              ? { state: 'done' as const, value: { status: p.status }, observed: { status: p.status } }
              : { state: 'retry' as const, observed: { status: p.status } },
          ),
        ),
  ).map((w) => ({
    status: w.state === 'done' ? w.value.status : (w.observed?.status ?? 'unknown'),
    observedAt: new Date(clock.now()).toISOString(),
    timedOut: w.state !== 'done',
  }));
}
