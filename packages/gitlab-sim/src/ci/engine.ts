/**
 * The simulator's CI engine: creates pipelines from the `.gitlab-ci.yml` at their ref,
 * runs their jobs on the simulator clock, triggers downstream pipelines, deploys.
 */
import type { SimClock } from '../clock.js';
import { ACCESS, type SimProject, type SimState } from '../state.js';
import { planPipeline } from './config.js';
import { expandVariables, predefinedVariables } from './config-keywords.js';
import { type CiSettings, type ForcedOutcome, Lifecycle } from './lifecycle.js';
import { type PipelineSource, type PipelineVariable, projectCi, type SimJob, type SimPipeline } from './model.js';
import { commitInfo, readFileAt, resolveRef } from './repo-access.js';

/** What a new pipeline is created from. */
export interface CreatePipelineRequest {
  readonly ref: string;
  readonly userId: number;
  readonly source: PipelineSource;
  readonly inputs?: Readonly<Record<string, unknown>>;
  readonly variables?: readonly PipelineVariable[];
  readonly upstream?: SimPipeline['upstream'];
  /** Logical creation time (ms); now by default. */
  readonly at?: number;
}

/** A pipeline, or GitLab's reasons for not creating it (the `base` errors of a 400). */
export type CreatePipelineResult = { pipeline: SimPipeline } | { errors: string[] };

/** A health override for a service environment (see the health endpoint). */
export interface HealthOverride {
  /** Report this SHA instead of the deployed one. */
  readonly sha?: string;
  /** Report this status (`ok`, `degraded`, `down`...); anything but `ok` answers 503. */
  readonly status?: string;
  /**
   * Report this version string instead of the SHA, like a service reporting its build:
   * `{sha}`, `{sha7}` and `{deployment}` become the deployed SHA, its first 7 digits and the deployment id.
   */
  readonly version?: string;
  /** Answer 401 unless the request carries this header with this value (staging behind auth). */
  readonly requireHeader?: { readonly name: string; readonly value: string };
  /**
   * Answer with a 302 first: to the same endpoint on the same origin (`same-origin`, twice), or to
   * the same endpoint on another origin (`cross-origin`: `localhost` for `127.0.0.1` and back).
   */
  readonly redirect?: 'same-origin' | 'cross-origin';
}

/** A forced outcome request: the next `times` runs (default 1) of `job` in `project` end with `status`. */
export interface JobOutcome {
  /** Project path (`acme/service`) or numeric id as a string. */
  readonly project: string;
  /** Job name as in `.gitlab-ci.yml`. */
  readonly job: string;
  /** How the job ends instead of succeeding. */
  readonly status: 'success' | 'failed' | 'canceled';
  /** How many runs of the job it applies to (default 1; `Infinity` for all). */
  readonly times?: number;
}

/**
 * The test-facing controls of a simulator's CI: simulated durations, forced job outcomes,
 * health overrides, and clock steps that wait for every CI step they cause.
 */
export interface CiControls {
  /** Current simulated-time settings. */
  readonly settings: Readonly<CiSettings>;
  /** Changes simulated-time settings; returns the new settings. */
  configure(settings: Partial<CiSettings>): CiSettings;
  /** Makes the next run(s) of a job end with a forced status. */
  forceJobOutcome(outcome: JobOutcome): void;
  /** Makes a service's health endpoint lie or fail; `undefined` restores the truth. */
  setHealth(project: string, environment: string, override: HealthOverride | undefined): void;
  /** Resolves once no async CI step (downstream creation, git actions) is in flight. */
  settled(): Promise<void>;
  /** Advances the virtual clock by `ms` and waits for every CI step it caused. */
  advance(ms: number): Promise<void>;
}

const engines = new WeakMap<SimState, CiEngine>();

/** The CI engine of a running simulator (internal: handlers and tests in this package). */
export function getCiEngine(state: SimState): CiEngine {
  const engine = engines.get(state);
  if (!engine) throw new Error('no CI engine is registered for this simulator state');
  return engine;
}

/**
 * The CI controls of a running simulator.
 * @example
 * ciControls(sim).forceJobOutcome({ project: 'acme/service', job: 'deploy-staging', status: 'failed' });
 * await ciControls(sim).advance(10 * 60_000); // a ten-minute deployment, no wall time
 */
export function ciControls(sim: { readonly state: SimState }): CiControls {
  return getCiEngine(sim.state);
}

/** Runs pipelines for every project of one simulator. */
export class CiEngine implements CiControls {
  /** Simulated-time knobs; change with `configure`. */
  readonly settings: CiSettings = {
    defaultJobDurationMs: 30_000,
    queueDelayMs: 1_000,
    realTimeScale: 0.05,
    pipelineCreationLimitPerMinute: 0,
  };
  /** Forced outcomes waiting for their jobs. */
  readonly outcomes: ForcedOutcome[] = [];
  /** Health overrides by `<project path>|<environment>`. */
  readonly health = new Map<string, HealthOverride>();
  /** Job and pipeline transitions. */
  readonly lifecycle: Lifecycle;
  private readonly inflight = new Set<Promise<unknown>>();

  constructor(
    private readonly state: SimState,
    private readonly clock: SimClock,
    private readonly getBaseUrl: () => string,
    withRepoLock: <T>(project: SimProject, fn: () => Promise<T>) => Promise<T>,
  ) {
    engines.set(state, this);
    this.lifecycle = new Lifecycle({
      state,
      clock,
      settings: this.settings,
      outcomes: this.outcomes,
      withRepoLock,
      startBridge: (p, j, t) => this.startBridge(p, j, t),
      triggerPipeline: (p, j, t) => this.triggerPipeline(p, j, t),
      track: (p) => this.track(p),
    });
  }

  /** Changes simulated-time settings. */
  configure(settings: Partial<CiSettings>): CiSettings {
    Object.assign(this.settings, settings);
    return this.settings;
  }

  /** Makes the next `times` runs of a job end with `status` instead of success. */
  forceJobOutcome(outcome: JobOutcome): void {
    this.outcomes.push({
      project: outcome.project,
      job: outcome.job,
      status: outcome.status,
      times: outcome.times ?? 1,
    });
  }

  /** Sets (or with `undefined` clears) what a service's health endpoint reports. */
  setHealth(project: string, environment: string, override: HealthOverride | undefined): void {
    const key = `${project.toLowerCase()}|${environment}`;
    if (override) this.health.set(key, override);
    else this.health.delete(key);
  }

  /** Resolves once no async CI step (downstream creation, git actions) is in flight. */
  async settled(): Promise<void> {
    while (this.inflight.size) await Promise.allSettled([...this.inflight]);
  }

  /** Advances the (virtual) clock and waits until every step it caused has finished. */
  async advance(ms: number): Promise<void> {
    this.clock.advance(ms);
    await this.settled();
  }

  private track(p: Promise<unknown>): void {
    const tracked = p.finally(() => this.inflight.delete(tracked));
    this.inflight.add(tracked);
  }

  /** Finds a pipeline of a project by id. */
  pipeline(project: SimProject, id: number): SimPipeline | undefined {
    return projectCi(project).pipelines.find((p) => p.id === id);
  }

  /** Finds a job or bridge of a project by id. */
  job(project: SimProject, id: number): SimJob | undefined {
    return projectCi(project).jobs.find((j) => j.id === id);
  }

  /** Creates a pipeline from the CI configuration at `ref`, or returns GitLab's errors. */
  async createPipeline(project: SimProject, req: CreatePipelineRequest): Promise<CreatePipelineResult> {
    const t = req.at ?? this.clock.now();
    const resolved = await resolveRef(project.repoDir, req.ref);
    if (!resolved) return { errors: ['Reference not found'] };
    // The project's ci_config_path (a file in its own repository) or GitLab's default.
    const text = await readFileAt(project.repoDir, resolved.sha, project.ciConfigPath || '.gitlab-ci.yml');
    if (text === undefined) return { errors: ['Missing CI config file'] };
    const variables = req.variables ?? [];
    const pipelineVars = Object.fromEntries(variables.map((v) => [v.key, v.value]));
    const predefined = predefinedVariables(this.getBaseUrl(), project, req.ref, resolved.sha, resolved.tag, req.source);
    const plan = planPipeline(text, req.inputs ?? {}, predefined, pipelineVars);
    if ('errors' in plan) return plan;
    const commit = await commitInfo(project.repoDir, resolved.sha);
    const ci = projectCi(project);
    const at = new Date(t).toISOString();
    const pipeline: SimPipeline = {
      id: this.state.nextId('pipeline'),
      iid: this.state.nextId(`pipeline-iid-${project.id}`),
      projectId: project.id,
      sha: resolved.sha,
      ref: req.ref,
      tag: resolved.tag,
      source: req.source,
      // Realistic: most orchestrators set no input-derived `workflow:name`, so no name echoes the inputs.
      name: this.state.realistic.noInputName && plan.nameFromInputs ? null : plan.name,
      userId: req.userId,
      createdAt: at,
      updatedAt: at,
      startedAt: null,
      finishedAt: null,
      status: 'created',
      inputs: plan.inputs,
      variables,
      stages: plan.stages,
      commit,
      ...(req.upstream ? { upstream: req.upstream } : {}),
    };
    ci.pipelines.push(pipeline);
    const planned = [...plan.jobs].sort((a, b) => a.stageIdx - b.stageIdx);
    const jobs = planned.map((pj) => {
      const job: SimJob = {
        ...pj,
        id: this.state.nextId('job'),
        pipelineId: pipeline.id,
        projectId: project.id,
        status: 'created',
        durationMs: pj.durationMs ?? -1,
        createdAt: at,
        updatedAt: at,
        queuedAt: null,
        startedAt: null,
        finishedAt: null,
        userId: req.userId,
        failureReason: null,
        retried: false,
        deploymentId: null,
        downstreamPipelineId: null,
      };
      ci.jobs.push(job);
      return job;
    });
    // No catch-up here: a bridge creating this pipeline must record it before due timers fire.
    this.lifecycle.initJobs(pipeline, jobs, t);
    return { pipeline };
  }

  /**
   * `SIM_ACTION: trigger-pipeline`: what a script job calling `POST /projects/:id/trigger/pipeline`
   * causes. The downstream pipeline is a plain pipeline of `SIM_TARGET_PROJECT` on
   * `SIM_TARGET_BRANCH` (default `release`) with no bridge and no upstream link; its `source` is
   * `trigger` for a pipeline trigger token (`SIM_TRIGGER_TOKEN: trigger-token`, the default) or
   * `pipeline` for `CI_JOB_TOKEN` (`SIM_TRIGGER_TOKEN: job-token`), as GitLab reports them.
   */
  private async triggerPipeline(p: SimPipeline, job: SimJob, t: number): Promise<string | undefined> {
    const vars = job.variables;
    const target = vars.SIM_TARGET_PROJECT ? this.state.findProject(vars.SIM_TARGET_PROJECT) : undefined;
    if (!target) return `project ${vars.SIM_TARGET_PROJECT ?? '(SIM_TARGET_PROJECT unset)'} not found`;
    if (this.state.accessLevel(target, job.userId) < ACCESS.developer) return '404 Project Not Found';
    const kind = vars.SIM_TRIGGER_TOKEN ?? 'trigger-token';
    if (kind !== 'trigger-token' && kind !== 'job-token') return `unknown SIM_TRIGGER_TOKEN ${kind}`;
    const result = await this.createPipeline(target, {
      ref: vars.SIM_TARGET_BRANCH || 'release',
      userId: p.userId,
      source: kind === 'job-token' ? 'pipeline' : 'trigger',
      at: t,
    });
    return 'errors' in result ? result.errors.join(', ') : undefined;
  }

  private async startBridge(p: SimPipeline, bridge: SimJob, t: number): Promise<void> {
    const trigger = bridge.trigger;
    if (!trigger) return;
    const target = this.state.findProject(trigger.project);
    const fail = (reason: string) => {
      bridge.failureReason = reason;
      this.lifecycle.finish(p, bridge, 'failed', t);
    };
    if (!target) return fail('downstream_bridge_project_not_found');
    if (this.state.accessLevel(target, bridge.userId) < ACCESS.developer)
      return fail('insufficient_bridge_permissions');
    const vars = new Map<string, PipelineVariable>();
    if (trigger.forwardYamlVariables) {
      const own = this.lifecycle.project(p);
      const context = {
        ...predefinedVariables(this.getBaseUrl(), own, p.ref, p.sha, p.tag, p.source),
        ...bridge.variables,
      };
      for (const [key, raw] of Object.entries(bridge.variables)) {
        vars.set(key, { key, value: expandVariables(raw, context), variable_type: 'env_var' });
      }
    }
    if (trigger.forwardPipelineVariables) for (const v of p.variables) vars.set(v.key, v);
    const result = await this.createPipeline(target, {
      ref: trigger.branch ?? target.defaultBranch,
      userId: bridge.userId,
      source: 'pipeline',
      inputs: trigger.inputs,
      variables: [...vars.values()],
      upstream: { projectId: p.projectId, pipelineId: p.id, bridgeId: bridge.id },
      at: t,
    });
    if (bridge.status !== 'pending') return;
    if ('errors' in result) return fail('downstream_pipeline_creation_failed');
    bridge.downstreamPipelineId = result.pipeline.id;
    bridge.startedAt = new Date(t).toISOString();
    if (trigger.depend && !['success', 'failed', 'canceled', 'skipped'].includes(result.pipeline.status)) {
      this.lifecycle.setStatus(p, bridge, 'running', t);
      this.lifecycle.updatePipeline(p, t);
    } else if (trigger.depend && result.pipeline.status === 'canceled') {
      this.lifecycle.finish(p, bridge, 'canceled', t);
    } else if (trigger.depend && result.pipeline.status !== 'success') {
      fail('unknown_failure');
    } else {
      this.lifecycle.finish(p, bridge, 'success', t);
    }
  }
}
