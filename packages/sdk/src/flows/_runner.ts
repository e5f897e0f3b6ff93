/**
 * The one step runner behind promotion and rollback (after smithy's waiter, applied to a
 * whole flow): a flow is a list of step values, and only the runner journals, stamps
 * with the one clock, emits step events, checks the abort signal and maps a stop to an
 * outcome. Plan mode (`--dry-run`) is the same list walked through each step's `plan`.
 */
import type { EvidenceJournal, JournalEntry, RunbookId, TargetRecord } from '@hotfix-release/evidence';
import { err, ok, type Result } from 'neverthrow';
import { type Clock, isoNow } from '../clock.js';
import { type HotfixError, hotfixError, isHotfixError } from '../errors.js';
import type { ConflictFile } from '../primitives/_pick-conflicts.js';
import type { FlowEvent } from './_promote-options.js';

/** Why a target stopped short of its goal. */
export type StopReason =
  | 'conflict'
  | 'denied'
  | 'drift'
  | 'deploy-failed'
  | 'awaiting-human'
  | 'timeout'
  | 'aborted'
  | 'cut-off-detected'
  | 'validation-failed'
  /** D4 order: not started, a target it depends on was not promoted. */
  | 'blocked'
  | 'error';

/** A step's stop: the target ends with this outcome (the runner journals it). */
export interface Stop {
  readonly reason: StopReason;
  readonly outcome: TargetRecord['outcome'];
  readonly message: string;
  readonly error?: HotfixError;
  readonly conflicts?: readonly ConflictFile[];
  /** What the operator must do, for `awaiting-human`. */
  readonly instruction?: string;
  /** Back the hotfix out first (D6): R1 when it never ran in staging, R2 when it did. */
  readonly rollback?: { readonly runbookRef: 'R1' | 'R2'; readonly why: string };
}

/** A stop as the Err of a step. */
export function stop(
  reason: StopReason,
  outcome: TargetRecord['outcome'],
  message: string,
  extra: Omit<Stop, 'reason' | 'outcome' | 'message'> = {},
): Result<never, Stop> {
  return err({ reason, outcome, message, ...extra });
}

/** A step that went through. */
export const CONTINUE: Result<void, Stop> = ok(undefined);

/** One planned step of a dry run: what the step would do, read from GitLab, nothing changed. */
export interface PlannedStep {
  readonly step: string;
  readonly runbookIds: readonly RunbookId[];
  /** The step's plan (its shape is the step's: picks, the exact request, the waits). */
  readonly plan: Readonly<Record<string, unknown>>;
}

/**
 * A runbook step as a value. Resuming a flow means re-running every step idempotently:
 * `adopt` says what of the previous run's record counts as a starting point, and `run`
 * re-checks that against GitLab before doing anything (a side effect already done is
 * found, never repeated).
 */
export interface StepDefinition<C, A> {
  readonly name: string;
  readonly runbookIds: readonly RunbookId[];
  /** What the previous run (the journal's record of this target) left that this step builds on. */
  readonly adopt: (previous: TargetRecord | undefined) => A;
  readonly run: (ctx: C, adopted: A) => Promise<Result<void, Stop>>;
  /** Plan mode: what the step would do (read-only). Steps without one are not part of a plan. */
  readonly plan?: (ctx: C) => Promise<Readonly<Record<string, unknown>>>;
}

/** A step as the runner holds it: adoption and run bound together. */
export interface FlowStep<C> {
  readonly name: string;
  readonly runbookIds: readonly RunbookId[];
  /** Re-runs the step idempotently on top of what `previous` recorded. */
  readonly resume: (ctx: C, previous: TargetRecord | undefined) => Promise<Result<void, Stop>>;
  readonly plan?: (ctx: C) => Promise<Readonly<Record<string, unknown>>>;
}

/** Binds a step's `adopt` to its `run` (so each step's adoption is typed with its own run). */
export function defineStep<C, A>(d: StepDefinition<C, A>): FlowStep<C> {
  return {
    name: d.name,
    runbookIds: d.runbookIds,
    resume: (ctx, previous) => d.run(ctx, d.adopt(previous)),
    ...(d.plan ? { plan: d.plan } : {}),
  };
}

/** Nothing to adopt: the step is re-run as is (its primitive is idempotent). */
export const noAdoption = (): undefined => undefined;

/** Test hooks: dependencies of a flow that are not options (and not in the options schema). */
export interface FlowHooks {
  /** Called after each journaled step, so crash tests can stop the process at a step boundary. */
  readonly afterStep?: (step: string, target: string | undefined) => void | Promise<void>;
}

/** Step progress as the runner reports it. */
export type StepStatus = 'start' | 'done' | 'skipped' | 'failed';

/** What a running step may ask of the runner. */
export interface Runner {
  readonly clock: Clock;
  /** The clock's time, ISO 8601 UTC. */
  nowIso(): string;
  /** Stamps a record's `observedAt` with the flow's clock (one timeline for the evidence). */
  stamp<T extends { observedAt: string }>(record: T): T;
  /** Journals one entry; a write failure throws the typed `evidence` error. */
  journal(entry: JournalEntry): Promise<void>;
  progress(step: string, status: StepStatus, message: string, target?: string): void;
  emit(event: FlowEvent): void;
  readonly signal: AbortSignal | undefined;
}

/** What a runner is built from. */
export interface RunnerDeps {
  readonly clock: Clock;
  readonly journal: EvidenceJournal | undefined;
  readonly hooks: FlowHooks;
  readonly onEvent: ((event: FlowEvent) => void) | undefined;
  readonly signal: AbortSignal | undefined;
}

/** The `evidence` error of a journal that cannot be read or written. */
export function evidenceError(path: string | undefined, reason: string): HotfixError {
  return hotfixError('evidence', `Evidence journal problem: ${reason}`, {
    details: { ...(path ? { path } : {}), reason },
  });
}

/** Creates the runner of one flow run. */
export function createRunner(deps: RunnerDeps): Runner {
  const nowIso = () => isoNow(deps.clock);
  const emit = (event: FlowEvent) => deps.onEvent?.(event);
  return {
    clock: deps.clock,
    signal: deps.signal,
    nowIso,
    stamp: (record) => ({ ...record, observedAt: nowIso() }),
    async journal(entry) {
      if (deps.journal) {
        const r = await deps.journal.append(entry);
        if (!r.isOk()) throw evidenceError(deps.journal.path, r.error.message);
      }
      await deps.hooks.afterStep?.(entry.step, 'target' in entry ? entry.target : undefined);
    },
    progress: (step, status, message, target) =>
      emit({ type: 'step', at: nowIso(), step, status, message, ...(target ? { target } : {}) }),
    emit,
  };
}

/**
 * Runs the steps in order on top of `previous`; returns the first stop, or undefined when
 * every step went through. Checks the abort signal before each step; a HotfixError thrown
 * inside a step (a failed read, a journal write) is an `error` stop carrying it.
 */
export async function runSteps<C>(
  runner: Runner,
  steps: readonly FlowStep<C>[],
  ctx: C,
  previous: TargetRecord | undefined,
): Promise<Stop | undefined> {
  for (const s of steps) {
    if (runner.signal?.aborted) return lockLostStop(runner.signal) ?? abortedStop(s.name);
    try {
      const r = await s.resume(ctx, previous);
      // A wait cut short because the release lock was lost is that loss (R3), not the operator's Ctrl-C.
      if (r.isErr()) return (r.error.reason === 'aborted' && lockLostStop(runner.signal)) || r.error;
    } catch (e) {
      if (isHotfixError(e)) return { reason: 'error', outcome: 'failed', message: e.message, error: e };
      throw e;
    }
  }
  return undefined;
}

/** Plan mode: each step's plan, in order; a step whose plan cannot be read says why. */
export async function planSteps<C>(steps: readonly FlowStep<C>[], ctx: C): Promise<PlannedStep[]> {
  const planned: PlannedStep[] = [];
  for (const s of steps) {
    if (!s.plan) continue;
    try {
      planned.push({ step: s.name, runbookIds: s.runbookIds, plan: await s.plan(ctx) });
    } catch (e) {
      if (!isHotfixError(e)) throw e;
      planned.push({ step: s.name, runbookIds: s.runbookIds, plan: { state: 'error', error: e } });
    }
  }
  return planned;
}

/** Journals a target's outcome and reports it: the runner's end of every target. */
export async function finishTarget(
  runner: Runner,
  target: string,
  record: TargetRecord,
  outcome: TargetRecord['outcome'],
  message: string,
): Promise<void> {
  record.outcome = outcome;
  await runner.journal({ step: 'outcome', target, record: { outcome } });
  runner.progress('outcome', outcome === 'promoted' ? 'done' : 'failed', message, target);
}

function abortedStop(step: string): Stop {
  return {
    reason: 'aborted',
    outcome: 'pending',
    message: `Stopped by the operator before ${step}; resume with the same journal to continue.`,
  };
}

/** The stop of a flow whose release lock was lost (the lock guard aborts the signal with `lock-lost`, R3). */
function lockLostStop(signal: AbortSignal | undefined): Stop | undefined {
  const reason: unknown = signal?.aborted ? signal.reason : undefined;
  return isHotfixError(reason) && reason.code === 'lock-lost'
    ? { reason: 'error', outcome: 'pending', message: reason.message, error: reason }
    : undefined;
}
