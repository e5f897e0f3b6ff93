import { createHash } from 'node:crypto';
import type { CheckReport } from '../check-report.js';
import { CONTROL_CATALOG } from '../control-catalog.js';

/** One GitLab Code Quality issue (the subset of the Code Climate format GitLab reads). */
export interface CodeQualityIssue {
  readonly description: string;
  readonly check_name: string;
  readonly fingerprint: string;
  readonly severity: 'info' | 'minor' | 'major' | 'critical' | 'blocker';
  readonly location: { readonly path: string; readonly lines: { readonly begin: number } };
}

/**
 * Converts failures, errors and `unverified` results into GitLab Code Quality issues: `error` and integrity
 * failures are blockers, other failures critical (or major when waivable), a refused `unverified` major and
 * one the gate's policy file accepts info. Fingerprints are stable per control, input, target and pointer.
 */
export function toCodeQuality(report: CheckReport): CodeQualityIssue[] {
  return report.results
    .filter((r) => r.status === 'fail' || r.status === 'error' || r.status === 'unverified')
    .map((r) => {
      const def = CONTROL_CATALOG.find((c) => c.id === r.id);
      const severity: CodeQualityIssue['severity'] =
        r.status === 'unverified'
          ? r.accepted
            ? 'info'
            : 'major'
          : r.status === 'error' || def?.kind === 'integrity'
            ? 'blocker'
            : def?.waivable
              ? 'major'
              : 'critical';
      const fingerprint = createHash('sha256')
        .update(`${r.id}\0${r.bundle}\0${r.target ?? ''}\0${r.pointer}`)
        .digest('hex');
      return {
        description: `${r.id}${r.target ? ` [${r.target}]` : ''}: ${r.status === 'unverified' ? `unverified${r.accepted ? ' (accepted)' : ''}: ` : ''}${r.message} (runbook ${r.runbookRef}). ${r.remediation}`,
        check_name: r.id,
        fingerprint,
        severity,
        location: { path: r.bundle, lines: { begin: 1 } },
      };
    });
}

/** Renders the GitLab Code Quality JSON (see {@link toCodeQuality}). */
export function formatCodeQuality(report: CheckReport): string {
  return `${JSON.stringify(toCodeQuality(report), null, 2)}\n`;
}
