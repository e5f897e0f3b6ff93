import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planGuidedRelease } from './primitives/trigger-guided-release.js';
import {
  CUT_OFF_ACTION,
  isCutOffAction,
  matchesFingerprint,
  orchestratorFor,
  parseRunbookConfig,
  projectInputValue,
  serviceFor,
} from './runbook-config.js';

describe('parseRunbookConfig', () => {
  it("applies the runbook's defaults", () => {
    const cfg = parseRunbookConfig({})._unsafeUnwrap();
    expect(cfg.orchestration).toMatchObject({
      project: 'evenergi/develop',
      inputsVia: 'inputs',
      deployAction: 'deploy-release-branch-to-staging',
      confirmType: 'boolean',
    });
    expect([cfg.releaseBranch, cfg.environment, cfg.label, cfg.governed]).toEqual([
      'release',
      'staging',
      'Validated in Staging',
      true,
    ]);
  });

  it('returns forbidden-action citing S5 when configuration asks for the cut-off action in any disguise', () => {
    for (const action of [
      CUT_OFF_ACTION,
      ' Bring-All-Code-To-Release-Branch ',
      'bring_all_code_to_release_branch',
      'bring‐all‐code‐to‐release‐branch',
      'BRING-ALL-CODE-TO-RELEASE-BRANCH\t',
    ]) {
      const r = parseRunbookConfig({ orchestration: { deployAction: action } });
      expect(r._unsafeUnwrapErr()).toMatchObject({ code: 'forbidden-action', runbookRef: 'S5' });
    }
  });

  it('returns invalid-input naming the field', () => {
    const r = parseRunbookConfig({ services: [{ project: 'not-a-path', smokeChecks: [{ name: 'x', url: 'nope' }] }] });
    const e = r._unsafeUnwrapErr();
    expect(e.code).toBe('invalid-input');
    expect(e.message).toContain('/services/0/project');
    expect(e.message).toContain('/services/0/smokeChecks/0/url');
  });

  it('fills service defaults from the runbook configuration (D5)', () => {
    const cfg = parseRunbookConfig({
      environment: 'stg',
      services: [{ project: 'a/b', releaseBranch: 'release/2' }],
    })._unsafeUnwrap();
    expect(serviceFor(cfg, 'a/b')).toMatchObject({
      releaseBranch: 'release/2',
      environment: 'stg',
      deployJobs: ['deploy-staging'],
    });
    expect(serviceFor(cfg, 'x/y')).toBeUndefined();
    // Found as GitLab finds paths: a service configured as a/b is the MR's A/B (its smoke checks are not lost).
    expect(serviceFor(cfg, 'A/B')).toMatchObject({ project: 'a/b', releaseBranch: 'release/2' });
    const twice = parseRunbookConfig({ services: [{ project: 'a/b' }, { project: 'A/b' }] })._unsafeUnwrapErr();
    expect(twice.message).toContain('/services/1/project');
  });
});

describe('isCutOffAction', () => {
  it('is true for every case/whitespace variant and false for other actions', () => {
    fc.assert(
      fc.property(
        fc.array(fc.boolean(), { minLength: CUT_OFF_ACTION.length, maxLength: CUT_OFF_ACTION.length }),
        fc.constantFrom('', ' ', '\n', '\u200b'),
        (upper, pad) => {
          const variant = [...CUT_OFF_ACTION].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join('');
          return isCutOffAction(`${pad}${variant}${pad}`);
        },
      ),
      { seed: 42, numRuns: 300 },
    );
    expect(isCutOffAction('deploy-release-branch-to-staging')).toBe(false);
  });
});

describe('orchestrator profile (orchestration)', () => {
  it("defaults to the runbook's orchestrator: full path, its deploy and cut-off fingerprints, bridge then trigger API", () => {
    const o = parseRunbookConfig({})._unsafeUnwrap().orchestration;
    expect(o.projectValue).toBe('full-path');
    expect(o.fingerprints).toEqual({
      deploy: ['deploy-release-branch-to-staging'],
      cutOff: ['bring-all-code-to-release-branch', 'deploy-after-cut-off'],
    });
    expect(o.downstream.reach).toEqual(['bridge', 'trigger-api']);
  });

  it('lets a service override the project value, fingerprints and downstream; others keep the defaults', () => {
    const cfg = parseRunbookConfig({
      orchestration: { projectValue: 'short-name' },
      services: [
        {
          project: 'g/billing-api',
          orchestration: {
            projectValue: { map: { 'g/billing-api': 'billing' } },
            fingerprints: { deploy: ['/^deploy-/'] },
          },
        },
        { project: 'g/charging-api' },
      ],
    })._unsafeUnwrap();
    const billing = orchestratorFor(cfg, 'g/billing-api');
    expect(projectInputValue(billing, 'g/billing-api')._unsafeUnwrap()).toBe('billing');
    expect(billing.fingerprints.deploy).toEqual(['/^deploy-/']);
    expect(billing.fingerprints.cutOff).toEqual(cfg.orchestration.fingerprints.cutOff);
    expect(projectInputValue(orchestratorFor(cfg, 'g/charging-api'), 'g/charging-api')._unsafeUnwrap()).toBe(
      'charging-api',
    );
    const sent = planGuidedRelease(cfg, 'g/charging-api')._unsafeUnwrap().body;
    expect(sent).toMatchObject({ inputs: { project: 'charging-api', action: 'deploy-release-branch-to-staging' } });
    expect(planGuidedRelease(cfg, 'g/billing-api')._unsafeUnwrap().body).toMatchObject({
      inputs: { project: 'billing' },
    });
    const missing = projectInputValue(billing, 'g/other')._unsafeUnwrapErr();
    expect(missing).toMatchObject({ code: 'invalid-input', runbookRef: 'S4' });
    expect(missing.message).toContain('orchestration.projectValue.map');
  });

  it('matches fingerprints by exact name or /regex/, and refuses an invalid pattern naming the field', () => {
    expect(matchesFingerprint('deploy-release-branch-to-staging', 'deploy-release-branch-to-staging')).toBe(true);
    expect(matchesFingerprint('deploy-release-branch-to-staging-2', 'deploy-release-branch-to-staging')).toBe(false);
    expect(matchesFingerprint('deploy-eu', '/^deploy-(eu|us)$/')).toBe(true);
    expect(matchesFingerprint('deploy-asia', '/^deploy-(eu|us)$/')).toBe(false);
    const e = parseRunbookConfig({ orchestration: { fingerprints: { deploy: ['/(/'], cutOff: ['x'] } } });
    expect(e._unsafeUnwrapErr().message).toContain('/orchestration/fingerprints/deploy/0');
    const unknown = parseRunbookConfig({ orchestration: { downstream: { reach: ['carrier-pigeon'] } } });
    expect(unknown._unsafeUnwrapErr().message).toContain('/orchestration/downstream');
  });
});
