import { describe, expect, it } from 'vitest';
import {
  baseOptions,
  buildPromotionBundle,
  checkValue,
  clone,
  FIXTURE_NOW,
  FIXTURE_POLICY,
  signed,
} from '../test/policy-fixtures.js';
import { buildReport } from './check-report.js';
import type { ControlResult } from './control-result.js';
import { exitCodeFor } from './exit-code.js';
import { withBasis } from './expectations.js';
import { formatCodeQuality } from './reporters/code-quality-report.js';
import { renderHtmlReport } from './reporters/html-report.js';
import { formatJson } from './reporters/json-report.js';
import { formatJunit } from './reporters/junit-report.js';
import { formatMarkdown } from './reporters/markdown-report.js';
import { formatText } from './reporters/text-report.js';
import { applyWaivers, type Waiver } from './waivers.js';

/** The fixture as an older SDK wrote it: E2 on what was reported, E3 without classified pipelines. */
function legacyBundle() {
  const b = clone(buildPromotionBundle());
  for (const t of b.targets) {
    delete t.pipeline?.sent;
    delete t.pipeline?.observed;
    delete t.enumeration?.pipelines;
    delete t.enumeration?.outsideWindow;
  }
  return signed(b);
}

const accepting = {
  ...baseOptions,
  policy: { ...FIXTURE_POLICY, orchestration: { ...FIXTURE_POLICY.orchestration, acceptUnverified: true } },
};
const unverifiedIds = (r: { results: readonly ControlResult[] }) =>
  r.results.filter((x) => x.status === 'unverified').map((x) => `${x.id}@${x.target}`);

describe('unverified, refused by default', () => {
  it('exits 1 and counts E2 and E3 of each target as unverified, never pass', async () => {
    const r = await checkValue(legacyBundle());
    expect(r.exitCode).toBe(1);
    expect(r.status).toBe('fail');
    expect(unverifiedIds(r).sort()).toEqual([
      'E2@fleet/billing-api',
      'E2@fleet/charging-api',
      'E3@fleet/billing-api',
      'E3@fleet/charging-api',
    ]);
    expect(r.summary.unverified).toBe(4);
    expect(r.summary.fail).toBe(0);
    expect(r.results.filter((x) => x.status === 'unverified').every((x) => x.accepted === undefined)).toBe(true);
    expect(r.notices).toEqual([]);
  });

  it('every reporter shows it as unverified: text, JUnit failure, Markdown, JSON, Code Quality, HTML', async () => {
    const r = await checkValue(legacyBundle());
    const text = formatText(r);
    expect(text).toMatch(/ {2}UNVERIFIED E3 \[fleet\/charging-api\] .*older SDK/);
    expect(text).toMatch(/4 unverified, 0 waived/);
    const xml = formatJunit(r);
    expect(xml).toMatch(/<testsuites [^>]*failures="4"/);
    expect(xml).toMatch(/<failure message="unverified: [^"]*" type="E2 unverified">/);
    expect(formatMarkdown(r)).toMatch(/\| ❔ unverified \| E3 \| fleet\/charging-api \|/);
    const json = JSON.parse(formatJson(r)) as { controls: { id: string; status: string; accepted?: boolean }[] };
    expect(json.controls.filter((c) => c.status === 'unverified')).toHaveLength(4);
    expect(json.controls.some((c) => c.accepted)).toBe(false);
    const cq = JSON.parse(formatCodeQuality(r)) as { check_name: string; severity: string }[];
    expect(cq.map((i) => `${i.check_name}:${i.severity}`).sort()).toEqual([
      'E2:major',
      'E2:major',
      'E3:major',
      'E3:major',
    ]);
    const html = renderHtmlReport([{ name: 'evidence.json', value: legacyBundle() }], r);
    expect(html).toContain('<tr class="row-unverified">');
    expect(html).toContain('UNVERIFIED</span>');
    expect(html).toContain('4 unverified');
    expect(html).toMatch(/<g class="step unverified">/);
  });
});

describe('unverified, accepted by the gate’s policy file', () => {
  it('exits 0 yet shows UNVERIFIED (accepted) and leads with a notice naming each result', async () => {
    const r = await checkValue(legacyBundle(), accepting);
    expect(r.exitCode).toBe(0);
    expect(unverifiedIds(r)).toHaveLength(4);
    expect(r.results.filter((x) => x.status === 'unverified').every((x) => x.accepted === true)).toBe(true);
    expect(r.summary.pass).toBe(r.results.filter((x) => x.status === 'pass').length);
    expect(r.notices).toHaveLength(1);
    expect(r.notices[0]).toMatch(/^UNVERIFIED accepted by the gate's policy file .*E2 \[fleet\/charging-api\]/);
    const text = formatText(r);
    expect(text.split('\n')[0]).toMatch(/^NOTICE UNVERIFIED accepted/);
    expect(text).toMatch(/UNVERIFIED \(accepted\) E2 \[fleet\/charging-api\]/);
    expect(text).not.toMatch(/PASS +E[23] /);
    expect(text.trim().split('\n').at(-1)).toMatch(/^PASS \(exit 0\): .*4 unverified \(4 accepted\)/);
    const xml = formatJunit(r);
    expect(xml).toMatch(/<testsuites [^>]*failures="0"/);
    expect(xml).toMatch(/<skipped message="unverified \(accepted by the gate&apos;s policy file\): /);
    expect(formatMarkdown(r)).toMatch(/> \*\*UNVERIFIED accepted/);
    expect(formatMarkdown(r)).toMatch(/❔ unverified \(accepted\)/);
    const json = JSON.parse(formatJson(r)) as { controls: { status: string; accepted?: boolean }[] };
    expect(json.controls.filter((c) => c.accepted === true)).toHaveLength(4);
    const cq = JSON.parse(formatCodeQuality(r)) as { severity: string }[];
    expect(cq.map((i) => i.severity)).toEqual(['info', 'info', 'info', 'info']);
    const html = renderHtmlReport([{ name: 'evidence.json', value: legacyBundle() }], r);
    expect(html).toContain('UNVERIFIED (accepted)');
    expect(html).toContain('class="banner" role="note"><strong>UNVERIFIED accepted');
  });

  it('the honest bundle with observed provenance passes with no unverified result and no notice', async () => {
    const r = await checkValue(signed(clone(buildPromotionBundle())));
    expect(r.exitCode).toBe(0);
    expect(r.summary.unverified).toBe(0);
    expect(r.results.find((x) => x.id === 'E3')?.message).toMatch(/resting on observed/);
  });
});

describe('unverified with waivers, basis and the exit code', () => {
  const result = (over: Partial<ControlResult>): ControlResult => ({
    id: 'E6',
    title: 't',
    runbookRef: 'E6',
    remediation: 'r',
    bundle: 'b',
    target: 'fleet/charging-api',
    status: 'unverified',
    message: 'rests on what was reported',
    pointer: '/targets/0',
    ...over,
  });
  const bundle = buildPromotionBundle();
  const waiver = (expiresAt: string): Waiver => ({
    control: 'E6',
    scope: { project: 'fleet/charging-api' },
    reason: 'smoke endpoint down, checked by hand',
    approver: 'lead',
    expiresAt,
  });

  it('a live waiver covers an unverified result like a failed one; an expired one makes it fail', () => {
    const now = Date.parse(FIXTURE_NOW);
    const [waived] = applyWaivers([result({ accepted: true })], [waiver('2099-01-01T00:00:00.000Z')], bundle, now);
    expect(waived).toMatchObject({ status: 'waived', message: expect.stringMatching(/\(was: rests on/) });
    expect(waived?.accepted).toBeUndefined();
    const [expired] = applyWaivers([result({})], [waiver('2020-01-01T00:00:00.000Z')], bundle, now);
    expect(expired).toMatchObject({ status: 'fail', message: expect.stringMatching(/expired .*\(unverified: /) });
  });

  it('refused unverified exits 1, accepted exits 0, alone it still counts as evaluated', () => {
    expect(exitCodeFor([result({})])).toBe(1);
    expect(exitCodeFor([result({ accepted: true })])).toBe(0);
    expect(exitCodeFor([result({ accepted: true }), result({ status: 'error' })])).toBe(2);
    expect(buildReport([{ name: 'b', digest: null, results: [result({})] }], FIXTURE_NOW).summary.unverified).toBe(1);
  });

  it('never rests on live facts: live-facts re-reads none of what would verify it', () => {
    const live = result({ id: 'live-facts', status: 'pass' });
    const [e2] = withBasis([result({ id: 'E2' }), live]);
    expect(e2?.basis).toBe("the bundle's word");
    const [passing] = withBasis([result({ id: 'E2', status: 'pass' }), live]);
    expect(passing?.basis).toBe('live facts');
  });
});
