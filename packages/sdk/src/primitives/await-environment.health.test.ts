import { afterAll, afterEach, beforeAll, beforeEach, describe, expect } from 'vitest';
import { itWithRealisticFailures } from '../../../../test-support/sim-mode.js';
import { makeReleaseWorld, type ReleaseWorld, TARGET } from '../../test/release-world.js';
import type { ReleaseEvent } from './await-environment/types.js';
import { type AwaitEnvironmentOptions, awaitEnvironment } from './await-environment.js';
import { triggerGuidedRelease } from './trigger-guided-release.js';

/** Runs in both simulator modes (HOTFIX_SIM_MODE); no test is expected to fail in realistic mode. */
const it = itWithRealisticFailures([]);

describe('awaitEnvironment (approvals and health)', () => {
  let w: ReleaseWorld;
  let sha: string;
  const events: ReleaseEvent[] = [];
  beforeAll(async () => {
    w = await makeReleaseWorld();
    sha = await w.head(TARGET, 'release');
  });
  afterAll(() => w.close());
  beforeEach(async () => {
    events.length = 0;
    await w.control('DELETE', '/-/sim/health');
  });
  afterEach(() => w.advance(30 * 60_000));

  async function run(extra: Partial<AwaitEnvironmentOptions> = {}) {
    const p = (await triggerGuidedRelease(w.client, w.config, { target: TARGET, clock: w.clock }))._unsafeUnwrap();
    return (
      await awaitEnvironment(w.client, w.config, {
        pipeline: p,
        target: TARGET,
        expectedSha: sha,
        maxWaitMs: 10 * 60_000,
        clock: w.clock,
        random: () => 0.5,
        onEvent: (e) => events.push(e),
        ...extra,
      })
    )._unsafeUnwrap();
  }

  it('returns awaiting_human (deployment-blocked) when the environment needs an approval', async () => {
    sha = await w.editCi(TARGET, 'release', (yml) =>
      yml.replace(/(deploy-staging:[\s\S]*?SIM_DURATION_SECONDS: "30"\n)/, '$1    SIM_APPROVAL_REQUIRED: "true"\n'),
    );
    try {
      const r = await run();
      expect(r).toMatchObject({
        outcome: 'awaiting_human',
        reason: 'deployment-blocked',
        job: { name: 'deploy-staging' },
        observed: { deployment: { status: 'blocked' } },
      });
      if (r.outcome === 'awaiting_human') expect(r.instruction).toMatch(/^Approve the deployment/);
    } finally {
      sha = await w.editCi(TARGET, 'release', (yml) => yml.replace('    SIM_APPROVAL_REQUIRED: "true"\n', ''));
    }
  });

  it('returns failure (deploy-job-missing) when the descriptor names a job the pipeline does not have (D5)', async () => {
    const services = w.config.services.map((d) => ({ ...d, deployJobs: ['deploy-to-staging-eu'] }));
    const config = { ...w.config, services };
    const p = (await triggerGuidedRelease(w.client, config, { target: TARGET, clock: w.clock }))._unsafeUnwrap();
    const r = await awaitEnvironment(w.client, config, {
      pipeline: p,
      target: TARGET,
      expectedSha: sha,
      maxWaitMs: 10 * 60_000,
      clock: w.clock,
      random: () => 0.5,
    });
    expect(r._unsafeUnwrap()).toMatchObject({ outcome: 'failure', reason: 'deploy-job-missing' });
  });

  it('returns failure (sha-mismatch) when our run deploys another commit than expected (R3)', async () => {
    const other = await w.head(TARGET, 'main');
    const r = await run({ expectedSha: other });
    expect(r).toMatchObject({ outcome: 'failure', reason: 'sha-mismatch', observed: { deployment: { sha } } });
  });

  it('returns awaiting_human for a manual gate in the orchestration pipeline itself', async () => {
    await w.editCi(
      'evenergi/develop',
      'gated',
      (yml) => yml.replace(/(deploy-release-branch-to-staging:\n {2}stage: deploy\n)/, '$1  when: manual\n'),
      'main',
    );
    const config = { ...w.config, orchestration: { ...w.config.orchestration, ref: 'gated' } };
    const p = (await triggerGuidedRelease(w.client, config, { target: TARGET, clock: w.clock }))._unsafeUnwrap();
    const r = await awaitEnvironment(w.client, config, {
      pipeline: p,
      target: TARGET,
      expectedSha: sha,
      maxWaitMs: 10 * 60_000,
      clock: w.clock,
      random: () => 0.5,
    });
    expect(r._unsafeUnwrap()).toMatchObject({
      outcome: 'awaiting_human',
      reason: 'manual-job',
      job: { name: 'deploy-release-branch-to-staging', status: 'manual', pipelineId: p.id },
      observed: { phase: 'downstream', downstream: undefined },
    });
  });

  it('keeps waiting while health reports another SHA, and times out saying so', async () => {
    await w.control('POST', '/-/sim/health', { project: TARGET, environment: 'staging', sha: 'f'.repeat(40) });
    const r = await run({ maxWaitMs: 3 * 60_000 });
    expect(r).toMatchObject({
      outcome: 'timeout',
      observed: {
        phase: 'health',
        deployment: { status: 'success', sha },
        health: { ok: false, version: 'f'.repeat(40) },
      },
    });
    expect(r.observed.health?.problem).toContain(`expected ${sha}`);
    expect(events.some((e) => e.type === 'health-not-ok')).toBe(true);
  });

  it('returns failure (health-unstable) when health goes bad within stableForMs', async () => {
    let seenOk = false;
    const r = await run({
      stableForMs: 60_000,
      onEvent: (e) => {
        if (e.type === 'health-ok') seenOk = true;
      },
      clock: {
        now: w.clock.now,
        sleep: async (ms, signal) => {
          if (seenOk)
            await w.control('POST', '/-/sim/health', { project: TARGET, environment: 'staging', status: 'down' });
          await w.clock.sleep(ms, signal);
        },
      },
    });
    expect(r).toMatchObject({
      outcome: 'failure',
      reason: 'health-unstable',
      observed: { health: { ok: false, httpStatus: 503 } },
    });
  });
});
