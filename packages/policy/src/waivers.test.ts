import { describe, expect, it } from 'vitest';
import { baseOptions, buildPromotionBundle, checkValue, clone, signed } from '../test/policy-fixtures.js';
import { checkBundles } from './check-bundles.js';
import { parseWaivers } from './waivers.js';

function smokeFailed(): unknown {
  const b = clone(buildPromotionBundle());
  const check = b.targets[0]?.smokeChecks[0];
  if (check) check.result = 'failed';
  return signed(b);
}

const waiver = (over: Record<string, unknown> = {}) => ({
  version: 1,
  waivers: [
    {
      control: 'E6',
      scope: { project: 'fleet/charging-api', mr: 'fleet/charging-api!42' },
      reason: 'flaky upstream sandbox, tracked in OPS-1234',
      approver: 'lead.bob',
      expiresAt: '2026-12-01T00:00:00.000Z',
      ...over,
    },
  ],
});

describe(parseWaivers.name, () => {
  it('returns unknown-control for an id not in the catalog', () => {
    expect(parseWaivers(waiver({ control: 'E9' }))._unsafeUnwrapErr()).toMatchObject({
      code: 'unknown-control',
      details: { pointer: '/waivers/0/control' },
    });
  });

  it('returns control-not-waivable for a control that may not be waived', () => {
    expect(parseWaivers(waiver({ control: 'E3' }))._unsafeUnwrapErr()).toMatchObject({
      code: 'control-not-waivable',
      runbookRef: 'E3',
    });
  });

  it('returns invalid-waivers naming the field for a missing scope, bad expiry or bad JSON', () => {
    expect(parseWaivers(waiver({ scope: {} }))._unsafeUnwrapErr()).toMatchObject({
      code: 'invalid-waivers',
      details: { issues: [{ pointer: '/waivers/0/scope' }] },
    });
    expect(parseWaivers(waiver({ expiresAt: 'tomorrow' }))._unsafeUnwrapErr()).toMatchObject({
      details: { issues: [{ pointer: '/waivers/0/expiresAt' }] },
    });
    expect(parseWaivers('{"version":')._unsafeUnwrapErr().code).toBe('invalid-waivers');
  });
});

describe('waivers in checkBundles', () => {
  it('turns the matching failure into waived (exit 0) and records the approver', async () => {
    const report = await checkValue(smokeFailed(), {
      ...baseOptions,
      waiverSource: 'protected-ref',
      waivers: JSON.stringify(waiver()),
    });
    const e6 = report.results.filter((r) => r.id === 'E6');
    expect(e6.map((r) => r.status)).toEqual(['waived', 'pass']);
    expect(e6[0]?.waiver).toMatchObject({ approver: 'lead.bob', expired: false });
    expect(report.exitCode).toBe(0);
  });

  it('applies a waiver scoped to the same project and MR in another casing (GitLab paths are case-insensitive)', async () => {
    const report = await checkValue(smokeFailed(), {
      ...baseOptions,
      waiverSource: 'protected-ref',
      waivers: waiver({ scope: { project: 'Fleet/Charging-API', mr: 'FLEET/charging-api!42' } }),
    });
    expect(report.results.filter((r) => r.id === 'E6').map((r) => r.status)).toEqual(['waived', 'pass']);
    expect(report.exitCode).toBe(0);
  });

  it('does not apply a waiver whose scope does not match', async () => {
    const report = await checkValue(smokeFailed(), {
      ...baseOptions,
      waiverSource: 'protected-ref',
      waivers: waiver({ scope: { project: 'fleet/billing-api' } }),
    });
    expect(report.exitCode).toBe(1);
  });

  it('fails with exit 1 when the matching waiver has expired, even if the control passes', async () => {
    const expired = waiver({ expiresAt: '2026-11-30T00:00:00.000Z' });
    const failing = await checkValue(smokeFailed(), {
      ...baseOptions,
      waiverSource: 'protected-ref',
      waivers: expired,
    });
    expect(failing.results.find((r) => r.id === 'E6')?.message).toMatch(/^waiver by lead.bob expired/);
    expect(failing.exitCode).toBe(1);
    const passing = await checkValue(signed(buildPromotionBundle()), {
      ...baseOptions,
      waiverSource: 'protected-ref',
      waivers: expired,
    });
    expect(passing.exitCode).toBe(1);
  });

  it('returns a configuration error (exit 3) for a bad waiver file', async () => {
    const r = await checkBundles([], { waiverSource: 'protected-ref', waivers: waiver({ control: 'E42' }) });
    expect(r._unsafeUnwrapErr().code).toBe('unknown-control');
  });
});
