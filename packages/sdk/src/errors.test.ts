import { describe, expect, it } from 'vitest';
import { describeError, hotfixError, isHotfixError } from './errors.js';

describe('hotfixError', () => {
  it('builds plain, serialisable data with the runbook reference', () => {
    const err = hotfixError('forbidden-action', 'The cut-off action is never sent for a hotfix.', {
      runbookRef: 'S5',
      details: { action: 'bring-all-code-to-release-branch', source: 'options.action' },
    });
    expect(JSON.parse(JSON.stringify(err))).toEqual({
      code: 'forbidden-action',
      message: 'The cut-off action is never sent for a hotfix.',
      runbookRef: 'S5',
      retryable: false,
      details: { action: 'bring-all-code-to-release-branch', source: 'options.action' },
    });
    expect(describeError(err)).toBe('forbidden-action [S5]: The cut-off action is never sent for a hotfix.');
  });

  it('keeps only the name and message of a thrown cause', () => {
    const err = hotfixError('internal', 'boom', { details: { reason: 'x' }, cause: new TypeError('bad') });
    expect(err.cause).toEqual({ name: 'TypeError', message: 'bad' });
    expect(isHotfixError(err)).toBe(true);
    expect(isHotfixError(new Error('x'))).toBe(false);
    expect(describeError(err)).toBe('internal: boom');
  });
});
