import { demoCiFiles } from '@hotfix-release/gitlab-sim';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect } from 'vitest';
import { itWithRealisticFailures, SIM_MODE } from '../../../../test-support/sim-mode.js';
import { makeReleaseWorld, type ReleaseWorld, TARGET } from '../../test/release-world.js';
import type { ReleaseEvent } from './await-environment/types.js';
import { type AwaitEnvironmentOptions, awaitEnvironment } from './await-environment.js';
import { triggerGuidedRelease } from './trigger-guided-release.js';

/** Runs in both simulator modes (HOTFIX_SIM_MODE); no test is expected to fail in realistic mode. */
const it = itWithRealisticFailures([]);

const setDuration = (job: string, seconds: number) => (yml: string) =>
  yml.replace(new RegExp(`(${job}:[\\s\\S]*?SIM_DURATION_SECONDS: )"\\d+"`), `$1"${seconds}"`);

describe('awaitEnvironment', () => {
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
    w.sim.controls.clearFaults();
    await w.control('DELETE', '/-/sim/jobs/outcome');
    await w.control('DELETE', '/-/sim/health');
  });
  afterEach(() => w.advance(30 * 60_000));

  async function start(target = TARGET) {
    const p = await triggerGuidedRelease(w.client, w.config, { target, clock: w.clock });
    return p._unsafeUnwrap();
  }
  function wait(pipeline: { id: number; projectId: number }, extra: Partial<AwaitEnvironmentOptions> = {}) {
    return awaitEnvironment(w.client, w.config, {
      pipeline,
      target: TARGET,
      expectedSha: sha,
      maxWaitMs: 15 * 60_000,
      minDelayMs: 2_000,
      maxDelayMs: 30_000,
      clock: w.clock,
      random: () => 0.5,
      fetch,
      onEvent: (e) => events.push(e),
      ...extra,
    });
  }

  it('follows the exact run to a successful deployment whose health reports the SHA', async () => {
    const p = await start();
    const r = (await wait(p, { stableForMs: 20_000 }))._unsafeUnwrap();
    expect(r.outcome).toBe('success');
    if (r.outcome !== 'success') return;
    const o = r.observed;
    expect(o.orchestration).toMatchObject({ id: p.id, projectId: p.projectId });
    expect(o.bridges).toMatchObject([{ name: 'deploy-release-branch-to-staging', pipelineId: p.id }]);
    expect(o.downstream).toMatchObject({ project: TARGET, sha, ref: 'release' });
    // The realistic demo's orchestrator starts the deploy through the trigger API: no bridge to follow.
    expect(o.downstream?.reachedVia).toBe(SIM_MODE.name === 'realistic' ? 'trigger-api' : 'bridge');
    expect(o.job).toMatchObject({ name: 'deploy-staging', status: 'success', pipelineId: o.downstream?.id });
    expect(o.deployment).toMatchObject({ status: 'success', sha, environment: 'staging' });
    expect(o.deployment?.finishedAt).toMatch(/Z$/);
    expect(o.health).toMatchObject({ ok: true, version: sha, httpStatus: 200 });
    expect(o.healthOkSince).toMatch(/Z$/);
    const types = events.map((e) => e.type).filter((t) => t !== 'waiting' && t !== 'pipeline-status');
    expect(types).toEqual([
      'downstream-found',
      'job-started',
      'deployment-running',
      'deployment-finished',
      'health-ok',
    ]);
    expect(events.some((e) => e.type === 'waiting')).toBe(true);
    // Only deployments touched since our downstream pipeline began are listed, newest first.
    const q = w.sim.controls.find('GET', '/projects/:id/deployments').at(-1)?.query ?? '';
    expect(new URLSearchParams(q).get('updated_after')).toBe(
      new Date(Date.parse(o.downstream?.createdAt ?? '') - 1_000).toISOString(),
    );
    expect(q).toContain('order_by=updated_at');
  });

  it('finds the downstream pipeline through a bridge into another project (nested)', async () => {
    // The orchestrator triggers a relay project, which triggers the target: two bridges deep.
    const relay = 'evenergi/fleet-portal';
    await w.editCi(
      relay,
      'relay',
      () => `relay-to-target:\n  trigger:\n    project: ${TARGET}\n    branch: release\n    strategy: depend\n`,
      'main',
    );
    await w.editCi(
      'evenergi/develop',
      'nested',
      // The bridge orchestrator in both modes (the realistic demo's own starts the deploy through the trigger API).
      () =>
        demoCiFiles().orchestrator.replace(
          /project: \$\[\[ inputs\.project \]\]\n {4}branch: release\n {4}strategy: depend\n$/,
          `project: ${relay}\n    branch: relay\n    strategy: depend\n`,
        ),
      'main',
    );
    const config = { ...w.config, orchestration: { ...w.config.orchestration, ref: 'nested' } };
    const p = (await triggerGuidedRelease(w.client, config, { target: TARGET, clock: w.clock }))._unsafeUnwrap();
    const r = (await awaitEnvironment(w.client, config, { ...baseOpts(), pipeline: p }))._unsafeUnwrap();
    expect(r.outcome).toBe('success');
    expect(r.observed.bridges.map((b) => b.name)).toEqual(['deploy-release-branch-to-staging', 'relay-to-target']);
    expect(r.observed.bridges[1]?.projectId).not.toBe(r.observed.downstream?.projectId);
    expect(r.observed.downstream?.project).toBe(TARGET);
  });

  function baseOpts() {
    return {
      target: TARGET,
      expectedSha: sha,
      maxWaitMs: 15 * 60_000,
      clock: w.clock,
      random: () => 0.5,
      onEvent: (e: ReleaseEvent) => events.push(e),
    };
  }

  it('returns failure with the failing job and its web URL when the deploy job fails', async () => {
    await w.control('POST', '/-/sim/jobs/outcome', { project: TARGET, job: 'deploy-staging', status: 'failed' });
    const r = (await wait(await start()))._unsafeUnwrap();
    expect(r).toMatchObject({ outcome: 'failure', reason: 'deployment-failed' });
    if (r.outcome !== 'failure') return;
    expect(r.failingJob).toMatchObject({ name: 'deploy-staging', status: 'failed', failureReason: 'script_failure' });
    expect(r.failingJob?.webUrl).toMatch(/\/evenergi\/charging-api\/-\/jobs\/\d+$/);
    expect(r.observed.deployment?.status).toBe('failed');
  });

  it('names the earlier failing job when the deploy job is skipped', async () => {
    await w.control('POST', '/-/sim/jobs/outcome', { project: TARGET, job: 'build', status: 'failed' });
    const r = (await wait(await start()))._unsafeUnwrap();
    expect(r).toMatchObject({
      outcome: 'failure',
      reason: 'job-failed',
      failingJob: { name: 'build', status: 'failed' },
    });
  });

  it('returns failure (deployment-canceled) when the deployment is canceled', async () => {
    await w.control('POST', '/-/sim/jobs/outcome', { project: TARGET, job: 'deploy-staging', status: 'canceled' });
    const r = (await wait(await start()))._unsafeUnwrap();
    expect(r).toMatchObject({
      outcome: 'failure',
      reason: 'deployment-canceled',
      failingJob: { name: 'deploy-staging', status: 'canceled' },
      observed: { deployment: { status: 'canceled' } },
    });
  });

  it('returns awaiting_human with the job to play when the deploy job is manual', async () => {
    sha = await w.editCi(TARGET, 'release', (yml) =>
      yml.replace(/(deploy-staging:\n {2}stage: deploy\n)/, '$1  when: manual\n'),
    );
    try {
      const r = (await wait(await start()))._unsafeUnwrap();
      expect(r).toMatchObject({
        outcome: 'awaiting_human',
        reason: 'manual-job',
        job: { name: 'deploy-staging', status: 'manual' },
      });
      if (r.outcome !== 'awaiting_human') return;
      expect(r.instruction).toContain(r.job.webUrl);
    } finally {
      sha = await w.editCi(TARGET, 'release', (yml) => yml.replace('  when: manual\n', ''));
    }
  });

  it('returns timeout with what it last observed', async () => {
    const r = (await wait(await start(), { maxWaitMs: 20_000 }))._unsafeUnwrap();
    expect(r).toMatchObject({ outcome: 'timeout', maxWaitMs: 20_000, observed: { phase: 'deployment' } });
    expect(r.observed.deployment?.status).toMatch(/created|running/);
    expect(r.elapsedMs).toBeGreaterThanOrEqual(19_000);
    expect(r.elapsedMs).toBeLessThanOrEqual(20_000);
  });

  it('returns aborted when the signal fires mid-wait', async () => {
    const ac = new AbortController();
    const r = (
      await wait(await start(), {
        signal: ac.signal,
        onEvent: (e) => {
          if (e.type === 'deployment-running') ac.abort();
        },
      })
    )._unsafeUnwrap();
    expect(r).toMatchObject({ outcome: 'aborted', observed: { deployment: { status: 'running' } } });
  });

  it('rides out a 429 with Retry-After mid-wait without polling sooner than asked', async () => {
    const p = await start();
    w.sim.fault({
      method: 'GET',
      route: '/projects/:id/deployments',
      kind: 'status',
      status: 429,
      retryAfterSeconds: 20,
      skip: 1,
    });
    w.transportSleeps.length = 0;
    const r = (await wait(p))._unsafeUnwrap();
    expect(r.outcome).toBe('success');
    expect(w.transportSleeps).toContain(20_000);
    const deps = w.sim.controls.find('GET', '/projects/:id/deployments');
    const limited = deps.findIndex((d) => d.status === 429);
    expect(limited).toBeGreaterThan(0);
    const gap = Date.parse(deps[limited + 1]?.at ?? '') - Date.parse(deps[limited]?.at ?? '');
    expect(gap).toBeGreaterThanOrEqual(20_000);
  });

  it('waits at least Retry-After when the transport gives the 429 back to the waiter', async () => {
    const w2 = await makeReleaseWorld({ retry: { maxAttempts: 1 } });
    try {
      const sha2 = await w2.head(TARGET, 'release');
      const p = (await triggerGuidedRelease(w2.client, w2.config, { target: TARGET, clock: w2.clock }))._unsafeUnwrap();
      w2.sim.fault({
        method: 'GET',
        route: '/projects/:id/deployments',
        kind: 'status',
        status: 429,
        retryAfterSeconds: 45,
      });
      const seen: ReleaseEvent[] = [];
      const r = await awaitEnvironment(w2.client, w2.config, {
        pipeline: p,
        target: TARGET,
        expectedSha: sha2,
        maxWaitMs: 15 * 60_000,
        clock: w2.clock,
        random: () => 0.5,
        onEvent: (e) => seen.push(e),
      });
      expect(r._unsafeUnwrap().outcome).toBe('success');
      const waits = seen.flatMap((e) => (e.type === 'waiting' ? [e.delayMs] : []));
      expect(Math.max(...waits)).toBeGreaterThanOrEqual(45_000);
    } finally {
      await w2.close();
    }
  });

  it('ends at once with gitlab-not-found for a pipeline that does not exist', async () => {
    const e = (await wait({ id: 999_999, projectId: 1 }))._unsafeUnwrapErr();
    expect(e.code).toBe('gitlab-not-found');
  });

  it('returns invalid-input without requests for a target without a descriptor or a missing maxWaitMs', async () => {
    w.sim.controls.clearLog();
    const a = await awaitEnvironment(w.client, w.config, { ...baseOpts(), pipeline: { id: 1 }, target: 'x/unknown' });
    expect(a._unsafeUnwrapErr()).toMatchObject({ code: 'invalid-input', runbookRef: 'P5' });
    // A caller that forgot the required bound (as from untyped JavaScript).
    const b = await awaitEnvironment(w.client, w.config, {
      ...baseOpts(),
      pipeline: { id: 1 },
      maxWaitMs: undefined,
    } as unknown as AwaitEnvironmentOptions);
    expect(b._unsafeUnwrapErr()).toMatchObject({ code: 'invalid-input', details: { pointer: '/maxWaitMs' } });
    expect(w.gitlabRequests()).toEqual([]);
  });

  it("learns from the environment's recent deployments: no more requests than blind, the finish seen within 5 s", async () => {
    sha = await w.editCi(TARGET, 'release', setDuration('deploy-staging', 600));
    try {
      // One blind wait first: it is also the history the next wait learns from.
      const follow = async (learn: boolean) => {
        const p = await start();
        w.sim.controls.clearLog();
        events.length = 0;
        const r = (await wait(p, { maxWaitMs: 30 * 60_000, learn }))._unsafeUnwrap();
        expect(r.outcome).toBe('success');
        const finished = events.find((e) => e.type === 'deployment-finished');
        const lagMs = Date.parse(finished?.at ?? '') - Date.parse(r.observed.deployment?.finishedAt ?? '');
        await w.advance(30 * 60_000);
        return { requests: r.observed.requests, lagMs };
      };
      const blind = await follow(false);
      const learned = await follow(true);
      // The history read (once): successful deployments of this environment, newest first.
      const reads = w.sim.controls
        .find('GET', '/projects/:id/deployments')
        .map((r) => new URLSearchParams(r.query))
        .filter((q) => q.get('status') === 'success');
      expect(reads.map((q) => [q.get('environment'), q.get('order_by'), q.get('sort')])).toEqual([
        ['staging', 'id', 'desc'],
      ]);
      // This environment's history also holds the other tests' 30 s deployments, so the wait first
      // expects 30 s, then ten minutes: never more requests than the blind backoff, and a small lag.
      expect(learned.requests).toBeLessThanOrEqual(blind.requests);
      expect(learned.lagMs).toBeLessThanOrEqual(5_000);
      expect(blind.lagMs).toBeGreaterThan(5_000);
    } finally {
      sha = await w.editCi(TARGET, 'release', setDuration('deploy-staging', 30));
    }
  });

  it('polls a 10-minute deployment with a low, bounded number of requests', async () => {
    sha = await w.editCi(TARGET, 'release', setDuration('deploy-staging', 600));
    try {
      const p = await start();
      w.sim.controls.clearLog();
      const r = (await wait(p, { maxWaitMs: 30 * 60_000 }))._unsafeUnwrap();
      expect(r.outcome).toBe('success');
      const requests = w.gitlabRequests().length;
      expect(requests).toBe(r.observed.requests);
      expect(r.elapsedMs).toBeGreaterThanOrEqual(600_000);
      // ~10 min at a 30 s ceiling with jitter over its upper half: about 30 polls of one request each,
      // plus, for a trigger-API orchestrator, its jobs and the target's pipelines while it runs.
      expect(requests).toBeLessThanOrEqual(44);
    } finally {
      sha = await w.editCi(TARGET, 'release', setDuration('deploy-staging', 30));
    }
  });
});
