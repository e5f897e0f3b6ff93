/**
 * triggerGuidedRelease: creates a NEW orchestration pipeline with the guided inputs
 * (S4), never with the cut-off action (S5), at most once per target even when a
 * response is lost or two calls race, and returns it pinned with what GitLab reports.
 */
import { err, errAsync, ok, type Result, ResultAsync } from 'neverthrow';
import { z } from 'zod';
import { zodIssues } from '../_internal/zod-issues.js';
import { type Clock, isClock } from '../clock.js';
import { type HotfixError, hotfixError, isHotfixError } from '../errors.js';
import type { GitLabClient } from '../gitlab-client.js';
import type { RunbookConfig } from '../runbook-config.js';
import { orchestratorFor } from '../runbook-config.js';
import type { ReleaseEvent } from './await-environment/types.js';
import {
  type GuidedRequest,
  guidedAction,
  guidedRequest,
  refuseCutOffInValues,
} from './trigger-guided-release/guard.js';
import { pinned, type TriggeredPipeline, withLock } from './trigger-guided-release/pinned.js';
import {
  findOurPipeline,
  type NamedPipeline,
  observeFingerprint,
  readPipeline,
  readVariables,
} from './trigger-guided-release/reconcile.js';

/** Pipelines this process created (or adopted after a lost answer) per GitLab, project, ref and target. */
const sentHere = new Map<string, Set<number>>();

export type { TriggeredPipeline } from './trigger-guided-release/pinned.js';

const fn = <T>(what: string) => z.custom<T>((v) => typeof v === 'function', { message: `expected ${what}` });

/**
 * Options of `triggerGuidedRelease`. There is deliberately no `action` option: the
 * action is the configured deploy action, checked against S5 before anything is sent.
 */
export const triggerGuidedReleaseOptionsSchema = z.strictObject({
  /** The target project's full path (the `project` input). */
  target: z.string().regex(/^[^\s/][^\s]*\/[^\s]+$/, 'must be a full project path like group/project'),
  signal: z.instanceof(AbortSignal).optional(),
  /** Create a pipeline even when one for this target is being created or was just created. */
  allowConcurrent: z.boolean().default(false),
  /** Time of the reconciliation window and sleep between read-backs after a lost response; the client's clock by default. */
  clock: z.custom<Clock>(isClock, { message: 'expected { now(), sleep(ms, signal) }' }).optional(),
  /**
   * A pipeline this user created for this target this long before the call is adopted, not
   * duplicated (whatever its status: a resumed promotion continues with it). An R2 rerun
   * passes 0 to get a new pipeline.
   */
  reuseWindowMs: z.number().int().min(0).max(86_400_000).default(120_000),
  /** Pages (of 20) of the orchestration project's pipelines read when reconciling. */
  maxReconcilePages: z.number().int().min(1).max(20).default(3),
  /** Read-backs after a lost response before answering `outcome-unknown`. */
  readBackAttempts: z.number().int().min(1).max(10).default(3),
  /** Receives progress events (for the CLI to render); an exception thrown by it is ignored. */
  onEvent: fn<(event: ReleaseEvent) => void>('a function').optional(),
  /**
   * Called with the exact request right before the POST, to journal it (E2 `sent`, S4). When it
   * throws or rejects, nothing is sent and the error is returned.
   */
  beforeSend: fn<(intent: PipelineSendIntent) => Promise<void> | void>('a function').optional(),
  /**
   * A previous run journaled this request before its POST and never saw the answer: a pipeline
   * newer than `seenBeforeId` that this user created on the ref and that observably ran a deploy
   * is adopted before anything is sent.
   */
  previouslySent: z.strictObject({ seenBeforeId: z.number().int().nonnegative() }).optional(),
});

/** The request about to be sent, handed to `beforeSend`. */
export interface PipelineSendIntent {
  /** The orchestration project. */
  readonly project: string;
  /** The body exactly as it is about to be sent. */
  readonly body: GuidedPipelineRequest['body'];
  /** The newest pipeline id this user had on the ref before the POST (0 when none). */
  readonly seenBeforeId: number;
}

/** Options of `triggerGuidedRelease` as callers write them. */
export type TriggerGuidedReleaseOptions = z.input<typeof triggerGuidedReleaseOptionsSchema>;

const LOST = new Set(['outcome-unknown', 'timeout', 'network', 'gitlab-unavailable']);
/** How far back a read-back after a lost response looks (the id bound makes it exact). */
const LOST_WINDOW_MS = 10 * 60_000;

/**
 * Creates the orchestration pipeline of S4 for one target: `action` = the configured
 * deploy action, `project` = target, `confirm` = true, sent as typed pipeline `inputs`
 * (or as string `variables` when configured). The cut-off action is refused before any
 * request, in any disguise and from any source (S5). Before creating, and after a lost
 * or 5xx answer, it reads the orchestration project's pipelines back and adopts one
 * this user created for this target inside the window, so it never sends a second POST;
 * calls for the same target are serialised in-process unless `allowConcurrent`.
 *
 * Errors: `forbidden-action` (S5), `invalid-input`, `aborted` (before the POST), `outcome-unknown` (the POST's answer
 * was lost and no pipeline showed up on read-back: run again, it will adopt it),
 * `gitlab-http` (e.g. inputs refused), `gitlab-unauthorized`, `gitlab-forbidden`,
 * `gitlab-not-found`, `gitlab-rate-limited`, `response-invalid`.
 *
 * @example
 * ```ts
 * const pipeline = await triggerGuidedRelease(client, config, { target: 'evenergi/charging-api' });
 * if (pipeline.isOk()) console.log(pipeline.value.webUrl, pipeline.value.reported.inputs);
 * ```
 * @see S4 S5 E2 E3 D4
 */
export function triggerGuidedRelease(
  client: GitLabClient,
  config: RunbookConfig,
  options: TriggerGuidedReleaseOptions,
): ResultAsync<TriggeredPipeline, HotfixError> {
  const cutOff = (config as Partial<RunbookConfig> | undefined)?.orchestration?.cutOffAction;
  const action = guidedAction(config);
  if (action.isErr()) return errAsync(action.error);
  const crafted = refuseCutOffInValues(options, cutOff, 'options');
  if (crafted) return errAsync(crafted);
  const parsed = triggerGuidedReleaseOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const issues = zodIssues(parsed.error);
    return errAsync(
      hotfixError(
        'invalid-input',
        `Invalid triggerGuidedRelease options: ${issues.map((i) => `${i.pointer}: ${i.message}`).join('; ')}`,
        {
          details: { pointer: issues[0]?.pointer ?? '', issues },
        },
      ),
    );
  }
  const o = parsed.data;
  const req = guidedRequest(config, action.value, o.target);
  if (req.isErr()) return errAsync(req.error);
  const project = config.orchestration.project;
  const fingerprints = orchestratorFor(config, o.target).fingerprints;
  const task = () => run(client, project, o.target, req.value, o, fingerprints);
  const result = o.allowConcurrent ? task() : withLock(`${client.gitlabUrl}|${project}|${o.target}`, task);
  return ResultAsync.fromSafePromise(result).andThen((r) => r);
}

/** The S4 request exactly as triggerGuidedRelease sends it: the route, the project and the JSON body. */
export interface GuidedPipelineRequest {
  readonly method: 'POST';
  readonly route: '/projects/:id/pipeline';
  /** The orchestration project (the `:id`). */
  readonly project: string;
  readonly body:
    | { readonly ref: string; readonly inputs: Readonly<Record<string, string | boolean>> }
    | { readonly ref: string; readonly variables: readonly { readonly key: string; readonly value: string }[] };
}

function pipelineBody(req: GuidedRequest): GuidedPipelineRequest['body'] {
  return req.via === 'inputs' ? { ref: req.ref, inputs: req.inputs } : { ref: req.ref, variables: req.variables };
}

/**
 * The request triggerGuidedRelease would send for `target` (inputs or variables, as
 * configured), built by the same code and guarded the same way (S5); nothing is sent.
 *
 * Errors: `forbidden-action` (S5), `invalid-input`.
 * @see S4 S5
 */
export function planGuidedRelease(config: RunbookConfig, target: string): Result<GuidedPipelineRequest, HotfixError> {
  return guidedAction(config)
    .andThen((action) => guidedRequest(config, action, target))
    .map((req) => ({
      method: 'POST' as const,
      route: '/projects/:id/pipeline' as const,
      project: config.orchestration.project,
      body: pipelineBody(req),
    }));
}

type Parsed = z.output<typeof triggerGuidedReleaseOptionsSchema>;

async function run(
  client: GitLabClient,
  project: string,
  target: string,
  req: GuidedRequest,
  o: Parsed,
  fingerprints: RunbookConfig['orchestration']['fingerprints'],
): Promise<Result<TriggeredPipeline, HotfixError>> {
  const sentKey = `${client.gitlabUrl}|${project}|${req.ref}|${target}`;
  const sent = sentHere.get(sentKey) ?? new Set<number>();
  sentHere.set(sentKey, sent);
  // Where GitLab reports no name (most orchestrators set no workflow:name), a pipeline is ours for
  // this target when this process sent it; after a lost answer, when it observably ran a deploy
  // (the deploy fingerprint, no cut-off job) and is newer than every pipeline listed before the POST.
  const sentByUs = async (p: NamedPipeline) => ok(sent.has(p.id));
  const ranADeploy = async (p: NamedPipeline) =>
    (await observeFingerprint(client, project, p.id, fingerprints, o.signal)).map(
      (m) => m.deploy && m.cutOffJobs.length === 0,
    );
  const clock = o.clock ?? client.clock;
  const now = () => clock.now();
  const sleep = (ms: number, signal?: AbortSignal) => clock.sleep(ms, signal);
  const emit = (e: ReleaseEvent) => {
    try {
      o.onEvent?.(e);
    } catch {
      // progress rendering must not change the outcome
    }
  };
  const reuseSince = now() - o.reuseWindowMs;
  // One listing serves both checks: adoption (inside the reuse window) and, after a lost
  // response, the id bound (every pipeline listed before the POST is older than ours).
  const windowStart = new Date(now() - Math.max(o.reuseWindowMs, LOST_WINDOW_MS)).toISOString();
  const me = await client.currentUser();
  if (me.isErr()) return err(me.error);
  const query = {
    project,
    ref: req.ref,
    username: me.value.username,
    createdAfter: windowStart,
    maxPages: o.maxReconcilePages,
    perPage: 20,
    signal: o.signal,
  };
  // Before creating: adopt a pipeline of ours for this target created inside the reuse window.
  const inWindow = (p: NamedPipeline) => Date.parse(p.created_at) >= reuseSince;
  const existing = await findOurPipeline(client, query, req, o.allowConcurrent ? () => false : inWindow, sentByUs);
  if (existing.isErr()) return err(existing.error);
  if (existing.value.found)
    return ok(pinned(project, target, req, existing.value.found, 'adopted-existing', now, emit));
  if (o.previouslySent) {
    // A predecessor may have sent the POST and died before the answer: read back, never send twice.
    const bound = o.previouslySent.seenBeforeId;
    const found = await findOurPipeline(client, query, req, (p) => p.id > bound, ranADeploy);
    if (found.isErr()) return err(found.error);
    if (found.value.found) {
      sent.add(found.value.found.pipeline.id);
      return ok(pinned(project, target, req, found.value.found, 'adopted-after-lost-response', now, emit));
    }
  }
  const seenBefore = existing.value.maxId;
  if (o.signal?.aborted) {
    return err(
      hotfixError('aborted', 'Aborted before the orchestration pipeline was created; nothing was sent.', {
        details: { method: 'POST', route: '/projects/:id/pipeline', reason: 'signal aborted before the request' },
      }),
    );
  }
  const body = pipelineBody(req);
  const journaled = await announce(o, { project, body, seenBeforeId: seenBefore });
  if (journaled) return err(journaled);
  const created = await client.createPipeline(project, body);
  if (created.isOk()) {
    const [p, vars] = await Promise.all([
      readPipeline(client, project, created.value.id),
      readVariables(client, project, created.value.id),
    ]);
    if (p.isErr()) return err(p.error);
    if (vars.isErr()) return err(vars.error);
    sent.add(p.value.id);
    return ok(pinned(project, target, req, { pipeline: p.value, variables: vars.value }, 'created', now, emit));
  }
  const e = created.error;
  const lost = LOST.has(e.code) || (e.code === 'gitlab-http' && e.details.status >= 500);
  if (!lost) return err(e);
  // The POST may have taken effect: read back, never POST again. Only a pipeline newer than
  // every one listed before the POST can be the one it created.
  for (let i = 0; i < o.readBackAttempts; i++) {
    if (i > 0) await sleep(1_000 * 2 ** (i - 1), o.signal);
    const found = await findOurPipeline(client, query, req, (p) => p.id > seenBefore, ranADeploy);
    if (found.isErr()) return err(found.error);
    if (found.value.found) {
      sent.add(found.value.found.pipeline.id);
      return ok(pinned(project, target, req, found.value.found, 'adopted-after-lost-response', now, emit));
    }
  }
  return err(
    hotfixError(
      'outcome-unknown',
      `Creating the orchestration pipeline for ${target} got no usable answer (${e.code}) and no such pipeline showed up on read-back. Run again: a pipeline that appears meanwhile is adopted, not duplicated.`,
      {
        runbookRef: 'S4',
        retryable: true,
        details: { method: 'POST', route: '/projects/:id/pipeline', reason: e.code },
        cause: e,
      },
    ),
  );
}

/** Hands the request to `beforeSend`; its failure is returned as an error and stops the POST. */
async function announce(o: Parsed, intent: PipelineSendIntent): Promise<HotfixError | undefined> {
  if (!o.beforeSend) return undefined;
  try {
    await o.beforeSend(intent);
    return undefined;
  } catch (cause) {
    if (isHotfixError(cause)) return cause;
    return hotfixError('internal', 'Recording the pipeline request before sending it failed; nothing was sent.', {
      runbookRef: 'S4',
      details: { reason: cause instanceof Error ? cause.message : String(cause) },
      cause,
    });
  }
}
