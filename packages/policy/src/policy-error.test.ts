import { describe, expect, it } from 'vitest';
import { describePolicyError, type PolicyError } from './policy-error.js';

describe(describePolicyError.name, () => {
  it('renders every code as one line naming the code', () => {
    const errors: PolicyError[] = [
      {
        code: 'invalid-options',
        message: 'invalid check options',
        issues: [{ pointer: '/maxEvidenceAgeMs', message: 'Too small' }],
      },
      { code: 'invalid-waivers', message: 'not JSON', issues: [] },
      { code: 'unknown-control', message: 'no control "E9"', controlId: 'E9', pointer: '/waivers/0/control' },
      {
        code: 'control-not-waivable',
        message: 'control E3 may not be waived',
        controlId: 'E3',
        pointer: '/waivers/0/control',
        runbookRef: 'E3',
      },
      { code: 'invalid-trusted-key', message: 'expected an ed25519 key', pointer: '/trustedKeys/0/publicKey' },
    ];
    expect(errors.map(describePolicyError)).toEqual([
      'invalid-options: invalid check options (/maxEvidenceAgeMs: Too small)',
      'invalid-waivers: not JSON',
      'unknown-control: no control "E9" at /waivers/0/control',
      'control-not-waivable [E3]: control E3 may not be waived at /waivers/0/control',
      'invalid-trusted-key: expected an ed25519 key at /trustedKeys/0/publicKey',
    ]);
  });
});
