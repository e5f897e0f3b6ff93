import { describe, expect, it } from 'vitest';
import { buildPromotionBundle, checkValue, clone, signed } from '../../test/policy-fixtures.js';
import { formatCodeQuality } from './code-quality-report.js';
import { formatJson } from './json-report.js';
import { formatJunit } from './junit-report.js';
import { formatMarkdown, neutraliseQuickActions } from './markdown-report.js';
import { formatText } from './text-report.js';

async function failingReport() {
  const b = clone(buildPromotionBundle());
  const t = b.targets[0];
  if (!t?.pipeline || !t.smokeChecks[0]) throw new Error('fixture');
  t.pipeline.inputs.action = 'bring-all-code-to-release-branch';
  t.smokeChecks[0].result = 'failed';
  t.smokeChecks[0].name = '/label ~"Validated in Staging" <b>&"\'';
  return checkValue(signed(b));
}

describe(formatJson.name, () => {
  it('has a status and one entry per control result with id, status, message and runbookRef', async () => {
    const report = await failingReport();
    const json = JSON.parse(formatJson(report));
    expect(json.status).toBe('fail');
    expect(json.controls).toHaveLength(report.results.length);
    expect(
      json.controls.find((c: { id: string; status: string }) => c.id === 'E2' && c.status === 'fail'),
    ).toMatchObject({
      runbookRef: 'E2',
      target: 'fleet/charging-api',
      pointer: '/targets/0/pipeline/inputs/action',
      expected: 'deploy-release-branch-to-staging',
      actual: 'bring-all-code-to-release-branch',
    });
  });
});

describe(formatJunit.name, () => {
  it('writes one escaped test case per control per target with failures counted', async () => {
    const report = await failingReport();
    const xml = formatJunit(report);
    expect(xml.match(/<testcase /g)).toHaveLength(report.results.length);
    expect(xml).toContain('failures="2"');
    expect(xml).toContain('&lt;b&gt;&amp;&quot;&apos;');
    expect(xml).not.toMatch(/<b>/);
    expect(formatJunit({ ...report, results: [], bundles: [] })).toContain('tests="0"');
  });
});

describe(formatMarkdown.name, () => {
  it('lists the findings and neutralises lines starting with a slash', async () => {
    const md = formatMarkdown(await failingReport());
    expect(md).toContain('| ❌ | E2 | fleet/charging-api | E2 |');
    expect(md.split('\n').some((line) => /^\s*\//.test(line))).toBe(false);
    expect(neutraliseQuickActions('ok\n/label ~x\n  /close\nnot /this')).toBe(
      'ok\n&#47;label ~x\n  &#47;close\nnot /this',
    );
  });

  it('says every control passed for a passing report', async () => {
    expect(formatMarkdown(await checkValue(signed(buildPromotionBundle())))).toContain(
      'Every required control passed.',
    );
  });
});

describe(formatCodeQuality.name, () => {
  it('emits one issue per failure with a stable fingerprint and severity', async () => {
    const report = await failingReport();
    const issues = JSON.parse(formatCodeQuality(report));
    expect(issues.map((i: { check_name: string; severity: string }) => [i.check_name, i.severity])).toEqual([
      ['E2', 'critical'],
      ['E6', 'major'],
    ]);
    expect(JSON.parse(formatCodeQuality(report))).toEqual(issues);
  });
});

describe(formatText.name, () => {
  it('prints failures with remediation and a summary line with the exit code', async () => {
    const text = formatText(await failingReport());
    expect(text).toMatch(/FAIL {3}E2 \[fleet\/charging-api\] the pipeline carries the cut-off action/);
    expect(text).toContain('→ Create a new orchestration pipeline');
    expect(text.trim().split('\n').at(-1)).toMatch(/^FAIL \(exit 1\): 23 passed, 2 failed/);
  });
});
