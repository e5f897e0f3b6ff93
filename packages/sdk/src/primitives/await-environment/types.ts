/**
 * What `awaitEnvironment` observes, reports as progress and returns. Every observation
 * carries the API URL it was read from and when (ISO 8601 UTC), so evidence records
 * (E4, E5) can be built from it as is.
 */

/** A job or trigger job as observed. */
export interface ObservedJob {
  readonly id: number;
  readonly name: string;
  readonly status: string;
  readonly webUrl: string | undefined;
  /** Numeric id of the project the job belongs to. */
  readonly projectId: number;
  readonly pipelineId: number;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly failureReason?: string;
  readonly observedAt: string;
}

/** A pipeline as observed (the orchestration pipeline, or one downstream of it). */
export interface ObservedPipeline {
  readonly id: number;
  readonly projectId: number;
  readonly status: string;
  readonly sha: string | undefined;
  readonly ref: string | undefined;
  readonly webUrl: string | undefined;
  /** ISO 8601 UTC, when GitLab reports it. */
  readonly createdAt?: string;
  readonly apiUrl: string;
  readonly observedAt: string;
}

/** The deployment pinned to our downstream pipeline, as observed. */
export interface ObservedDeployment {
  readonly id: number;
  readonly iid: number;
  readonly status: string;
  readonly sha: string;
  readonly ref: string;
  readonly environment: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** The deploy job's `finished_at` (deployments expose no finish time of their own). */
  readonly finishedAt: string | null;
  readonly apiUrl: string;
  readonly observedAt: string;
}

/** One answer of the service's health endpoint. */
export interface ObservedHealth {
  readonly url: string;
  /** How the version was read as a commit (E5 by build identity), when there was a version. */
  readonly identity?: HealthIdentity;
  /** HTTP status, absent when no answer arrived. */
  readonly httpStatus: number | undefined;
  /** The value at the descriptor's `versionPath`, when there was one. */
  readonly version: string | null;
  /** Whether the answer reports the expected SHA with the expected status. */
  readonly ok: boolean;
  /** Why it is not ok (network error, wrong status, other SHA). */
  readonly problem?: string;
  readonly observedAt: string;
}

/**
 * How a health endpoint's version names the deployed commit: the version is a SHA (`sha`), or the
 * service's `versionPattern` captured a commit prefix (`pattern-sha`) or a GitLab deployment id
 * (`pattern-deployment`); `captured` is null when the pattern did not match.
 */
export interface HealthIdentity {
  readonly basis: 'sha' | 'pattern-sha' | 'pattern-deployment';
  readonly pattern?: string;
  readonly captured: string | null;
}

/** The phase a wait is in: what it is waiting for. */
export type AwaitPhase = 'downstream' | 'deployment' | 'health' | 'stable';

/** Everything seen so far, from the orchestration pipeline to the health endpoint. */
export interface AwaitObserved {
  readonly target: string;
  readonly expectedSha: string;
  readonly environment: string;
  readonly phase: AwaitPhase;
  readonly orchestration: ObservedPipeline | undefined;
  /** The trigger jobs followed, in order, from the orchestration pipeline to the target. */
  readonly bridges: readonly ObservedJob[];
  /** The downstream pipeline in the target project, and how it was reached from ours (a bridge, or the trigger API). */
  readonly downstream:
    | (ObservedPipeline & { readonly project: string; readonly reachedVia?: 'bridge' | 'trigger-api' })
    | undefined;
  /** The deploy job (named in the service descriptor's `deployJobs`). */
  readonly job: ObservedJob | undefined;
  readonly deployment: ObservedDeployment | undefined;
  readonly health: ObservedHealth | undefined;
  /** When health was first seen good (ISO 8601 UTC), for `stableForMs`. */
  readonly healthOkSince: string | undefined;
  /** GitLab requests made by this wait (health checks not included). */
  readonly requests: number;
}

/** Why a wait ended in failure. */
export type AwaitFailureReason =
  | 'pipeline-failed'
  | 'bridge-failed'
  | 'downstream-not-found'
  | 'deploy-job-missing'
  | 'job-failed'
  | 'deployment-failed'
  | 'deployment-canceled'
  | 'deployment-not-found'
  | 'sha-mismatch'
  | 'health-unstable';

/** How waiting for the environment ended. */
export type AwaitOutcome =
  | { readonly outcome: 'success'; readonly observed: AwaitObserved; readonly elapsedMs: number }
  | {
      readonly outcome: 'failure';
      readonly reason: AwaitFailureReason;
      readonly message: string;
      /** The job that failed (or was canceled/skipped), with its web URL. */
      readonly failingJob: ObservedJob | undefined;
      readonly observed: AwaitObserved;
      readonly elapsedMs: number;
    }
  | {
      readonly outcome: 'awaiting_human';
      readonly reason: 'manual-job' | 'deployment-blocked';
      /** What the operator must do, in one sentence. */
      readonly instruction: string;
      readonly job: ObservedJob;
      readonly observed: AwaitObserved;
      readonly elapsedMs: number;
    }
  | {
      readonly outcome: 'timeout';
      readonly maxWaitMs: number;
      readonly observed: AwaitObserved;
      readonly elapsedMs: number;
      /** The last transient error, when the last polls failed. */
      readonly lastError?: { readonly code: string; readonly message: string };
    }
  | { readonly outcome: 'aborted'; readonly observed: AwaitObserved; readonly elapsedMs: number };

/** Progress of a promotion, for the CLI to render (every event has `at`, ISO 8601 UTC, and the target). */
export type ReleaseEvent =
  | {
      readonly type: 'pipeline-created';
      readonly at: string;
      readonly target: string;
      readonly pipelineId: number;
      readonly webUrl: string;
    }
  | {
      readonly type: 'pipeline-adopted';
      readonly at: string;
      readonly target: string;
      readonly pipelineId: number;
      readonly webUrl: string;
      readonly why: 'existing' | 'lost-response';
    }
  | {
      readonly type: 'pipeline-status';
      readonly at: string;
      readonly target: string;
      readonly pipelineId: number;
      readonly status: string;
    }
  | {
      readonly type: 'downstream-found';
      readonly at: string;
      readonly target: string;
      readonly projectId: number;
      readonly pipelineId: number;
      readonly webUrl: string | undefined;
    }
  | {
      readonly type: 'job-started';
      readonly at: string;
      readonly target: string;
      readonly job: string;
      readonly webUrl: string | undefined;
    }
  | {
      readonly type: 'deployment-running';
      readonly at: string;
      readonly target: string;
      readonly deploymentId: number;
      readonly sha: string;
    }
  | {
      readonly type: 'deployment-finished';
      readonly at: string;
      readonly target: string;
      readonly deploymentId: number;
      readonly status: string;
    }
  | {
      readonly type: 'health-ok';
      readonly at: string;
      readonly target: string;
      readonly url: string;
      readonly version: string | null;
    }
  | {
      readonly type: 'health-not-ok';
      readonly at: string;
      readonly target: string;
      readonly url: string;
      readonly problem: string;
    }
  | {
      readonly type: 'waiting';
      readonly at: string;
      readonly target: string;
      readonly phase: AwaitPhase;
      readonly delayMs: number;
      readonly remainingMs: number;
    };
