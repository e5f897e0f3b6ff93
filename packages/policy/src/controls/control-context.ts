import type { InTotoStatement, PromotionBundle, TargetRecord } from '@hotfix-release/evidence';
import type { ControlOutcome } from '../control-result.js';

/** Expected configuration values after defaults (runbook values for actions, bundle settings otherwise). Internal. */
export interface ExpectedValues {
  readonly action: string;
  readonly cutoffAction: string;
  readonly orchestrationProject: string;
  readonly releaseBranch: string;
  readonly environment: string;
  readonly label: string;
}

/** What the integrity controls know about how the bundle arrived. Internal. */
export interface IntegrityFacts {
  /** The bundle as parsed JSON, before zod (digests cover unknown fields too). */
  readonly raw: unknown;
  /** Whether trusted keys were configured. */
  readonly keysConfigured: boolean;
  /** For a DSSE input: the statement, and the verification outcome when keys are configured. */
  readonly envelope: {
    readonly payloadType: string;
    readonly statement: InTotoStatement;
    readonly verification:
      | { readonly ok: true; readonly keyid: string }
      | { readonly ok: false; readonly message: string }
      | null;
  } | null;
}

/** Everything a control function may read. Internal. */
export interface ControlContext {
  readonly bundle: PromotionBundle;
  /** The target for target-scope controls. */
  readonly target: TargetRecord | undefined;
  /** The target's index in `bundle.targets`, for JSON Pointers. */
  readonly targetIndex: number;
  readonly expected: ExpectedValues;
  readonly nowMs: number;
  readonly maxEvidenceAgeMs: number;
  readonly futureSkewMs: number;
  readonly integrity: IntegrityFacts;
}

/** A control's check function. Internal. */
export type ControlCheck = (ctx: ControlContext) => ControlOutcome;

/** Builds outcomes tersely. Internal. */
export const outcome = {
  pass: (message: string, pointer: string): ControlOutcome => ({ status: 'pass', message, pointer }),
  fail: (message: string, pointer: string, expected?: unknown, actual?: unknown): ControlOutcome => ({
    status: 'fail',
    message,
    pointer,
    ...(expected === undefined ? {} : { expected }),
    ...(actual === undefined ? {} : { actual }),
  }),
  error: (message: string, pointer: string): ControlOutcome => ({ status: 'error', message, pointer }),
  notApplicable: (message: string, pointer: string): ControlOutcome => ({ status: 'not_applicable', message, pointer }),
};

/** The JSON Pointer of the current target. Internal. */
export function targetPointer(ctx: ControlContext, ...rest: (string | number)[]): string {
  return [
    `/targets/${ctx.targetIndex}`,
    ...rest.map((s) => String(s).replaceAll('~', '~0').replaceAll('/', '~1')),
  ].join('/');
}

/** The target of a target-scope control; throws (becoming `error`) if the engine called it without one. Internal. */
export function requireTarget(ctx: ControlContext): TargetRecord {
  if (!ctx.target) throw new Error('target control evaluated without a target');
  return ctx.target;
}

/** Milliseconds since the epoch of an ISO timestamp. Internal. */
export function ms(iso: string): number {
  return Date.parse(iso);
}
