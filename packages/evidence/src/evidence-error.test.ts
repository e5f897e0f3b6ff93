import { describe, expect, it } from 'vitest';
import { errorShapeViolations } from '../../../scripts/error-shape.js';
import { canonicalJson } from './canonical-json.js';
import { verifyEnvelope } from './dsse.js';
import { describeError, type EvidenceError, type EvidenceErrorCode, evidenceError } from './evidence-error.js';
import { parseStatement } from './in-toto-statement.js';
import { parseBundle } from './parse-bundle.js';
import { assertNoSecrets } from './secrets.js';

function errorOf(r: { isErr(): boolean; error?: unknown } | { isErr(): false }): EvidenceError {
  if (!r.isErr()) throw new Error('expected an error');
  return (r as { error: EvidenceError }).error;
}

// One error per code, produced by the code that returns it where that is cheap to reach.
const EXAMPLES: Record<EvidenceErrorCode, () => EvidenceError> = {
  'invalid-bundle': () => errorOf(parseBundle({ schemaVersion: '1.0.0' })),
  'unsupported-schema-version': () => errorOf(parseBundle({ schemaVersion: '99.0.0' })),
  'not-canonicalizable': () => errorOf(canonicalJson({ a: [1, Number.NaN] })),
  'invalid-envelope': () => errorOf(verifyEnvelope({ payload: 1 }, [])),
  'invalid-key': () => evidenceError('invalid-key', 'expected an ed25519 key', {}),
  'signature-invalid': () => evidenceError('signature-invalid', 'no signature by a trusted key', {}),
  'invalid-statement': () => errorOf(parseStatement('not json')),
  'journal-io': () =>
    evidenceError('journal-io', 'could not write', { path: '/tmp/j.json' }, { cause: new Error('EIO') }),
  'journal-corrupt': () => evidenceError('journal-corrupt', 'not JSON', { path: '/tmp/j.json', issues: [] }),
  'invalid-journal-entry': () =>
    evidenceError(
      'invalid-journal-entry',
      'target is not one of the journal header targets',
      { issues: [{ pointer: '/target', message: 'unknown target x' }] },
      { runbookRef: 'D4' },
    ),
  'secret-detected': () => errorOf(assertNoSecrets({ tool: { version: 'glpat-abcdefghijklmnopqrst' } })),
};

describe('EvidenceError', () => {
  it.each(Object.keys(EXAMPLES) as EvidenceErrorCode[])('%s has the one error shape', (code) => {
    const error = EXAMPLES[code]();
    expect(error.code).toBe(code);
    expect(errorShapeViolations(error)).toEqual([]);
  });
});

describe(describeError.name, () => {
  it('renders every code as one line naming the code and, where known, the pointer', () => {
    const lines = Object.values(EXAMPLES).map((make) => describeError(make()));
    for (const line of lines) expect(line).not.toContain('\n');
    expect(describeError(evidenceError('not-canonicalizable', 'non-finite number NaN', { pointer: '/a/1' }))).toBe(
      'not-canonicalizable: non-finite number NaN at /a/1',
    );
    expect(
      describeError(
        evidenceError('invalid-bundle', '2 problems', {
          issues: [{ pointer: '/targets/0/pipeline/id', message: 'Expected number' }],
        }),
      ),
    ).toBe('invalid-bundle: 2 problems (/targets/0/pipeline/id: Expected number)');
    expect(
      describeError(evidenceError('secret-detected', '1 token-like value(s) found', { pointers: ['/tool/version'] })),
    ).toBe('secret-detected: 1 token-like value(s) found at /tool/version');
  });

  it('names the runbook ID and the file when the error has them', () => {
    const e = evidenceError('journal-corrupt', 'not JSON', { path: '/tmp/j.json', issues: [] });
    expect(describeError(e)).toBe('journal-corrupt: /tmp/j.json: not JSON');
    const d4 = EXAMPLES['invalid-journal-entry']();
    expect(describeError(d4)).toBe(
      'invalid-journal-entry [D4]: target is not one of the journal header targets (/target: unknown target x)',
    );
  });

  it('shows five issues and counts the rest', () => {
    const issues = Array.from({ length: 7 }, (_, i) => ({ pointer: `/a/${i}`, message: 'bad' }));
    expect(describeError(evidenceError('invalid-bundle', '7 problems', { issues }))).toBe(
      'invalid-bundle: 7 problems (/a/0: bad; /a/1: bad; /a/2: bad; /a/3: bad; /a/4: bad; and 2 more)',
    );
  });
});
