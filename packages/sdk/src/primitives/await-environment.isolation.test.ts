import { afterAll, afterEach, beforeAll, beforeEach, describe, expect } from 'vitest';
import { itWithRealisticFailures } from '../../../../test-support/sim-mode.js';
import { makeReleaseWorld, type ReleaseWorld, TARGET } from '../../test/release-world.js';
import { type AwaitEnvironmentOptions, awaitEnvironment } from './await-environment.js';
import { triggerGuidedRelease } from './trigger-guided-release.js';

/** Runs in both simulator modes (HOTFIX_SIM_MODE); no test is expected to fail in realistic mode. */
const it = itWithRealisticFailures([]);

/** Our run is followed by ids, never by "the latest deployment of staging". */
describe('awaitEnvironment (other pipelines deploying to the same environment)', () => {
  let w: ReleaseWorld;
  let sha: string;
  beforeAll(async () => {
    w = await makeReleaseWorld();
    sha = await w.head(TARGET, 'release');
  });
  afterAll(() => w.close());
  beforeEach(() => w.control('DELETE', '/-/sim/jobs/outcome'));
  afterEach(() => w.advance(30 * 60_000));

  const unrelated = async () => {
    const other = await w.api('POST', `/projects/${encodeURIComponent(TARGET)}/pipeline`, { ref: 'release' });
    expect(other.status).toBe(201);
    return (other.body as { id: number }).id;
  };
  async function ours(extra: Partial<AwaitEnvironmentOptions> = {}) {
    const p = (await triggerGuidedRelease(w.client, w.config, { target: TARGET, clock: w.clock }))._unsafeUnwrap();
    return (
      await awaitEnvironment(w.client, w.config, {
        pipeline: p,
        target: TARGET,
        expectedSha: sha,
        maxWaitMs: 15 * 60_000,
        clock: w.clock,
        random: () => 0.5,
        ...extra,
      })
    )._unsafeUnwrap();
  }

  it('reports our failure although an earlier unrelated pipeline deployed the same SHA successfully', async () => {
    const other = await unrelated();
    await w.advance(120_000);
    await w.control('POST', '/-/sim/jobs/outcome', { project: TARGET, job: 'deploy-staging', status: 'failed' });
    const r = await ours();
    expect(r).toMatchObject({ outcome: 'failure', reason: 'deployment-failed' });
    expect(r.observed.job?.pipelineId).not.toBe(other);
    expect(r.observed.job?.pipelineId).toBe(r.observed.downstream?.id);
  });

  it('reports our failure although an unrelated pipeline started meanwhile deploys the same SHA successfully later', async () => {
    // Ours deploys first and fails; the unrelated one, started 2 s after ours was found, succeeds after it.
    await w.control('POST', '/-/sim/jobs/outcome', { project: TARGET, job: 'deploy-staging', status: 'failed' });
    let other: number | undefined;
    let downstreamSeen = false;
    const r = await ours({
      onEvent: (e) => {
        if (e.type === 'downstream-found') downstreamSeen = true;
      },
      clock: {
        now: w.clock.now,
        sleep: async (ms, signal) => {
          await w.clock.sleep(ms, signal);
          if (downstreamSeen && other === undefined) other = await unrelated();
        },
      },
    });
    expect(other).toBeDefined();
    expect(r).toMatchObject({ outcome: 'failure', reason: 'deployment-failed', failingJob: { status: 'failed' } });
    expect(r.observed.deployment?.status).toBe('failed');
    await w.advance(120_000);
    const theirs = await w.api('GET', `/projects/${encodeURIComponent(TARGET)}/pipelines/${other}`);
    expect((theirs.body as { status: string }).status).toBe('success');
  });

  it('reports our success although an unrelated pipeline started meanwhile is canceled mid-deploy', async () => {
    let other: number | undefined;
    let downstreamSeen = false;
    const r = await ours({
      onEvent: (e) => {
        if (e.type === 'downstream-found') downstreamSeen = true;
      },
      clock: {
        now: w.clock.now,
        sleep: async (ms, signal) => {
          await w.clock.sleep(ms, signal);
          if (downstreamSeen && other === undefined) {
            other = await unrelated();
            await w.advance(15_000);
            // Theirs is canceled while it deploys: its deployment (newer than ours) ends canceled.
            const c = await w.api('POST', `/projects/${encodeURIComponent(TARGET)}/pipelines/${other}/cancel`);
            expect(c.status).toBe(201);
          }
        },
      },
    });
    expect(r.outcome).toBe('success');
    expect(r.observed.downstream?.id).not.toBe(other);
    const deps = await w.api(
      'GET',
      `/projects/${encodeURIComponent(TARGET)}/deployments?environment=staging&sort=desc`,
    );
    const statuses = (deps.body as { status: string; deployable: { pipeline: { id: number } } }[]).map((d) => [
      d.deployable.pipeline.id,
      d.status,
    ]);
    expect(statuses).toContainEqual([other, 'canceled']);
    expect(statuses).toContainEqual([r.observed.downstream?.id, 'success']);
  });
});
