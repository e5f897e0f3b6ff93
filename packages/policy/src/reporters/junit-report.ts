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
    case 'unverified':
      // Refused: a failure (it fails the gate). Accepted by the gate's policy file: skipped, never a pass.
      return r.accepted
        ? `${open}\n      <skipped message="${escapeXml(`unverified (accepted by the gate's policy file): ${r.message}`)}"/>\n    </testcase>`
        : `${open}\n      <failure message="${escapeXml(`unverified: ${r.message}`)}" type="${escapeXml(`${r.id} unverified`)}">${detail}</failure>\n    </testcase>`;
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
 * per control per target; `fail` and a refused `unverified` are failures, `error` an error, `waived`,
 * `not_applicable` and an `unverified` the gate's policy file accepts are skipped (with the reason).
 */
export function formatJunit(report: CheckReport): string {
  const kind = (r: ControlResult) =>
    r.status === 'unverified'
      ? r.accepted
        ? 'skipped'
        : 'fail'
      : r.status === 'pass' || r.status === 'fail' || r.status === 'error'
        ? r.status
        : 'skipped';
  const count = (rs: readonly ControlResult[], ...kinds: string[]) => rs.filter((r) => kinds.includes(kind(r))).length;
  const suites = report.bundles.map((b) => {
    const attrs = `name="${escapeXml(b.name)}" tests="${b.results.length}" failures="${count(b.results, 'fail')}" errors="${count(b.results, 'error')}" skipped="${count(b.results, 'skipped')}"`;
    return `  <testsuite ${attrs}>\n${b.results.map(testcase).join('\n')}\n  </testsuite>`;
  });
  const rs = report.results;
  const top = `name="hotfix-release policy" tests="${rs.length}" failures="${count(rs, 'fail')}" errors="${count(rs, 'error')}" skipped="${count(rs, 'skipped')}"`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ${top}>\n${suites.join('\n')}\n</testsuites>\n`;
}
