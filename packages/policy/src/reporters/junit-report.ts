import type { CheckReport } from '../check-report.js';
import type { ControlResult } from '../control-result.js';

/** Escapes text for XML attributes and content, dropping characters XML 1.0 cannot carry. Internal. */
export function escapeXml(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');
}

function testcase(r: ControlResult): string {
  const name = escapeXml(`${r.id} ${r.title}${r.target ? ` [${r.target}]` : ''}`);
  const classname = escapeXml(`${r.bundle}.${r.target ?? 'bundle'}`);
  const detail = escapeXml(
    [
      `runbook ${r.runbookRef}`,
      `pointer ${r.pointer || '/'}`,
      `remediation: ${r.remediation}`,
      ...('expected' in r ? [`expected: ${JSON.stringify(r.expected)}`] : []),
      ...('actual' in r ? [`actual: ${JSON.stringify(r.actual)}`] : []),
    ].join('\n'),
  );
  const message = escapeXml(r.message);
  const open = `    <testcase name="${name}" classname="${classname}" time="0">`;
  switch (r.status) {
    case 'pass':
      return `${open}</testcase>`;
    case 'fail':
      return `${open}\n      <failure message="${message}" type="${escapeXml(r.id)}">${detail}</failure>\n    </testcase>`;
    case 'error':
      return `${open}\n      <error message="${message}" type="${escapeXml(r.id)}">${detail}</error>\n    </testcase>`;
    default:
      return `${open}\n      <skipped message="${escapeXml(`${r.status}: ${r.message}`)}"/>\n    </testcase>`;
  }
}

/**
 * Renders a report as JUnit XML for GitLab's test-report widget: one test suite per input, one test case
 * per control per target; `fail` is a failure, `error` an error, `waived` and `not_applicable` are skipped.
 */
export function formatJunit(report: CheckReport): string {
  const count = (rs: readonly ControlResult[], ...statuses: string[]) =>
    rs.filter((r) => statuses.includes(r.status)).length;
  const suites = report.bundles.map((b) => {
    const attrs = `name="${escapeXml(b.name)}" tests="${b.results.length}" failures="${count(b.results, 'fail')}" errors="${count(b.results, 'error')}" skipped="${count(b.results, 'waived', 'not_applicable')}"`;
    return `  <testsuite ${attrs}>\n${b.results.map(testcase).join('\n')}\n  </testsuite>`;
  });
  const rs = report.results;
  const top = `name="hotfix-release policy" tests="${rs.length}" failures="${count(rs, 'fail')}" errors="${count(rs, 'error')}" skipped="${count(rs, 'waived', 'not_applicable')}"`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ${top}>\n${suites.join('\n')}\n</testsuites>\n`;
}
