/** The mutable state of one wait, shared by its phases, and small helpers over it. */
import type { Result } from 'neverthrow';
import type { GitLabJob } from '../../_internal/schemas.js';
import type { HotfixError } from '../../errors.js';
import type { GitLabClient } from '../../gitlab-client.js';
import type { OrchestratorProfile } from '../../runbook-config.js';
import type { HealthSpec } from './health.js';
import type { DeploymentHistory } from './learn.js';
import type {
  AwaitFailureReason,
  AwaitObserved,
  AwaitPhase,
  ObservedDeployment,
  ObservedHealth,
  ObservedJob,
  ObservedPipeline,
  ReleaseEvent,
} from './types.js';

/** Job statuses after which a job never changes again. */
export const FINISHED = new Set(['success', 'failed', 'canceled', 'skipped']);
/** Finished statuses that are not success. */
export const UNSUCCESSFUL = new Set(['failed', 'canceled', 'skipped']);

/** A final state found by a phase; `awaitEnvironment` adds what was observed and the elapsed time. */
export type Terminal =
  | { readonly outcome: 'success' }
  | {
      readonly outcome: 'failure';
      readonly reason: AwaitFailureReason;
      readonly message: string;
      readonly failingJob: ObservedJob | undefined;
    }
  | {
      readonly outcome: 'awaiting_human';
      readonly reason: 'manual-job' | 'deployment-blocked';
      readonly instruction: string;
      readonly job: ObservedJob;
    };

/** What one poll of a phase concludes: a final state, or keep waiting. */
export type Step = Result<Terminal | undefined, HotfixError>;

/** Everything the phases need, fixed for the whole wait. */
export interface FollowContext {
  readonly client: GitLabClient;
  readonly target: string;
  readonly expectedSha: string;
  readonly environment: string;
  readonly deployJobs: readonly string[];
  /** The target's release branch: a trigger-API downstream runs on it. */
  readonly releaseBranch: string;
  /** The orchestrator profile for this target: deploy fingerprint and how the downstream is reached. */
  readonly profile: Pick<OrchestratorProfile, 'fingerprints' | 'downstream'>;
  readonly health: HealthSpec | undefined;
  readonly stableForMs: number;
  readonly maxDepth: number;
  readonly orchestration: { readonly project: string | number; readonly pipelineId: number };
  readonly signal: AbortSignal | undefined;
  readonly now: () => number;
  readonly fetch: typeof fetch;
  /** The operator's headers for the health request (secret values). */
  readonly healthHeaders?: Readonly<Record<string, string>> | undefined;
  readonly emit: (event: ReleaseEvent) => void;
  /** Whether to learn the expected finish from the environment's recent successful deployments. */
  readonly learn: boolean;
  /** The waiter's shortest delay (the learned expectation's tolerance is twice it). */
  readonly minDelayMs: number;
}

/** What the phases learn and pin as the wait goes on. */
export interface FollowState {
  phase: AwaitPhase;
  targetProjectId: number | undefined;
  orchestration: ObservedPipeline | undefined;
  bridges: ObservedJob[];
  downstream: (ObservedPipeline & { project: string; reachedVia?: 'bridge' | 'trigger-api' }) | undefined;
  /** Our downstream pipeline and child pipelines of it in the target project. */
  pipelineIds: Set<number>;
  job: ObservedJob | undefined;
  deployment: ObservedDeployment | undefined;
  health: ObservedHealth | undefined;
  healthOkSince: number | undefined;
  requests: number;
  /** Durations of the environment's recent successful deployments (read once, when learning). */
  history?: DeploymentHistory;
  /** When our deployment is expected to finish (epoch ms), learned from `history`. */
  expectedFinishAt?: number | undefined;
  /** Keys of one-time events already emitted. */
  emitted: Set<string>;
  /** The orchestration pipeline has no trigger job (GitLab creates them with the pipeline): not asked again. */
  noBridges?: boolean;
  /**
   * Downstream pipelines whose project could not be derived (the bridge omitted `project_id` and
   * the `web_url` named no readable project), by id: named in the verdict instead of being dropped.
   */
  unresolved: Map<number, string>;
}

/** A fresh state. */
export function initialState(): FollowState {
  return {
    phase: 'downstream',
    targetProjectId: undefined,
    orchestration: undefined,
    bridges: [],
    downstream: undefined,
    pipelineIds: new Set(),
    job: undefined,
    deployment: undefined,
    health: undefined,
    healthOkSince: undefined,
    requests: 0,
    emitted: new Set(),
    unresolved: new Map(),
  };
}

/** A snapshot of the state as the outcome reports it. */
export function snapshot(ctx: FollowContext, s: FollowState): AwaitObserved {
  return {
    target: ctx.target,
    expectedSha: ctx.expectedSha,
    environment: ctx.environment,
    phase: s.phase,
    orchestration: s.orchestration,
    bridges: [...s.bridges],
    downstream: s.downstream,
    job: s.job,
    deployment: s.deployment,
    health: s.health,
    healthOkSince: s.healthOkSince === undefined ? undefined : new Date(s.healthOkSince).toISOString(),
    requests: s.requests,
  };
}

/** The current time as ISO 8601 UTC. */
export function isoNow(ctx: FollowContext): string {
  return new Date(ctx.now()).toISOString();
}

/** Emits an event once per key (e.g. `job-started:42`). */
export function emitOnce(ctx: FollowContext, s: FollowState, key: string, event: ReleaseEvent): void {
  if (s.emitted.has(key)) return;
  s.emitted.add(key);
  ctx.emit(event);
}

/**
 * A job (or trigger job, or a deployment's deployable) as observed now; `readIn` is the project
 * it was read from, its project when GitLab's answer omits `pipeline.project_id`.
 */
export function observeJob(
  ctx: FollowContext,
  readIn: number,
  j: Pick<GitLabJob, 'id' | 'name' | 'status' | 'pipeline'> & {
    readonly web_url?: string | undefined;
    readonly started_at?: string | null | undefined;
    readonly finished_at?: string | null | undefined;
    readonly failure_reason?: string | undefined;
  },
): ObservedJob {
  return {
    id: j.id,
    name: j.name,
    status: j.status,
    webUrl: j.web_url,
    projectId: j.pipeline.project_id ?? readIn,
    pipelineId: j.pipeline.id,
    startedAt: j.started_at ?? null,
    finishedAt: j.finished_at ?? null,
    ...(j.failure_reason !== undefined ? { failureReason: j.failure_reason } : {}),
    observedAt: isoNow(ctx),
  };
}

/** The REST URL of a pipeline (for evidence: where a fact was read). */
export function pipelineApiUrl(ctx: FollowContext, project: string | number, id: number): string {
  return `${ctx.client.gitlabUrl}/api/v4/projects/${encodeURIComponent(String(project))}/pipelines/${id}`;
}

/** Counts one GitLab request made by this wait. */
export async function counted<T>(s: FollowState, r: PromiseLike<T>): Promise<T> {
  s.requests++;
  return r;
}

/** The earliest failed (else canceled) job among `jobs`: what made a pipeline fail. */
export function culprit<J extends { status: string; id: number }>(jobs: readonly J[]): J | undefined {
  const byId = [...jobs].sort((a, b) => a.id - b.id);
  return byId.find((j) => j.status === 'failed') ?? byId.find((j) => j.status === 'canceled');
}

/** The sentence an operator reads for a manual gate. */
export function manualInstruction(job: ObservedJob, blocked: boolean): string {
  const where = job.webUrl ? ` at ${job.webUrl}` : '';
  return blocked
    ? `Approve the deployment of job "${job.name}"${where} (a protected environment needs approval), then wait again with the same pipeline.`
    : `Run the manual job "${job.name}"${where} if this promotion is approved, then wait again with the same pipeline.`;
}
