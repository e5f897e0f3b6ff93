/**
 * Hostile input (issue 12): fuzzed configuration and options (seeded, thousands of
 * cases), odd project paths and branch names, huge and deeply nested GitLab answers,
 * markdown and quick actions reaching the MR note. No crash, no hang, no pass that
 * should fail, and every failure a typed error naming the field.
 */
import { type GitLabSim, startGitLabSim } from '@hotfix-release/gitlab-sim';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isHotfixError } from '../../src/errors.js';
import { createGitLabClient, type GitLabClient } from '../../src/gitlab-client.js';
import { neutralizeQuickActions, renderValidationNote } from '../../src/primitives/record-validation.js';
import { parseRunbookConfig } from '../../src/runbook-config.js';
import { SENTINEL_TOKEN } from './fault-matrix.js';

describe('hostile configuration', () => {
  it('parseRunbookConfig never throws and rejects every non-object or malformed input with a named field', () => {
    fc.assert(
      fc.property(fc.anything({ withObjectString: true, withNullPrototype: true, maxDepth: 4 }), (input) => {
        const r = parseRunbookConfig(input);
        if (r.isErr()) expect(['invalid-input', 'forbidden-action']).toContain(r.error.code);
        return true;
      }),
      { seed: 7, numRuns: 2000 },
    );
  });

  it('never accepts the cut-off action through any shape of configuration (S5)', () => {
    const disguise = fc.constantFrom(
      'bring-all-code-to-release-branch',
      ' BRING-ALL-CODE-TO-RELEASE-BRANCH',
      'bring_all_code_to_release_branch',
      'bring‐all‐code‐to‐release‐branch',
      'bring-all-code-to-release-branch\u200b',
    );
    fc.assert(
      fc.property(disguise, fc.dictionary(fc.string(), fc.string()), (action, extra) => {
        const r = parseRunbookConfig({ ...extra, orchestration: { deployAction: action } });
        return r.isErr() && r.error.code === 'forbidden-action' && r.error.runbookRef === 'S5';
      }),
      { seed: 8, numRuns: 500 },
    );
  });

  it('createGitLabClient never throws on arbitrary input and never echoes a token in its error', () => {
    fc.assert(
      fc.property(fc.anything({ maxDepth: 3 }), fc.webUrl(), (junk, url) => {
        for (const input of [
          junk,
          { gitlabUrl: url, token: SENTINEL_TOKEN, timeoutMs: junk },
          { gitlabUrl: junk, token: SENTINEL_TOKEN },
        ]) {
          const r = createGitLabClient(input as never);
          if (r.isErr()) {
            expect(isHotfixError(r.error)).toBe(true);
            expect(JSON.stringify(r.error)).not.toContain(SENTINEL_TOKEN);
          }
        }
        return true;
      }),
      { seed: 9, numRuns: 1000 },
    );
  });
});

describe('hostile paths and answers against the simulator', () => {
  let sim: GitLabSim;
  let client: GitLabClient;
  beforeAll(async () => {
    sim = await startGitLabSim({ scenario: 'demo', token: SENTINEL_TOKEN });
    client = createGitLabClient({
      gitlabUrl: sim.url,
      token: SENTINEL_TOKEN,
      timeoutMs: 2_000,
      retry: { maxAttempts: 1 },
    })._unsafeUnwrap();
  });
  afterAll(() => sim.close());

  it('odd project paths and branch names are typed errors, never another endpoint', async () => {
    const odd = [
      '..',
      '.',
      '../user',
      'evenergi/../evenergi/charging-api',
      'evenergi%2Fcharging-api',
      'a b/c d',
      'évén/ərgi',
      '日本/語',
      'x'.repeat(5000),
      'evenergi/charging-api\u0000',
    ];
    for (const p of odd) {
      const r = await client.project(p);
      const expected = p === '.' || p === '..' ? 'invalid-input' : 'gitlab-not-found';
      expect([p.slice(0, 30), r.isErr() && r.error.code]).toEqual([p.slice(0, 30), expected]);
      const b = await client.branch('evenergi/charging-api', p);
      expect([p.slice(0, 30), b.isErr()]).toEqual([p.slice(0, 30), true]);
    }
    // Nothing reached another endpoint: every request matched a project or branch route, or none at all.
    const elsewhere = sim.controls.requests.filter(
      (r) => !r.route.startsWith('/projects/:id') && r.route !== 'unmatched',
    );
    expect(elsewhere.map((r) => r.path)).toEqual([]);
  });

  it('huge and deeply nested answers are response-invalid, not a crash or a hang', async () => {
    const small = createGitLabClient({
      gitlabUrl: sim.url,
      token: SENTINEL_TOKEN,
      maxResponseBytes: 1024 * 1024,
      retry: { maxAttempts: 1 },
    })._unsafeUnwrap();
    sim.fault({ method: 'GET', route: '/user', kind: 'huge-body' });
    expect((await small.currentUser())._unsafeUnwrapErr().code).toBe('response-invalid');
    sim.fault({ method: 'GET', route: '/user', kind: 'deep-body' });
    expect((await client.currentUser())._unsafeUnwrapErr().code).toBe('response-invalid');
  });
});

describe('markdown and quick actions reaching the MR note', () => {
  it('no line of a rendered note starts with "/" whatever the check names and messages say', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string(), fc.string()), { maxLength: 5 }), fc.string(), (checks, service) => {
        const body = renderValidationNote({
          promotionId: 'p',
          project: 'a/b',
          iid: 1,
          service: `${service}\n/merge`,
          environment: 'staging\n/label ~x',
          deployedSha: 'a'.repeat(40),
          checks: checks.map(([name, message]) => ({
            name: `${name}\n/close`,
            kind: 'http',
            result: 'passed',
            startedAt: '',
            durationMs: 1,
            outputDigest: '',
            message: `\n /unlabel ~y ${message}`,
          })),
        });
        return body.split('\n').every((l) => !/^\s*\//.test(l)) && neutralizeQuickActions(body) === body;
      }),
      { seed: 10, numRuns: 1000 },
    );
  });
});
