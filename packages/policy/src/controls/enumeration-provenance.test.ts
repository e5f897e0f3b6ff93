import type { EnumeratedPipeline, EnumerationRecord } from '@hotfix-release/evidence';
import { describe, expect, it } from 'vitest';
import { buildPromotionBundle, clone, documentedProvenance } from '../../test/policy-fixtures.js';
import { type ControlContext, type OrchestratorExpectation, RUNBOOK_ORCHESTRATOR } from './control-context.js';
import { checkE3 } from './enumeration-controls.js';

const base = buildPromotionBundle();
const TARGET = base.targets[0]!.project;
const OWN = base.targets[0]!.pipeline!.id;
const enumeration = base.targets[0]!.enumeration!;
const ORCHESTRATION = base.targets[0]!.pipeline!.project;
const IN_WINDOW = '2026-11-30T01:03:00.000Z';

function contextFor(e: EnumerationRecord, orchestrator: OrchestratorExpectation = RUNBOOK_ORCHESTRATOR) {
  const bundle = clone(base);
  bundle.targets[0]!.enumeration = e;
  const ctx: ControlContext = {
    bundle,
    target: bundle.targets[0],
    targetIndex: 0,
    expected: {
      action: 'deploy-release-branch-to-staging',
      cutoffAction: 'bring-all-code-to-release-branch',
      orchestrationProject: ORCHESTRATION,
      orchestrationRef: 'main',
      releaseBranch: 'release',
      sources: {},
      allowUnsigned: false,
      orchestrator,
    },
    nowMs: 0,
    maxEvidenceAgeMs: 1,
    futureSkewMs: 0,
    integrity: { raw: bundle, keysConfigured: false, signatureRequired: false, envelope: null },
  };
  return ctx;
}

const own: EnumeratedPipeline = enumeration.pipelines!.find((p) => p.id === OWN)!;
const pipeline = (id: number, extra: Partial<EnumeratedPipeline> = {}): EnumeratedPipeline => ({
  id,
  createdAt: IN_WINDOW,
  classification: 'other',
  basis: 'observed',
  ...extra,
});

/** The fixture's enumeration with these pipelines besides the promotion's own (and fields changed). */
function withPipelines(others: EnumeratedPipeline[], extra: Partial<EnumerationRecord> = {}): EnumerationRecord {
  return { ...clone(enumeration), pipelines: [own, ...others], ...extra };
}

const judge = (e: EnumerationRecord, o?: OrchestratorExpectation) => checkE3(contextFor(e, o));
const ACCEPT: OrchestratorExpectation = { ...RUNBOOK_ORCHESTRATOR, acceptUnverified: true };
const { pipelines: _p, outsideWindow: _o, ...legacy } = enumeration;

describe('E3 by provenance (classified pipelines of the window)', () => {
  // The documented status of every combination (docs/policy-in-ci.md, "E2 and E3 by provenance").
  const table: [string, EnumerationRecord, 'pass' | 'fail' | 'error' | 'unverified', RegExp][] = [
    ['every pipeline observed, no cut-off', withPipelines([pipeline(4001)]), 'pass', /resting on observed/],
    [
      'cut-off observed for this target',
      withPipelines(
        [pipeline(4001, { classification: 'cut-off', matched: ['deploy-after-cut-off'], target: TARGET })],
        {
          offendingPipelineIds: [4001],
        },
      ),
      'fail',
      /cut-off pipeline\(s\) ran for fleet\/charging-api .*4001 \(jobs deploy-after-cut-off/,
    ],
    [
      'classified cut-off missing from offending ids',
      withPipelines([pipeline(4001, { classification: 'cut-off' })]),
      'fail',
      /4001 missing from offendingPipelineIds \(the bundle cannot talk a cut-off away\)/,
    ],
    [
      'cut-off job under "other", by the gate’s fingerprint',
      withPipelines([pipeline(4001, { matched: ['bring-all-code-to-release-branch'] })]),
      'fail',
      /4001 \(jobs bring-all-code-to-release-branch, target unknown\)/,
    ],
    [
      'cut-off for another target only',
      withPipelines([pipeline(4001, { classification: 'cut-off', target: 'fleet/billing-api' })]),
      'pass',
      /cut-off for other targets: 4001/,
    ],
    [
      'offending ids without a classified cut-off',
      withPipelines([pipeline(4001)], { offendingPipelineIds: [4001] }),
      'fail',
      /cut-off pipeline\(s\) ran in the promotion window: 4001/,
    ],
    [
      'unreadable pipelines',
      withPipelines([pipeline(4001, { classification: 'unreadable', reason: 'HTTP 403 on its jobs' })]),
      'unverified',
      /4001 \(unreadable: HTTP 403 on its jobs\).*what would verify it: reading their jobs/,
    ],
    [
      'classified on what GitLab reported',
      withPipelines([pipeline(4001, { basis: 'reported' })]),
      'unverified',
      /4001 \(other on what GitLab reported\)/,
    ],
    [
      'unreadable next to a cut-off',
      withPipelines([
        pipeline(4001, { classification: 'unreadable', reason: 'HTTP 403' }),
        pipeline(4002, { classification: 'cut-off', target: TARGET }),
      ]),
      'fail',
      /4002/,
    ],
    [
      'pipeline outside the window',
      withPipelines([pipeline(4001, { createdAt: '2026-11-29T23:00:00.000Z' })]),
      'error',
      /pipeline 4001 was created at .* outside the window .*contradicts itself/,
    ],
    [
      'more pipelines than examined',
      withPipelines([pipeline(4001)], { pipelinesExamined: 1 }),
      'error',
      /classifies 2 pipelines but says it examined 1/,
    ],
    ['a pipeline listed twice', withPipelines([pipeline(4001), pipeline(4001)]), 'error', /4001 is classified twice/],
    [
      'own pipeline missing',
      { ...clone(enumeration), pipelines: [pipeline(4001)] },
      'error',
      /does not contain the promotion's own pipeline 5000/,
    ],
    [
      'own pipeline missing from an empty list',
      { ...clone(enumeration), pipelines: [] },
      'error',
      /does not contain the promotion's own pipeline/,
    ],
    [
      'own pipeline classified cut-off',
      { ...clone(enumeration), pipelines: [{ ...own, classification: 'cut-off', matched: ['deploy-after-cut-off'] }] },
      'fail',
      /own pipeline 5000 is classified as a cut-off run \(S5\): jobs deploy-after-cut-off/,
    ],
    [
      'own pipeline classified other by the SDK, its observed jobs a deploy by the gate',
      { ...clone(enumeration), pipelines: [{ ...own, classification: 'other' }] },
      'pass',
      /no cut-off pipeline/,
    ],
    [
      'legacy enumeration (no classified pipelines)',
      legacy as EnumerationRecord,
      'unverified',
      /does not classify them \(an older SDK\).*names or variables GitLab reported/,
    ],
    [
      'legacy enumeration with offending ids',
      { ...(legacy as EnumerationRecord), offendingPipelineIds: [4001] },
      'fail',
      /ran in the promotion window: 4001/,
    ],
  ];
  for (const [name, record, status, message] of table) {
    it(`${name}: ${status}`, () => {
      const o = judge(record);
      expect(o.status).toBe(status);
      expect(o.message).toMatch(message);
      expect(o.accepted).toBeUndefined();
    });
  }

  it('the table is the one documented in docs/policy-in-ci.md', () => {
    expect(new Map(table.map(([name, , status]) => [name, status]))).toEqual(documentedProvenance('E3'));
  });

  it('a gate that accepts unverified marks unverified E3 accepted (never pass) and still fails a cut-off', () => {
    const unreadable = withPipelines([pipeline(4001, { classification: 'unreadable', reason: 'HTTP 403' })]);
    expect(judge(unreadable, ACCEPT)).toMatchObject({
      status: 'unverified',
      accepted: true,
      message: expect.stringMatching(/^unverified, accepted by the gate's policy file/),
    });
    expect(judge(legacy as EnumerationRecord, ACCEPT)).toMatchObject({ status: 'unverified', accepted: true });
    const cutOff = withPipelines([pipeline(4001, { classification: 'cut-off' })]);
    expect(judge(cutOff, ACCEPT).status).toBe('fail');
  });

  it("fails an own pipeline classified other that is no deploy by the gate's fingerprint either", () => {
    const other = { ...clone(enumeration), pipelines: [{ ...own, classification: 'other' as const }] };
    const gate: OrchestratorExpectation = {
      ...RUNBOOK_ORCHESTRATOR,
      fingerprints: { ...RUNBOOK_ORCHESTRATOR.fingerprints, deploy: ['no-such-job'] },
    };
    expect(judge(other, gate)).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(/own pipeline 5000 is classified "other".*no-such-job/),
    });
  });

  it("judges with the gate's cut-off fingerprint and project value, per service", () => {
    const renamed = withPipelines([pipeline(4001, { matched: ['promote-everything'], target: 'charging-api' })]);
    expect(judge(renamed).status).toBe('pass');
    const gate: OrchestratorExpectation = {
      ...RUNBOOK_ORCHESTRATOR,
      services: { [TARGET]: { fingerprints: { cutOff: ['/^promote-every/'] }, projectValue: 'short-name' } },
    };
    expect(judge(renamed, gate)).toMatchObject({ status: 'fail', actual: [4001] });
    // Aimed at another service by the gate's project value: not this target's cut-off.
    const aimedElsewhere = withPipelines([pipeline(4001, { matched: ['promote-everything'], target: 'billing-api' })]);
    expect(judge(aimedElsewhere, gate).status).toBe('pass');
  });
});
