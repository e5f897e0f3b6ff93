import type { PipelineRecord } from '@hotfix-release/evidence';
import { describe, expect, it } from 'vitest';
import { buildPromotionBundle, clone, documentedProvenance } from '../../test/policy-fixtures.js';
import { type ControlContext, type OrchestratorExpectation, RUNBOOK_ORCHESTRATOR } from './control-context.js';
import { checkE2 } from './pipeline-controls.js';

const DEPLOY = 'deploy-release-branch-to-staging';
const base = buildPromotionBundle();
const target = base.targets[0]!;
const TARGET = target.project;
// The fixture's record carries every source; each combination below starts from the reported part only.
const { sent: _sent, observed: _observed, ...reportedPipeline } = target.pipeline!;

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
  // The documented status of every combination (docs/policy-in-ci.md, "E2 and E3 by provenance", checked
  // below); `reported only` is also what a legacy record (before sent/observed existed) holds.
  type Has = { sent: boolean; reported: boolean; observed: boolean };
  type Row = [string, () => PipelineRecord, 'pass' | 'fail' | 'unverified', RegExp];
  const only = (has: Has) => () => record(has);
  const changed = (has: Has, change: (p: PipelineRecord) => void) => () => {
    const p = record(has);
    change(p);
    return p;
  };
  const all = { sent: true, reported: true, observed: true };
  const table: Row[] = [
    ['observed only', only({ sent: false, reported: false, observed: true }), 'pass', /resting on observed/],
    ['sent + observed', only({ sent: true, reported: false, observed: true }), 'pass', /resting on observed/],
    ['reported + observed', only({ sent: false, reported: true, observed: true }), 'pass', /resting on observed/],
    ['sent + reported + observed', only(all), 'pass', /resting on observed/],
    ['sent only', only({ sent: true, reported: false, observed: false }), 'unverified', /rests only on what was sent,/],
    [
      'sent + reported agree',
      only({ sent: true, reported: true, observed: false }),
      'unverified',
      /rests only on what was sent and reported by GitLab/,
    ],
    [
      'reported only (legacy)',
      only({ sent: false, reported: true, observed: false }),
      'unverified',
      /rests only on what was reported by GitLab/,
    ],
    [
      'observed jobs without a downstream',
      changed(all, (p) => {
        p.observed = { ...observed, downstream: null };
      }),
      'unverified',
      /observed without a downstream in the target/,
    ],
    ['nothing', only({ sent: false, reported: false, observed: false }), 'fail', /action is not the deploy action/],
    [
      'reported contradicting sent',
      changed({ sent: true, reported: true, observed: false }, (p) => {
        p.inputs = { ...reported, project: 'fleet/other-service' };
      }),
      'fail',
      /as GitLab reported it targets another project/,
    ],
    [
      'observed contradicting sent (downstream in another target)',
      changed({ sent: true, reported: false, observed: true }, (p) => {
        p.observed = { ...observed, downstream: { ...observed.downstream!, project: 'fleet/other-service' } };
      }),
      'fail',
      /observably deployed another project/,
    ],
    [
      'cut-off fingerprint job observed',
      changed(all, (p) => {
        p.observed = { ...observed, jobs: [...observed.jobs, 'deploy-after-cut-off'] };
      }),
      'fail',
      /observably ran the cut-off \(S5\): job\(s\) deploy-after-cut-off/,
    ],
  ];
  for (const [name, build, status, message] of table) {
    it(`${name}: ${status}, refused by default and only marked accepted by an accepting gate`, () => {
      const o = statusOf(build());
      expect(o.status).toBe(status);
      expect(o.message).toMatch(message);
      expect(o.accepted).toBeUndefined();
      const accepting = statusOf(build(), { ...RUNBOOK_ORCHESTRATOR, acceptUnverified: true });
      expect(accepting.status).toBe(status);
      expect(accepting.accepted).toBe(status === 'unverified' ? true : undefined);
    });
  }

  it('the table is the one documented in docs/policy-in-ci.md', () => {
    const documented = documentedProvenance('E2');
    expect(new Map(table.map(([name, , status]) => [name, status]))).toEqual(documented);
  });

  it('says what would verify an unverified record; a gate that accepts unverified marks it accepted, never pass', () => {
    for (const has of [
      { sent: true, reported: false, observed: false },
      { sent: false, reported: true, observed: false },
    ]) {
      const p = record(has);
      const refused = statusOf(p);
      expect(refused).toMatchObject({ status: 'unverified', pointer: '/targets/0/pipeline/observed' });
      expect(refused.message).toContain(`jobs matching the deploy fingerprint (${DEPLOY})`);
      expect(refused.message).toContain('orchestration.acceptUnverified');
      const accepting = statusOf(p, { ...RUNBOOK_ORCHESTRATOR, acceptUnverified: true });
      expect(accepting).toMatchObject({ status: 'unverified', accepted: true });
      expect(accepting.message).toMatch(/^unverified, accepted by the gate's policy file/);
    }
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

  it('judges each target by its service overrides: an explicit project value map, per-service input names and fingerprints', () => {
    const short = TARGET.split('/').pop()!;
    const p = record({ sent: true, reported: false, observed: true });
    p.sent = { ref: 'main', inputs: { what: DEPLOY, service: `svc-${short}`, go: 'true' } };
    p.observed = { ...observed, jobs: ['trigger-deploy'] };
    const gate: OrchestratorExpectation = {
      ...RUNBOOK_ORCHESTRATOR,
      services: {
        [TARGET]: {
          inputNames: { action: 'what', project: 'service', confirm: 'go' },
          projectValue: { map: { [TARGET]: `svc-${short}` } },
          fingerprints: { deploy: ['/^trigger-/'] },
        },
        'fleet/other-service': { projectValue: 'short-name' },
      },
    };
    expect(statusOf(p, gate).status).toBe('pass');
    // The same overrides under another service's key do not apply to this target.
    const elsewhere = { ...RUNBOOK_ORCHESTRATOR, services: { 'fleet/other-service': gate.services![TARGET]! } };
    expect(statusOf(p, elsewhere).status).toBe('fail');
    // The map's value is the yardstick: the full path sent to a map-valued orchestrator fails.
    const mapped = { ...RUNBOOK_ORCHESTRATOR, projectValue: { map: { [TARGET]: `svc-${short}` } } };
    expect(statusOf(record({ sent: true, reported: false, observed: true }), mapped)).toMatchObject({
      status: 'fail',
      expected: `svc-${short}`,
      actual: TARGET,
    });
  });

  it('a project value map without the target is an error (a missing expectation), never the bundle’s word', () => {
    const gate = { ...RUNBOOK_ORCHESTRATOR, projectValue: { map: { 'fleet/other-service': 'other' } } };
    expect(() => statusOf(record({ sent: true, reported: false, observed: true }), gate)).toThrow(
      /project input of fleet\/charging-api: .*orchestration\.projectValue\.map .*has no entry/,
    );
  });
});
