import { type ErrorShape, describeError as evidenceDescribeError } from '@hotfix-release/evidence';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { errorShapeViolations } from '../../../scripts/error-shape.js';
import { validate } from './_internal/validate.js';
import { parseClientConfig } from './config.js';
import { describeError, type ErrorCode, type HotfixError, hotfixError, isHotfixError } from './errors.js';

const lock = {
  project: 'a/b',
  releaseBranch: 'release',
  lockBranch: 'hotfix-release/lock/release',
  holder: { username: 'alice', promotionId: 'a/b!1@2026-01-01T00:00:00.000Z', mr: 'a/b!1' },
  leaseExpiresAt: '2026-01-01T00:10:00.000Z',
};
const http = { method: 'POST', route: '/projects/:id/pipeline', status: 400, gitlabMessage: 'bad' };

// One error per code: from the code that returns it where that is cheap to reach, else built as
// the SDK builds it. The Record makes a new code without an example a type error.
const EXAMPLES: Record<ErrorCode, () => HotfixError> = {
  'invalid-input': () => parseClientConfig({ gitlabUrl: 'not a url', token: 1 })._unsafeUnwrapErr(),
  'gitlab-unauthorized': () => hotfixError('gitlab-unauthorized', 'token rejected', { details: http }),
  'gitlab-forbidden': () => hotfixError('gitlab-forbidden', 'no role', { details: http }),
  'gitlab-not-found': () => hotfixError('gitlab-not-found', 'no MR', { details: http }),
  'gitlab-rate-limited': () =>
    hotfixError('gitlab-rate-limited', 'slow down', { retryable: true, details: { ...http, retryAfterMs: 1000 } }),
  'gitlab-unavailable': () => hotfixError('gitlab-unavailable', '503', { retryable: true, details: http }),
  'gitlab-http': () => hotfixError('gitlab-http', '400', { details: { ...http, errorCode: 'conflict' } }),
  network: () => hotfixError('network', 'refused', { retryable: true, details: { ...http, reason: 'ECONNREFUSED' } }),
  timeout: () => hotfixError('timeout', 'slow', { details: { method: 'GET', route: '/x', timeoutMs: 10 } }),
  aborted: () => hotfixError('aborted', 'aborted', { details: {} }),
  'response-invalid': () =>
    validate(z.object({ id: z.number() }), { id: 'x' }, 'GET', '/projects/:id')._unsafeUnwrapErr(),
  'outcome-unknown': () =>
    hotfixError('outcome-unknown', 'lost', { details: { method: 'POST', route: '/x', reason: 'reset' } }),
  'pagination-limit': () =>
    hotfixError('pagination-limit', 'too many', { details: { route: '/x', maxPages: 1, perPage: 1 } }),
  'preflight-failed': () =>
    hotfixError('preflight-failed', 'blocked', {
      details: { findings: [{ code: 'mr-not-approved', runbookRef: 'S5', message: 'x' }] },
    }),
  'mr-not-merged': () => hotfixError('mr-not-merged', 'open', { details: { project: 'a/b', iid: 1, state: 'opened' } }),
  'mr-not-approved': () =>
    hotfixError('mr-not-approved', 'needs 1', {
      details: { project: 'a/b', iid: 1, approvalsLeft: 1 },
    }),
  'branch-not-found': () => hotfixError('branch-not-found', 'none', { details: { project: 'a/b', branch: 'release' } }),
  'forbidden-action': () =>
    hotfixError('forbidden-action', 'never', { runbookRef: 'S5', details: { action: 'x', source: 'options.action' } }),
  conflict: () =>
    hotfixError('conflict', 'conflicts', {
      details: { project: 'a/b', sha: 'abc', branch: 'release', paths: ['a.ts'] },
    }),
  'resolution-invalid': () =>
    hotfixError('resolution-invalid', 'markers', { details: { paths: ['a.ts'], reason: 'markers' } }),
  'push-rejected': () =>
    hotfixError('push-rejected', 'moved', {
      details: { ref: 'refs/heads/release', expectedOld: 'abc', reason: 'stale' },
    }),
  drift: () => hotfixError('drift', 'drifted', { details: { kinds: ['extra'], shas: ['abc'] } }),
  git: () => hotfixError('git', 'missing', { details: { operation: 'readObject', reason: 'not found' } }),
  'deployment-failed': () =>
    hotfixError('deployment-failed', 'failed', { details: { status: 'failed', webUrl: undefined } }),
  'wait-timeout': () => hotfixError('wait-timeout', 'timeout', { details: { maxWaitMs: 1, lastObserved: 'running' } }),
  'validation-failed': () =>
    hotfixError('validation-failed', 'smoke', {
      details: { checks: [{ name: 'health', message: '500' }] },
    }),
  'label-missing': () => hotfixError('label-missing', 'no label', { details: { project: 'a/b', label: 'validated' } }),
  'token-insufficient': () =>
    hotfixError('token-insufficient', 'job token', {
      runbookRef: 'P3',
      details: { tokenKind: 'job', command: 'promote', operations: ['cherry-pick'] },
    }),
  'lock-held': () =>
    hotfixError('lock-held', 'held', {
      runbookRef: 'R3',
      details: { ...lock, waitedMs: 0 },
    }),
  'lock-stale': () => hotfixError('lock-stale', 'stale', { runbookRef: 'R3', details: lock }),
  'lock-lost': () =>
    hotfixError('lock-lost', 'lost', {
      runbookRef: 'R3',
      details: { project: 'a/b', lockBranch: 'hotfix-release/lock/release', reason: 'taken over' },
    }),
  evidence: () => hotfixError('evidence', 'journal write failed', { details: { path: '/tmp/j.json', reason: 'EIO' } }),
  internal: () => hotfixError('internal', 'bug', { details: { reason: 'x' } }),
};

describe('HotfixError', () => {
  it.each(Object.keys(EXAMPLES) as ErrorCode[])('%s has the one error shape', (code) => {
    const error = EXAMPLES[code]();
    expect(error.code).toBe(code);
    expect(errorShapeViolations(error)).toEqual([]);
  });

  it('is the one error shape at the type level, and describeError is the one renderer', () => {
    expectTypeOf<HotfixError>().toExtend<ErrorShape>();
    expect(describeError).toBe(evidenceDescribeError);
  });

  it('locates invalid input by JSON Pointer, not by dotted path', () => {
    const e = EXAMPLES['invalid-input']();
    expect(e).toMatchObject({ code: 'invalid-input', details: { pointer: '/gitlabUrl' } });
    expect(describeError(e)).toMatch(/^invalid-input: Invalid client configuration: .* \(\/gitlabUrl: /);
  });
});

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
