import type { PipelineRecord } from '@hotfix-release/evidence';
import { describe, expect, it } from 'vitest';
import { buildPromotionBundle, clone } from '../../test/policy-fixtures.js';
import { type ControlContext, type OrchestratorExpectation, RUNBOOK_ORCHESTRATOR } from './control-context.js';
import { checkE2 } from './pipeline-controls.js';

const DEPLOY = 'deploy-release-branch-to-staging';
const base = buildPromotionBundle();
const target = base.targets[0]!;
const TARGET = target.project;
const reportedPipeline = target.pipeline!;

function contextFor(pipeline: PipelineRecord, orchestrator: OrchestratorExpectation = RUNBOOK_ORCHESTRATOR) {
  const bundle = clone(base);
  bundle.targets[0]!.pipeline = pipeline;
  const ctx: ControlContext = {
    bundle,
    target: bundle.targets[0],
    targetIndex: 0,
    expected: {
      action: DEPLOY,
      cutoffAction: 'bring-all-code-to-release-branch',
      orchestrationProject: reportedPipeline.project,
      orchestrationRef: reportedPipeline.ref,
      releaseBranch: 'release',
      environment: 'staging',
      label: 'Validated in Staging',
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

const sent = { ref: 'main', inputs: { action: DEPLOY, project: TARGET, confirm: true } };
const observed: NonNullable<PipelineRecord['observed']> = {
  apiUrl: `${reportedPipeline.apiUrl}/jobs`,
  observedAt: reportedPipeline.observedAt,
  jobs: ['confirmation-required', DEPLOY],
  deployFingerprint: [DEPLOY],
  cutOffFingerprint: ['bring-all-code-to-release-branch'],
  downstream: { project: TARGET, pipelineId: 9001, ref: 'release', via: 'trigger-api' },
};
const reported = reportedPipeline.inputs;

/** One record per provenance combination: which of sent / reported / observed it carries. */
function record(has: { sent: boolean; reported: boolean; observed: boolean }): PipelineRecord {
  return {
    ...reportedPipeline,
    inputs: has.reported ? { ...reported } : {},
    ...(has.sent ? { sent: clone(sent) } : {}),
    ...(has.observed ? { observed: clone(observed) } : {}),
  };
}

const statusOf = (p: PipelineRecord, o?: OrchestratorExpectation) => checkE2(contextFor(p, o));

describe('E2 by provenance (sent / reported / observed)', () => {
  // The documented status of every combination; `legacy` is a record without sent and observed.
  const table: [string, { sent: boolean; reported: boolean; observed: boolean }, 'pass' | 'fail', RegExp][] = [
    ['observed only', { sent: false, reported: false, observed: true }, 'pass', /resting on observed/],
    ['sent + observed', { sent: true, reported: false, observed: true }, 'pass', /resting on observed/],
    ['reported + observed', { sent: false, reported: true, observed: true }, 'pass', /resting on observed/],
    ['sent + reported + observed', { sent: true, reported: true, observed: true }, 'pass', /resting on observed/],
    ['sent only', { sent: true, reported: false, observed: false }, 'fail', /^unverified: .*what was sent/],
    ['sent + reported', { sent: true, reported: true, observed: false }, 'fail', /^unverified: .*reported by GitLab/],
    ['legacy reported only', { sent: false, reported: true, observed: false }, 'pass', /ran deploy-release/],
    ['nothing', { sent: false, reported: false, observed: false }, 'fail', /action is not the deploy action/],
  ];
  for (const [name, has, status, message] of table) {
    it(`${name}: ${status}`, () => {
      const o = statusOf(record(has));
      expect(o.status).toBe(status);
      expect(o.message).toMatch(message);
    });
  }

  it('says what would verify an unverified record, and a gate that accepts unverified passes it', () => {
    const p = record({ sent: true, reported: false, observed: false });
    expect(statusOf(p).message).toContain(`jobs matching the deploy fingerprint (${DEPLOY})`);
    const accepting = statusOf(p, { ...RUNBOOK_ORCHESTRATOR, acceptUnverified: true });
    expect(accepting.status).toBe('pass');
    expect(accepting.message).toMatch(/^unverified, accepted by the gate's policy file/);
  });

  it('fails a forged observed record that contradicts what was sent (another target downstream)', () => {
    const p = record({ sent: true, reported: false, observed: true });
    p.observed = { ...observed, downstream: { ...observed.downstream!, project: 'fleet/other-service' } };
    const o = statusOf(p);
    expect(o.status).toBe('fail');
    expect(o.pointer).toBe('/targets/0/pipeline/observed/downstream');
  });

  it('fails when a source contradicts the deploy: sent for another target, reported another action, a cut-off job', () => {
    const otherTarget = record({ sent: true, reported: false, observed: true });
    otherTarget.sent = { ref: 'main', inputs: { ...sent.inputs, project: 'fleet/other-service' } };
    expect(statusOf(otherTarget)).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(/as sent targets another project/),
    });
    const otherAction = record({ sent: true, reported: true, observed: true });
    otherAction.inputs = { ...reported, action: 'deploy-something-else' };
    expect(statusOf(otherAction)).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(/as GitLab reported it/),
    });
    const cutOff = record({ sent: true, reported: false, observed: true });
    cutOff.observed = { ...observed, jobs: [...observed.jobs, 'bring-all-code-to-release-branch'] };
    expect(statusOf(cutOff)).toMatchObject({ status: 'fail', message: expect.stringMatching(/cut-off/) });
  });

  it("judges by the gate's fingerprints, never the ones the bundle records", () => {
    const p = record({ sent: true, reported: false, observed: true });
    // The bundle claims a fingerprint its jobs satisfy; the gate's own does not match them.
    p.observed = { ...observed, jobs: ['anything'], deployFingerprint: ['anything'] };
    expect(statusOf(p)).toMatchObject({ status: 'fail', message: expect.stringMatching(/deploy fingerprint/) });
    const gate = { ...RUNBOOK_ORCHESTRATOR, fingerprints: { deploy: ['/^any/'], cutOff: ['cut'] } };
    expect(statusOf(p, gate).status).toBe('pass');
  });

  it('uses the input names and project value from the gate, not action/project/confirm', () => {
    const p = record({ sent: true, reported: false, observed: true });
    p.sent = { ref: 'main', inputs: { what: DEPLOY, service: TARGET.split('/').pop()!, go: 'true' } };
    const gate: OrchestratorExpectation = {
      ...RUNBOOK_ORCHESTRATOR,
      inputNames: { action: 'what', project: 'service', confirm: 'go' },
      projectValue: 'short-name',
    };
    expect(statusOf(p, gate).status).toBe('pass');
    expect(statusOf(p).status).toBe('fail');
  });
});
