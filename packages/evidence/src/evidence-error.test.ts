import { describe, expect, it } from 'vitest';
import { describeEvidenceError, type EvidenceError } from './evidence-error.js';

describe(describeEvidenceError.name, () => {
  it('renders every code as one line naming the code and, where known, the pointer', () => {
    const errors: EvidenceError[] = [
      {
        code: 'invalid-bundle',
        message: '2 problems',
        issues: [{ pointer: '/targets/0/pipeline/id', message: 'Expected number' }],
      },
      { code: 'unsupported-schema-version', message: 'major 1 only', schemaVersion: '2.0.0' },
      { code: 'not-canonicalizable', message: 'non-finite number NaN', pointer: '/a/1' },
      { code: 'invalid-envelope', message: 'not a DSSE envelope', issues: [] },
      { code: 'invalid-key', message: 'expected an ed25519 key' },
      { code: 'signature-invalid', message: 'no signature by a trusted key' },
      { code: 'invalid-statement', message: 'payload is not JSON', issues: [] },
      { code: 'journal-io', message: 'could not write', path: '/tmp/j.json' },
      { code: 'journal-corrupt', message: 'not JSON', path: '/tmp/j.json', issues: [] },
      {
        code: 'invalid-journal-entry',
        message: 'bad entry',
        issues: [{ pointer: '/record/outcome', message: 'Invalid option' }],
      },
      { code: 'secret-detected', message: '1 token-like value(s) found', pointers: ['/tool/version'] },
    ];
    const lines = errors.map(describeEvidenceError);
    for (const [i, line] of lines.entries()) {
      expect(line.startsWith(`${errors[i]?.code}:`)).toBe(true);
      expect(line).not.toContain('\n');
    }
    expect(lines[0]).toBe('invalid-bundle: 2 problems (/targets/0/pipeline/id: Expected number)');
    expect(lines[2]).toBe('not-canonicalizable: non-finite number NaN at /a/1');
    expect(lines[10]).toBe('secret-detected: 1 token-like value(s) found at /tool/version');
  });
});
