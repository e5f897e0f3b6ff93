/**
 * Issue 18: health and smoke checks of a staging behind auth, against the simulator over loopback.
 * Headers reach the endpoint, same-origin redirects are followed (bounded), a cross-origin redirect
 * is a failure naming both origins, and E5 accepts a build-style version through a versionPattern.
 */
import { afterAll, beforeAll, beforeEach, describe, expect } from 'vitest';
import { itWithRealisticFailures } from '../../../../test-support/sim-mode.js';
import { makeReleaseWorld, type ReleaseWorld, TARGET } from '../../test/release-world.js';
import { checkHeadersSchema, smokeHeadersFor } from '../flows/_promote-options.js';
import { deployedShaRecord } from '../flows/_records.js';
import { parseRunbookConfig } from '../runbook-config.js';
import { checkHealth, identifyVersion } from './await-environment/health.js';
import { awaitEnvironment } from './await-environment.js';
import { runSmokeChecks } from './run-smoke-checks.js';
import { triggerGuidedRelease } from './trigger-guided-release.js';

/** Runs in both simulator modes (HOTFIX_SIM_MODE); no test is expected to fail in realistic mode. */
const it = itWithRealisticFailures([]);

const SECRET = 'staging-auth-SENTINEL-5a4b3c2d';
const HEADER = { 'x-staging-auth': SECRET };

describe('checks behind auth and E5 by build identity', () => {
  let w: ReleaseWorld;
  let sha: string;
  let health: string;
  let deploymentId: number;
  const now = () => Date.now();
  const override = (body: Record<string, unknown>) =>
    w.control('POST', '/-/sim/health', { project: TARGET, environment: 'staging', ...body });

  beforeAll(async () => {
    w = await makeReleaseWorld();
    sha = await w.head(TARGET, 'release');
    health = `${w.sim.url}/-/sim/services/${TARGET}/staging/health`;
    const p = (await triggerGuidedRelease(w.client, w.config, { target: TARGET, clock: w.clock }))._unsafeUnwrap();
    const r = (
      await awaitEnvironment(w.client, w.config, {
        pipeline: p,
        target: TARGET,
        expectedSha: sha,
        maxWaitMs: 10 * 60_000,
        clock: w.clock,
        random: () => 0.5,
      })
    )._unsafeUnwrap();
    expect(r.outcome).toBe('success');
    deploymentId = r.observed.deployment?.id ?? 0;
  });
  afterAll(() => w.close());
  beforeEach(() => w.control('DELETE', '/-/sim/health'));

  const spec = (extra: Record<string, unknown> = {}) => ({
    url: health,
    versionPath: 'version',
    expectStatus: 200,
    timeoutMs: 5_000,
    ...extra,
  });

  it('sends the configured header: 401 without it, ok with it, through two same-origin redirects', async () => {
    await override({ requireHeader: { name: 'x-staging-auth', value: SECRET }, redirect: 'same-origin' });
    const without = await checkHealth(spec(), sha, { fetch, now });
    expect(without).toMatchObject({ ok: false, httpStatus: 401, problem: 'status 401, expected 200' });
    const wrong = await checkHealth(spec(), sha, { fetch, now, headers: { 'x-staging-auth': 'not-the-secret' } });
    expect(wrong.httpStatus).toBe(401);
    const withIt = await checkHealth(spec(), sha, { fetch, now, headers: HEADER });
    expect(withIt).toMatchObject({ ok: true, httpStatus: 200, version: sha });
    expect(JSON.stringify(withIt)).not.toContain(SECRET);
    const smoke = (
      await runSmokeChecks(
        [
          {
            name: 'ok',
            kind: 'http',
            url: health,
            method: 'GET',
            expectStatus: 200,
            jsonPath: 'version',
            timeoutMs: 5_000,
          },
        ],
        [],
        {
          expectedSha: sha,
          headers: HEADER,
        },
      )
    )._unsafeUnwrap();
    expect(smoke).toMatchObject([{ result: 'passed' }]);
    expect(JSON.stringify(smoke)).not.toContain(SECRET);
    const denied = (
      await runSmokeChecks(
        [{ name: 'ok', kind: 'http', url: health, method: 'GET', expectStatus: 200, timeoutMs: 5_000 }],
        [],
        {
          expectedSha: sha,
        },
      )
    )._unsafeUnwrap();
    expect(denied).toMatchObject([{ result: 'failed', message: 'expected HTTP 200, got 401' }]);
  });

  it('sends a header named for one smoke check (<target>:<check name>) with that check only', async () => {
    await override({ requireHeader: { name: 'x-staging-auth', value: SECRET } });
    const check = (name: string) => ({
      name,
      kind: 'http' as const,
      url: health,
      method: 'GET' as const,
      expectStatus: 200,
      timeoutMs: 5_000,
    });
    const configured = checkHeadersSchema.parse({
      [`${TARGET}:behind auth`]: HEADER,
      '*': { 'x-trace': 'trace-for-every-check' },
      'other/project:public page': { 'x-staging-auth': 'for-another-target-only' },
    });
    const opts = smokeHeadersFor(configured, TARGET);
    expect(opts).toEqual({
      headers: { 'x-trace': 'trace-for-every-check' },
      headersByCheck: { 'behind auth': HEADER },
    });
    const results = (
      await runSmokeChecks([check('behind auth'), check('public page')], [], { expectedSha: sha, ...opts })
    )._unsafeUnwrap();
    expect(results.map((r) => [r.name, r.result, r.message])).toEqual([
      ['behind auth', 'passed', expect.any(String)],
      ['public page', 'failed', 'expected HTTP 200, got 401'],
    ]);
    expect(JSON.stringify(results)).not.toContain(SECRET);
    // The per-target form still reaches every check of the target; `*:<check name>` names a check of any target.
    expect(
      smokeHeadersFor(checkHeadersSchema.parse({ [TARGET]: HEADER, '*:public page': { 'x-a': 'b' } }), TARGET),
    ).toEqual({
      headers: HEADER,
      headersByCheck: { 'public page': { 'x-a': 'b' } },
    });
  });

  it('refuses a cross-origin redirect with a clear message, and sends the header nowhere else', async () => {
    await override({ redirect: 'cross-origin' });
    const h = await checkHealth(spec(), sha, { fetch, now, headers: HEADER });
    expect(h.ok).toBe(false);
    expect(h.problem).toMatch(/redirects from http:\/\/127\.0\.0\.1:\d+ to another origin \(http:\/\/localhost:\d+\)/);
    const smoke = (
      await runSmokeChecks(
        [{ name: 'x', kind: 'http', url: health, method: 'GET', expectStatus: 200, timeoutMs: 5_000 }],
        [],
        {
          expectedSha: sha,
          headers: HEADER,
        },
      )
    )._unsafeUnwrap();
    expect(smoke[0]).toMatchObject({
      result: 'failed',
      message: expect.stringMatching(/cross-origin redirects are not followed/),
    });
  });

  it('passes E5 through a version-to-commit pattern and records the identity; another build fails', async () => {
    await override({ version: '1.4.2+g{sha7}' });
    const pattern = String.raw`\+g(?<sha>[0-9a-f]{7,40})$`;
    const h = await checkHealth(spec({ versionPattern: pattern }), sha, { fetch, now });
    expect(h).toMatchObject({
      ok: true,
      version: `1.4.2+g${sha.slice(0, 7)}`,
      identity: { basis: 'pattern-sha', pattern, captured: sha.slice(0, 7) },
    });
    const plain = await checkHealth(spec(), sha, { fetch, now });
    expect(plain).toMatchObject({ ok: false, problem: expect.stringMatching(/^reports 1\.4\.2\+g/) });
    const other = await checkHealth(spec({ versionPattern: pattern }), 'f'.repeat(40), { fetch, now });
    expect(other).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/\(commit [0-9a-f]{7}\), expected f{40}/),
    });
  });

  it('passes E5 through the deployment the version names', async () => {
    await override({ version: 'build-{deployment}' });
    const pattern = '^build-(?<deployment>\\d+)$';
    const h = await checkHealth(spec({ versionPattern: pattern }), sha, { fetch, now, deploymentId });
    expect(h).toMatchObject({ ok: true, identity: { basis: 'pattern-deployment', captured: String(deploymentId) } });
    const stale = await checkHealth(spec({ versionPattern: pattern }), sha, {
      fetch,
      now,
      deploymentId: deploymentId + 1,
    });
    expect(stale.ok).toBe(false);
    expect(identifyVersion('build-7', sha, pattern, undefined).matches).toBe(false);
  });

  it('awaitEnvironment sends the headers and records the identity in the E5 record', async () => {
    const pattern = String.raw`\+g(?<sha>[0-9a-f]{7,40})$`;
    const config = parseRunbookConfig({
      services: [{ project: TARGET, deployJobs: ['deploy-staging'], health: { url: health, versionPattern: pattern } }],
    })._unsafeUnwrap();
    await override({ version: '1.4.2+g{sha7}', requireHeader: { name: 'x-staging-auth', value: SECRET } });
    const p = (await triggerGuidedRelease(w.client, config, { target: TARGET, clock: w.clock }))._unsafeUnwrap();
    const r = (
      await awaitEnvironment(w.client, config, {
        pipeline: p,
        target: TARGET,
        expectedSha: sha,
        maxWaitMs: 10 * 60_000,
        clock: w.clock,
        random: () => 0.5,
        headers: HEADER,
      })
    )._unsafeUnwrap();
    expect(r.outcome).toBe('success');
    const record = deployedShaRecord(r.observed);
    expect(record?.health).toMatchObject({
      sha: null,
      version: `1.4.2+g${sha.slice(0, 7)}`,
      identity: { basis: 'pattern-sha', pattern, captured: sha.slice(0, 7) },
    });
    expect(JSON.stringify(r)).not.toContain(SECRET);
  });

  it('refuses a versionPattern without a sha or deployment group', () => {
    const bad = parseRunbookConfig({
      services: [{ project: TARGET, health: { url: health, versionPattern: 'v(\\d+)' } }],
    });
    expect(bad._unsafeUnwrapErr().message).toMatch(/named group \(\?<sha>…\) or \(\?<deployment>…\)/);
  });
});
