/**
 * How jobs move: created → pending → running → success/failed/canceled (or manual, skipped),
 * driven by the simulator clock. Every transition takes a logical time `t` (the due time of
 * the timer that caused it), so timestamps stay exact even when async steps finish late.
 */
import type { SimClock } from '../clock.js';
import type { SimProject, SimState } from '../state.js';
import { createDeployment, syncDeployment } from './deploy.js';
import { FINISHED_JOB, type JobStatus, projectCi, type SimJob, type SimPipeline } from './model.js';
import { runSimAction } from './repo-access.js';
import { compositeStatus } from './status.js';

/** Knobs for simulated time. */
export interface CiSettings {
  /** Duration of a job without `SIM_DURATION_SECONDS` (simulated ms). */
  defaultJobDurationMs: number;
  /** Time a job waits in `pending` before a "runner" picks it up (simulated ms). */
  queueDelayMs: number;
  /** With the real clock, simulated durations are multiplied by this (0.05: a 30 s job takes 1.5 s). */
  realTimeScale: number;
  /**
   * GitLab's pipeline-creation rate limit per project and user (API requests per simulated minute);
   * 0 (default) disables it. Above it, creation answers 400 "Too many pipelines created in the last minute".
   */
  pipelineCreationLimitPerMinute: number;
}

/** A forced outcome for the next run(s) of a job. */
export interface ForcedOutcome {
  /** Project path (or numeric id as a string). */
  readonly project: string;
  /** Job name. */
  readonly job: string;
  readonly status: 'success' | 'failed' | 'canceled';
  /** How many runs it applies to (default 1). */
  times: number;
}

/** What the lifecycle needs from the engine. */
export interface LifecycleDeps {
  readonly state: SimState;
  readonly clock: SimClock;
  readonly settings: CiSettings;
  readonly outcomes: ForcedOutcome[];
  readonly withRepoLock: <T>(project: SimProject, fn: () => Promise<T>) => Promise<T>;
  /** Creates a bridge's downstream pipeline; resolves when done (the bridge is updated inside). */
  readonly startBridge: (pipeline: SimPipeline, job: SimJob, t: number) => Promise<void>;
  /** Runs `SIM_ACTION: trigger-pipeline` (a script calling the trigger API); resolves with an error text or undefined. */
  readonly triggerPipeline: (pipeline: SimPipeline, job: SimJob, t: number) => Promise<string | undefined>;
  /** Tracks async work so `settled()` can wait for it. */
  readonly track: (p: Promise<unknown>) => void;
}

const ACTIVE: readonly JobStatus[] = ['created', 'pending', 'running', 'manual', 'scheduled', 'waiting_for_resource'];
const iso = (t: number) => new Date(t).toISOString();

/** Job and pipeline state transitions. */
export class Lifecycle {
  constructor(private readonly deps: LifecycleDeps) {}

  /** The project of a pipeline. */
  project(p: SimPipeline): SimProject {
    const project = this.deps.state.findProject(p.projectId);
    if (!project) throw new Error(`project ${p.projectId} vanished`);
    return project;
  }

  /** The current (not retried) jobs and bridges of a pipeline. */
  jobsOf(p: SimPipeline): SimJob[] {
    return projectCi(this.project(p)).jobs.filter((j) => j.pipelineId === p.id && !j.retried);
  }

  /** Runs `fn(due)` when the clock reaches `due`, so the transition carries its logical time. */
  schedule(due: number, fn: (t: number) => void): void {
    this.deps.clock.at(due, () => fn(due));
  }

  /** Fires timers already due (virtual clock only): used after async steps that finished "late". */
  catchUp(): void {
    if (this.deps.clock.isVirtual) this.deps.clock.advance(0);
  }

  private scaled(ms: number): number {
    return this.deps.clock.isVirtual ? ms : ms * this.deps.settings.realTimeScale;
  }

  /** Creates deployments for new jobs and starts whatever can start. */
  initJobs(p: SimPipeline, jobs: SimJob[], t: number): void {
    for (const j of jobs) createDeployment(this.deps.state, this.project(p), p, j, iso(t));
    this.process(p, t);
  }

  /** Moves every `created` job whose prerequisites are done, then recomputes the pipeline status. */
  process(p: SimPipeline, t: number): void {
    const jobs = this.jobsOf(p);
    for (let changed = true; changed; ) {
      changed = false;
      for (const j of jobs) {
        if (j.status !== 'created') continue;
        const deps = j.needs
          ? jobs.filter((d) => j.needs?.includes(d.name))
          : jobs.filter((d) => d.stageIdx < j.stageIdx);
        const waiting = deps.some(
          (d) => ACTIVE.includes(d.status) && !(d.status === 'manual' && d.allowFailure && !j.needs),
        );
        if (waiting) continue;
        const failed = deps.some((d) => (d.status === 'failed' || d.status === 'canceled') && !d.allowFailure);
        const neededSkipped = j.needs !== undefined && deps.some((d) => d.status === 'skipped');
        changed = true;
        const run = j.when === 'always' || (j.when === 'on_failure' ? failed : !failed && !neededSkipped);
        if (!run) this.setStatus(p, j, 'skipped', t);
        else if (j.when === 'manual' || j.approvalRequired) this.setStatus(p, j, 'manual', t);
        else if (j.when === 'delayed') this.delay(p, j, t);
        else this.enqueue(p, j, t);
      }
    }
    this.updatePipeline(p, t);
  }

  /** `scheduled` until its `start_in` has passed (or someone plays it), then `pending`. */
  private delay(p: SimPipeline, j: SimJob, t: number): void {
    this.setStatus(p, j, 'scheduled', t);
    this.schedule(t + this.scaled(j.startInMs ?? 0), (t2) => {
      if (j.status !== 'scheduled') return;
      this.enqueue(p, j, t2);
      this.updatePipeline(p, t2);
    });
  }

  /** `pending`, and picked up after the queue delay. */
  enqueue(p: SimPipeline, j: SimJob, t: number): void {
    j.queuedAt = iso(t);
    this.setStatus(p, j, 'pending', t);
    this.schedule(t + this.scaled(this.deps.settings.queueDelayMs), (t2) => this.start(p, j, t2));
  }

  private start(p: SimPipeline, j: SimJob, t: number): void {
    if (j.status !== 'pending') return;
    if (j.kind === 'bridge') {
      this.deps.track(
        this.deps
          .startBridge(p, j, t)
          .catch((err: unknown) => {
            j.failureReason = 'downstream_pipeline_creation_failed';
            this.finish(p, j, 'failed', t);
            process.stderr.write(`gitlab-sim: bridge ${j.id}: ${String(err)}\n`);
          })
          .finally(() => this.catchUp()),
      );
      return;
    }
    j.startedAt = iso(t);
    this.setStatus(p, j, 'running', t);
    this.updatePipeline(p, t);
    const duration = j.durationMs >= 0 ? j.durationMs : this.deps.settings.defaultJobDurationMs;
    this.schedule(t + this.scaled(duration), (t2) => this.end(p, j, t2));
  }

  private end(p: SimPipeline, j: SimJob, t: number): void {
    if (j.status !== 'running') return;
    const outcome = this.takeOutcome(p, j) ?? 'success';
    if (outcome !== 'success' || !j.simAction) {
      this.finish(p, j, outcome, t);
      return;
    }
    const action =
      j.simAction === 'trigger-pipeline'
        ? this.deps.triggerPipeline(p, j, t)
        : runSimAction(j.simAction, j.variables, this.project(p), this.deps.state, this.deps.withRepoLock);
    this.deps.track(
      action
        .catch((err: unknown) => String(err))
        .then((error) => {
          if (j.status !== 'running') return;
          this.finish(p, j, error ? 'failed' : 'success', t);
        })
        .finally(() => this.catchUp()),
    );
  }

  private takeOutcome(p: SimPipeline, j: SimJob): ForcedOutcome['status'] | undefined {
    const project = this.project(p);
    const rule = this.deps.outcomes.find(
      (o) =>
        o.times > 0 &&
        o.job === j.name &&
        (o.project.toLowerCase() === project.path.toLowerCase() || o.project === String(project.id)),
    );
    if (!rule) return undefined;
    rule.times--;
    return rule.status;
  }

  /** Ends a job with a final status and lets the pipeline move on. */
  finish(p: SimPipeline, j: SimJob, status: 'success' | 'failed' | 'canceled' | 'skipped', t: number): void {
    if (status === 'failed') j.failureReason ??= 'script_failure';
    j.finishedAt = iso(t);
    this.setStatus(p, j, status, t);
    this.process(p, t);
  }

  /** Sets a job status and mirrors it to its deployment. */
  setStatus(p: SimPipeline, j: SimJob, status: JobStatus, t: number): void {
    j.status = status;
    j.updatedAt = iso(t);
    syncDeployment(this.project(p), j, iso(t));
  }

  /** Recomputes a pipeline's status and timestamps; tells a depending upstream bridge. */
  updatePipeline(p: SimPipeline, t: number): void {
    const jobs = this.jobsOf(p);
    const status = compositeStatus(jobs) ?? 'skipped';
    const startedAt = jobs
      .map((j) => j.startedAt)
      .filter((s): s is string => s !== null)
      .sort()[0];
    if (!p.startedAt && startedAt) p.startedAt = startedAt;
    if (status === p.status) return;
    p.status = status;
    p.updatedAt = iso(t);
    p.finishedAt = FINISHED_JOB.includes(status) ? iso(t) : null;
    if (p.upstream) this.notifyUpstream(p, t);
  }

  private notifyUpstream(p: SimPipeline, t: number): void {
    const up = p.upstream;
    const project = up && this.deps.state.findProject(up.projectId);
    if (!up || !project) return;
    const ci = projectCi(project);
    const bridge = ci.jobs.find((j) => j.id === up.bridgeId);
    const upstream = ci.pipelines.find((x) => x.id === up.pipelineId);
    if (!bridge || !upstream || !bridge.trigger?.depend || bridge.status !== 'running') return;
    // Ci::Bridge#inherit_status_from_downstream!: success, canceled → canceled, failed/skipped → failed.
    if (p.status === 'success' || p.status === 'canceled') this.finish(upstream, bridge, p.status, t);
    else if (p.status === 'failed' || p.status === 'skipped') {
      bridge.failureReason = 'unknown_failure';
      this.finish(upstream, bridge, 'failed', t);
    }
  }

  /** Cancels every active job of a pipeline (and the downstream pipelines of its bridges). */
  cancelPipeline(p: SimPipeline, t: number): void {
    for (const j of this.jobsOf(p)) this.cancelJob(p, j, t, false);
    this.process(p, t);
  }

  /** Cancels one job if it is still active; returns whether it was. */
  cancelJob(p: SimPipeline, j: SimJob, t: number, reprocess = true): boolean {
    if (!ACTIVE.includes(j.status)) return false;
    if (j.status === 'running' || j.status === 'pending') j.finishedAt = iso(t);
    this.setStatus(p, j, 'canceled', t);
    if (j.downstreamPipelineId !== null && j.trigger) {
      const target = this.deps.state.findProject(j.trigger.project);
      const down = target && projectCi(target).pipelines.find((x) => x.id === j.downstreamPipelineId);
      if (down) this.cancelPipeline(down, t);
    }
    if (reprocess) this.process(p, t);
    return true;
  }
}
