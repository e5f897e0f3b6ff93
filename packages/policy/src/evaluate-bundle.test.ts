import { describe, expect, it } from 'vitest';
import { buildPromotionBundle } from '../test/policy-fixtures.js';
import { controlDefinition } from './control-catalog.js';
import { type ControlContext, RUNBOOK_ORCHESTRATOR } from './controls/control-context.js';
import { runControl } from './evaluate-bundle.js';
import { exitCodeFor } from './exit-code.js';

const bundle = buildPromotionBundle();
const ctx: ControlContext = {
  bundle,
  target: bundle.targets[0],
  targetIndex: 0,
  expected: {
    action: 'a',
    cutoffAction: 'c',
    orchestrationProject: 'x/y',
    releaseBranch: 'release',
    environment: 'staging',
    label: 'L',
    sources: {},
    allowUnsigned: false,
    orchestrator: RUNBOOK_ORCHESTRATOR,
  },
  nowMs: 0,
  maxEvidenceAgeMs: 1,
  futureSkewMs: 0,
  integrity: { raw: bundle, keysConfigured: false, signatureRequired: false, envelope: null },
};

describe(runControl.name, () => {
  it('returns error, not a crash or a pass, when a control throws', () => {
    const o = runControl(
      controlDefinition('E6'),
      () => {
        throw new TypeError('boom');
      },
      ctx,
      () => undefined,
      'fleet/charging-api',
    );
    expect(o).toEqual({ status: 'error', message: 'control threw: boom', pointer: '' });
  });

  it('returns error when a dependency could not be evaluated', () => {
    const dep = { status: 'error' } as never;
    const o = runControl(
      controlDefinition('E5'),
      () => ({ status: 'pass', message: '', pointer: '' }),
      ctx,
      (id) => (id === 'E1' ? dep : undefined),
      'fleet/charging-api',
    );
    expect(o.status).toBe('error');
    expect(o.message).toContain('E1');
  });
});

describe(exitCodeFor.name, () => {
  it('maps zero evaluated controls to 2, never 0', () => {
    expect(exitCodeFor([])).toBe(2);
    expect(exitCodeFor([{ status: 'not_applicable' } as never])).toBe(2);
  });
});
