import { describeError } from '@hotfix-release/evidence';
import { describe, expect, it } from 'vitest';
import { errorShapeViolations } from '../../../scripts/error-shape.js';
import { checkBundles } from './check-bundles.js';
import type { PolicyError, PolicyErrorCode } from './policy-error.js';
import { parseWaivers } from './waivers.js';

const waivers = (control: string) => ({
  version: 1,
  waivers: [
    {
      control,
      scope: { project: 'fleet/charging-api', mr: 'fleet/charging-api!42' },
      reason: 'flaky upstream sandbox, tracked in OPS-1234',
      approver: 'lead.bob',
      expiresAt: '2026-12-01T00:00:00.000Z',
    },
  ],
});

// One error per code, each from the function that returns it.
const EXAMPLES: Record<PolicyErrorCode, () => Promise<PolicyError>> = {
  'invalid-options': async () => (await checkBundles([], { maxEvidenceAgeMs: -1 }))._unsafeUnwrapErr(),
  'invalid-waivers': async () => parseWaivers('{"version":')._unsafeUnwrapErr(),
  'unknown-control': async () => parseWaivers(waivers('E9'))._unsafeUnwrapErr(),
  'control-not-waivable': async () => parseWaivers(waivers('E3'))._unsafeUnwrapErr(),
  'invalid-trusted-key': async () =>
    (await checkBundles([], { trustedKeys: [{ publicKey: 'not a key' }] }))._unsafeUnwrapErr(),
  'invalid-policy-file': async () => (await checkBundles([], { policy: '{"version":' }))._unsafeUnwrapErr(),
  'conflicting-expectations': async () =>
    (
      await checkBundles([], {
        policy: { version: 1, expected: { mrs: ['fleet/charging-api!42'] } },
        expected: { mr: { project: 'fleet/charging-api', iid: 43 } },
      })
    )._unsafeUnwrapErr(),
  'waivers-not-authorized': async () =>
    (await checkBundles([], { waivers: JSON.stringify(waivers('E6')), waiverSource: 'file' }))._unsafeUnwrapErr(),
};

describe('PolicyError', () => {
  it.each(Object.keys(EXAMPLES) as PolicyErrorCode[])('%s has the one error shape', async (code) => {
    const error = await EXAMPLES[code]();
    expect(error.code).toBe(code);
    expect(errorShapeViolations(error)).toEqual([]);
  });

  it('renders through the one describeError, naming the runbook ID and the pointer', async () => {
    expect(describeError(await EXAMPLES['control-not-waivable']())).toBe(
      'control-not-waivable [E3]: control E3 may not be waived at /waivers/0/control',
    );
    expect(describeError(await EXAMPLES['invalid-options']())).toMatch(
      /^invalid-options: invalid check options \(\/maxEvidenceAgeMs: /,
    );
    expect(describeError(await EXAMPLES['unknown-control']())).toBe(
      'unknown-control: no control "E9" in the catalog at /waivers/0/control',
    );
  });
});
