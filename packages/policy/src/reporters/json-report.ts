import type { CheckReport } from '../check-report.js';
import type { ControlStatus } from '../control-result.js';

/** The machine-readable report: a `status` and one entry per control result. */
export interface JsonReport {
  /** `pass`, `fail` or `error`. */
  readonly status: CheckReport['status'];
  /** The CLI exit code. */
  readonly exitCode: CheckReport['exitCode'];
  /** When the check ran. */
  readonly checkedAt: string;
  /** Counts per status. */
  readonly summary: CheckReport['summary'];
  /** What the reader must see first (e.g. unsigned evidence accepted). */
  readonly notices: readonly string[];
  /** One entry per control result (per target for target controls). */
  readonly controls: readonly {
    readonly id: string;
    readonly status: ControlStatus;
    readonly message: string;
    readonly runbookRef: string;
    readonly bundle: string;
    readonly target: string | null;
    readonly pointer: string;
    readonly remediation: string;
    readonly expected?: unknown;
    readonly actual?: unknown;
    readonly waiver?: unknown;
    /** Only on `unverified`: `true` when the gate's policy file accepts it (it did not fail the check). */
    readonly accepted?: boolean;
    /** What the result rests on: live facts, a verified signature, or the bundle's word. */
    readonly basis?: string;
  }[];
}

/** Converts a report into its JSON form (see {@link JsonReport}). */
export function toJsonReport(report: CheckReport): JsonReport {
  return {
    status: report.status,
    exitCode: report.exitCode,
    checkedAt: report.checkedAt,
    summary: report.summary,
    notices: report.notices,
    controls: report.results.map((r) => ({
      id: r.id,
      status: r.status,
      message: r.message,
      runbookRef: r.runbookRef,
      bundle: r.bundle,
      target: r.target,
      pointer: r.pointer,
      remediation: r.remediation,
      ...('expected' in r ? { expected: r.expected } : {}),
      ...('actual' in r ? { actual: r.actual } : {}),
      ...(r.waiver ? { waiver: r.waiver } : {}),
      ...(r.accepted ? { accepted: true } : {}),
      ...(r.basis ? { basis: r.basis } : {}),
    })),
  };
}

/** Renders a report as pretty JSON text (see {@link JsonReport}). */
export function formatJson(report: CheckReport): string {
  return `${JSON.stringify(toJsonReport(report), null, 2)}\n`;
}
