import type { SimProject } from '../state.js';

/** Statuses a job (or bridge) can have, as GitLab names them. */
export type JobStatus =
  | 'created'
  | 'pending'
  | 'running'
  | 'success'
  | 'failed'
  | 'canceled'
  | 'skipped'
  | 'manual'
  | 'scheduled'
  | 'waiting_for_resource'
  | 'preparing'
  | 'canceling'
  | 'waiting_for_callback';

/** Statuses a deployment can have. */
export type DeploymentStatus = 'created' | 'running' | 'success' | 'failed' | 'canceled' | 'skipped' | 'blocked';

/** Where a pipeline came from (`source` in GitLab's entity). */
export type PipelineSource =
  | 'api'
  | 'pipeline'
  | 'parent_pipeline'
  | 'push'
  | 'web'
  | 'trigger'
  | 'merge_request_event';

/** A pipeline variable as GitLab stores it. */
export interface PipelineVariable {
  readonly key: string;
  readonly value: string;
  readonly variable_type: 'env_var' | 'file';
}

/** The commit a pipeline runs on, read once with git (for job `commit` and `committed_at`). */
export interface CommitInfo {
  readonly id: string;
  readonly parentIds: string[];
  readonly title: string;
  readonly message: string;
  readonly authorName: string;
  readonly authorEmail: string;
  readonly authoredDate: string;
  readonly committerName: string;
  readonly committerEmail: string;
  readonly committedDate: string;
}

/** A pipeline. */
export interface SimPipeline {
  readonly id: number;
  readonly iid: number;
  readonly projectId: number;
  readonly sha: string;
  readonly ref: string;
  readonly tag: boolean;
  readonly source: PipelineSource;
  readonly name: string | null;
  readonly userId: number;
  readonly createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  status: JobStatus;
  /** The inputs the pipeline was created with (after defaults), as typed values. */
  readonly inputs: Readonly<Record<string, unknown>>;
  /** Variables given at creation (API `variables`, or forwarded by a bridge). */
  readonly variables: readonly PipelineVariable[];
  readonly stages: readonly string[];
  readonly commit: CommitInfo;
  /** The bridge job that created this pipeline, when it is a downstream pipeline. */
  readonly upstream?: { readonly projectId: number; readonly pipelineId: number; readonly bridgeId: number };
}

/** What a trigger job asks for. */
export interface TriggerSpec {
  readonly project: string;
  readonly branch: string | undefined;
  readonly depend: boolean;
  readonly inputs: Readonly<Record<string, unknown>>;
  readonly forwardPipelineVariables: boolean;
  readonly forwardYamlVariables: boolean;
}

/** What an `environment:` keyword asks for. */
export interface EnvironmentSpec {
  readonly name: string;
  readonly url: string | undefined;
  readonly action: 'start' | 'stop' | 'prepare' | 'verify' | 'access';
  readonly tier: string | undefined;
}

/** A job or a bridge (trigger job) of a pipeline. */
export interface SimJob {
  readonly id: number;
  readonly pipelineId: number;
  readonly projectId: number;
  readonly name: string;
  readonly stage: string;
  readonly stageIdx: number;
  readonly kind: 'build' | 'bridge';
  status: JobStatus;
  /** `on_success`, `manual`, `always`, `on_failure`, `delayed`. */
  readonly when: string;
  readonly allowFailure: boolean;
  readonly needs: readonly string[] | undefined;
  readonly variables: Readonly<Record<string, string>>;
  readonly durationMs: number;
  readonly environment: EnvironmentSpec | undefined;
  readonly trigger: TriggerSpec | undefined;
  /** Simulator-only action executed with native git when the job finishes (`SIM_ACTION`). */
  readonly simAction: string | undefined;
  /** Whether this job waits for a deployment approval (`SIM_APPROVAL_REQUIRED`). */
  readonly approvalRequired: boolean;
  /** The `script` lines (never executed; shown in the job log). */
  readonly script: readonly string[];
  /** For `when: delayed`: the `start_in` delay (simulated ms). */
  readonly startInMs: number | undefined;
  readonly createdAt: string;
  updatedAt: string;
  queuedAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  userId: number;
  failureReason: string | null;
  retried: boolean;
  deploymentId: number | null;
  downstreamPipelineId: number | null;
}

/** An environment of a project. */
export interface SimEnvironment {
  readonly id: number;
  readonly projectId: number;
  readonly name: string;
  readonly slug: string;
  externalUrl: string | null;
  state: 'available' | 'stopping' | 'stopped';
  tier: string;
  readonly createdAt: string;
  updatedAt: string;
}

/** A deployment of a job to an environment. */
export interface SimDeployment {
  readonly id: number;
  readonly iid: number;
  readonly projectId: number;
  readonly environmentId: number;
  readonly ref: string;
  readonly tag: boolean;
  readonly sha: string;
  status: DeploymentStatus;
  readonly createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
  readonly userId: number;
  readonly jobId: number;
  readonly pipelineId: number;
}

/** The CI part of one project's state (kept in `SimProject.ci`). */
export interface ProjectCi {
  readonly pipelines: SimPipeline[];
  readonly jobs: SimJob[];
  readonly environments: SimEnvironment[];
  readonly deployments: SimDeployment[];
}

/** The CI state of a project, created on first use. */
export function projectCi(project: SimProject): ProjectCi {
  const slot = project.ci as { engine?: ProjectCi };
  slot.engine ??= { pipelines: [], jobs: [], environments: [], deployments: [] };
  return slot.engine;
}

/** Statuses after which a job never changes again (unless retried). */
export const FINISHED_JOB: readonly JobStatus[] = ['success', 'failed', 'canceled', 'skipped'];

/** Deployment statuses that are final. */
export const FINISHED_DEPLOYMENT: readonly DeploymentStatus[] = ['success', 'failed', 'canceled', 'skipped'];
