import type { ControlResult, ControlStatus } from './control-result.js';
import { exitCodeFor } from './exit-code.js';

/** One input's part of a report. */
export interface BundleReport {
  /** The input name (e.g. the file path). */
  readonly name: string;
  /** The bundle's claimed digest, when it parsed. */
  readonly digest: string | null;
  /** This input's overall status. */
  readonly status: 'pass' | 'fail' | 'error';
  /** Every control result for this input, one per control (per target for target controls). */
  readonly results: readonly ControlResult[];
}

/**
 * One evaluation of one or more inputs, from which every reporter renders.
 */
export interface CheckReport {
  /** `pass` (exit 0), `fail` (exit 1) or `error` (exit 2: could not be evaluated). */
  readonly status: 'pass' | 'fail' | 'error';
  /** The exit code the CLI should use. */
  readonly exitCode: 0 | 1 | 2;
  /** When the check ran, ISO 8601 UTC. */
  readonly checkedAt: string;
  /** Per input. */
  readonly bundles: readonly BundleReport[];
  /** Every result of every input, flattened. */
  readonly results: readonly ControlResult[];
  /** How many results have each status (`unverified` counts accepted and refused ones alike). */
  readonly summary: Readonly<Record<ControlStatus, number>>;
  /** What the reader must see first (e.g. that unsigned evidence was accepted); every reporter leads with them. */
  readonly notices: readonly string[];
}

function statusOf(code: 0 | 1 | 2): 'pass' | 'fail' | 'error' {
  return code === 0 ? 'pass' : code === 1 ? 'fail' : 'error';
}

/** Builds the report from per-input results. Internal. */
export function buildReport(
  inputs: readonly { name: string; digest: string | null; results: readonly ControlResult[] }[],
  checkedAt: string,
  notices: readonly string[] = [],
): CheckReport {
  const bundles = inputs.map((b) => ({ ...b, status: statusOf(exitCodeFor(b.results)) }));
  const results = inputs.flatMap((b) => b.results);
  const exitCode = exitCodeFor(results);
  const summary: Record<ControlStatus, number> = {
    pass: 0,
    fail: 0,
    error: 0,
    unverified: 0,
    not_applicable: 0,
    waived: 0,
  };
  for (const r of results) summary[r.status] += 1;
  const accepted = results.filter((r) => r.status === 'unverified' && r.accepted === true);
  const all = accepted.length
    ? [
        ...notices,
        `UNVERIFIED accepted by the gate's policy file (orchestration.acceptUnverified): ${accepted
          .map((r) => (r.target ? `${r.id} [${r.target}]` : r.id))
          .join(', ')} rest(s) on what was sent or reported, not on what GitLab showed`,
      ]
    : notices;
  return { status: statusOf(exitCode), exitCode, checkedAt, bundles, results, summary, notices: all };
}
