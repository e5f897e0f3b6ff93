import type { ControlId, RunbookRef } from './control-catalog.js';

/**
 * A control's verdict: `pass`, `fail`, `error` (could not evaluate), `unverified` (rests only on what was
 * sent or reported, not on what was observed; the message says what would verify it), `not_applicable`,
 * or `waived`. The gate refuses `unverified` (exit 1) unless its policy file accepts it
 * (`orchestration.acceptUnverified`); an accepted one stays `unverified` with `accepted: true`, never `pass`.
 */
export type ControlStatus = 'pass' | 'fail' | 'error' | 'unverified' | 'not_applicable' | 'waived';

/** What a control function returns before waivers and catalog data are applied. */
export interface ControlOutcome {
  /** The verdict (never `waived`: waivers are applied afterwards). */
  readonly status: Exclude<ControlStatus, 'waived'>;
  /** One line saying what was found. */
  readonly message: string;
  /** RFC 6901 JSON Pointer into the bundle at the deciding value. */
  readonly pointer: string;
  /** What the control expected, when that is a value. */
  readonly expected?: unknown;
  /** What the bundle holds there. */
  readonly actual?: unknown;
  /**
   * Only with `unverified`: `true` when the gate's policy file accepts unverified results
   * (`orchestration.acceptUnverified`), so it does not fail the check; it is still reported as `unverified`.
   */
  readonly accepted?: boolean;
}

/** One control's result for one bundle and, for target controls, one target. */
export interface ControlResult extends Omit<ControlOutcome, 'status'> {
  /** The control id. */
  readonly id: ControlId;
  /** The control title. */
  readonly title: string;
  /** The runbook requirement. */
  readonly runbookRef: RunbookRef;
  /** One line saying what to do, citing the runbook. */
  readonly remediation: string;
  /** The input (file) name the bundle came from. */
  readonly bundle: string;
  /** The target project for target controls, `null` for bundle controls. */
  readonly target: string | null;
  /** Overrides the status when a waiver applied (or had expired). */
  readonly status: ControlStatus;
  /** What the result rests on: facts re-read from GitLab, a verified signature, or only the bundle's word. */
  readonly basis?: 'live facts' | 'verified signature' | "the bundle's word";
  /** The waiver that applied or had expired. */
  readonly waiver?: {
    readonly approver: string;
    readonly reason: string;
    readonly expiresAt: string;
    readonly expired: boolean;
  };
}
