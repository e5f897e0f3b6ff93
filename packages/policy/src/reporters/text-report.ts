import type { CheckReport } from '../check-report.js';
import type { ControlStatus } from '../control-result.js';

const MARK: Record<ControlStatus, string> = {
  pass: 'PASS',
  fail: 'FAIL',
  error: 'ERROR',
  not_applicable: 'N/A',
  waived: 'WAIVED',
};

/**
 * Renders a report for a terminal: one line per result (failures first show the remediation), then a summary.
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
      lines.push(
        `  ${MARK[r.status].padEnd(6)} ${r.id}${where} ${oneLine(r.message)}${r.pointer ? ` at ${r.pointer}` : ''} (runbook ${r.runbookRef}${r.basis ? `; rests on ${r.basis}` : ''})`,
      );
      if (r.status === 'fail' || r.status === 'error') lines.push(`         → ${r.remediation}`);
    }
  }
  const s = report.summary;
  lines.push(
    `${report.status.toUpperCase()} (exit ${report.exitCode}): ${s.pass} passed, ${s.fail} failed, ${s.error} errors, ${s.waived} waived, ${s.not_applicable} not applicable`,
  );
  return `${lines.join('\n')}\n`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
