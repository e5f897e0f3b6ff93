import type { CheckReport } from '../check-report.js';
import type { ControlStatus } from '../control-result.js';

const MARK: Record<ControlStatus, string> = {
  pass: 'PASS',
  fail: 'FAIL',
  error: 'ERROR',
  unverified: 'UNVERIFIED',
  not_applicable: 'N/A',
  waived: 'WAIVED',
};

/**
 * Renders a report for a terminal: one line per result (failures and refused `unverified` results show the
 * remediation; an accepted one reads `UNVERIFIED (accepted)`, never PASS), then a summary.
 *
 * @example
 * ```ts
 * console.log(formatText(report));
 * // FAIL   E2 [fleet/api] the pipeline carries the cut-off action (S5) at /targets/0/pipeline/inputs/action (runbook E2)
 * ```
 */
export function formatText(report: CheckReport, options: { readonly verbose?: boolean } = {}): string {
  const lines: string[] = report.notices.map((n) => `NOTICE ${oneLine(n)}`);
  for (const b of report.bundles) {
    lines.push(`${b.name}: ${b.status.toUpperCase()}${b.digest ? ` (${b.digest})` : ''}`);
    for (const r of b.results) {
      if (!options.verbose && (r.status === 'pass' || r.status === 'not_applicable')) continue;
      const where = r.target ? ` [${r.target}]` : '';
      const mark = r.status === 'unverified' && r.accepted ? 'UNVERIFIED (accepted)' : MARK[r.status];
      lines.push(
        `  ${mark.padEnd(6)} ${r.id}${where} ${oneLine(r.message)}${r.pointer ? ` at ${r.pointer}` : ''} (runbook ${r.runbookRef}${r.basis ? `; rests on ${r.basis}` : ''})`,
      );
      if (r.status === 'fail' || r.status === 'error' || (r.status === 'unverified' && !r.accepted))
        lines.push(`         → ${r.remediation}`);
    }
  }
  const s = report.summary;
  const accepted = report.results.filter((r) => r.status === 'unverified' && r.accepted).length;
  lines.push(
    `${report.status.toUpperCase()} (exit ${report.exitCode}): ${s.pass} passed, ${s.fail} failed, ${s.error} errors, ${s.unverified} unverified${accepted ? ` (${accepted} accepted)` : ''}, ${s.waived} waived, ${s.not_applicable} not applicable`,
  );
  return `${lines.join('\n')}\n`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
