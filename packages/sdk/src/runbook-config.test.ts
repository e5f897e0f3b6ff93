import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CUT_OFF_ACTION, isCutOffAction, parseRunbookConfig, serviceFor } from './runbook-config.js';

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
