import type { CheckReport } from '../check-report.js';
import type { ControlStatus } from '../control-result.js';

const ICON: Record<ControlStatus, string> = {
  pass: '✅',
  fail: '❌',
  error: '⚠️',
  unverified: '❔',
  not_applicable: '➖',
  waived: '🟡',
};

/**
 * Neutralises GitLab quick actions: a line whose first non-blank character is `/` has that slash written
 * as the HTML entity `&#47;`, which renders the same but is not executed. Internal.
 */
export function neutraliseQuickActions(markdown: string): string {
  return markdown.replace(/^(\s*)\//gm, '$1&#47;');
}

function cell(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .replaceAll('|', '\\|')
    .replaceAll('`', "'")
    .trim();
}

/**
 * Renders a compact Markdown summary for an MR note: overall status, then one table row per result that
 * is not a plain pass (or every row with `all`). Lines that GitLab would execute as quick actions are neutralised.
 */
export function formatMarkdown(report: CheckReport, options: { readonly all?: boolean } = {}): string {
  const s = report.summary;
  const accepted = report.results.filter((r) => r.status === 'unverified' && r.accepted).length;
  const lines = [
    `### ${ICON[report.status]} Staging hotfix evidence: ${report.status.toUpperCase()}`,
    '',
    `${s.pass} passed · ${s.fail} failed · ${s.error} errors · ${s.unverified} unverified${accepted ? ` (${accepted} accepted)` : ''} · ${s.waived} waived · ${s.not_applicable} not applicable (checked ${report.checkedAt})`,
    '',
  ];
  // What the reader must see first (unsigned evidence accepted, unverified accepted) comes before the table.
  for (const n of report.notices) lines.push(`> **${cell(n)}**`, '');
  const rows = report.results.filter((r) => options.all || (r.status !== 'pass' && r.status !== 'not_applicable'));
  if (rows.length > 0) {
    lines.push('| | Control | Target | Runbook | Finding | Remediation |', '|---|---|---|---|---|---|');
    for (const r of rows) {
      lines.push(
        `| ${ICON[r.status]}${r.status === 'unverified' ? (r.accepted ? ' unverified (accepted)' : ' unverified') : ''} | ${cell(r.id)} | ${cell(r.target ?? '—')} | ${r.runbookRef} | ${cell(r.message)} | ${cell(r.remediation)} |`,
      );
    }
  } else {
    lines.push('Every required control passed.');
  }
  for (const b of report.bundles) if (b.digest) lines.push('', `Evidence \`${b.digest}\` (${cell(b.name)})`);
  return `${neutraliseQuickActions(lines.join('\n'))}\n`;
}
