import { afterAll, beforeAll, describe, expect } from 'vitest';
import { itWithRealisticFailures } from '../../../../test-support/sim-mode.js';
import { makeReleaseWorld, type ReleaseWorld } from '../../test/release-world.js';
import { triggerAndAwaitTargets } from './trigger-and-await-targets.js';

/** Runs in both simulator modes (HOTFIX_SIM_MODE); no test is expected to fail in realistic mode. */
const it = itWithRealisticFailures([]);

const CHARGING = 'evenergi/charging-api';
const BILLING = 'evenergi/billing-service';
const FLEET = 'evenergi/fleet-portal';

describe('triggerAndAwaitTargets', () => {
  let w: ReleaseWorld;
  beforeAll(async () => {
    w = await makeReleaseWorld();
  });
  afterAll(() => w.close());

  it('keeps each target outcome separate: one failing target does not hide the others', async () => {
    await w.control('POST', '/-/sim/jobs/outcome', { project: BILLING, job: 'deploy-staging', status: 'failed' });
    const targets = await Promise.all(
      [CHARGING, BILLING, FLEET].map(async (target) => ({ target, expectedSha: await w.head(target, 'release') })),
    );
    const r = await triggerAndAwaitTargets(w.client, w.config, {
      targets,
      concurrency: 2,
      trigger: { clock: w.clock },
      await: { maxWaitMs: 15 * 60_000, clock: w.clock, random: () => 0.5 },
    });
    const v = r._unsafeUnwrap();
    expect(v.results.map((x) => [x.target, x.outcome?.outcome])).toEqual([
      [CHARGING, 'success'],
      [BILLING, 'failure'],
      [FLEET, 'success'],
    ]);
    expect(v.promoted).toEqual([CHARGING, FLEET]);
    expect(v.allSucceeded).toBe(false);
    const billing = v.results[1];
    expect(billing?.outcome).toMatchObject({ reason: 'deployment-failed', failingJob: { name: 'deploy-staging' } });
    expect(new Set(v.results.map((x) => x.pipeline?.id)).size).toBe(3);
    expect(w.sim.controls.find('POST', '/projects/:id/pipeline')).toHaveLength(3);
  });

  it('refuses the cut-off action for every target before any request', async () => {
    w.sim.controls.clearLog();
    const config = {
      ...w.config,
      orchestration: { ...w.config.orchestration, deployAction: 'Bring-All-Code-To-Release-Branch' },
    };
    const r = await triggerAndAwaitTargets(w.client, config, {
      targets: [{ target: CHARGING, expectedSha: 'a'.repeat(40) }],
      await: { maxWaitMs: 60_000 },
    });
    expect(r._unsafeUnwrapErr()).toMatchObject({ code: 'forbidden-action', runbookRef: 'S5' });
    expect(w.gitlabRequests()).toEqual([]);
  });

  it('returns invalid-input for a target listed twice', async () => {
    const r = await triggerAndAwaitTargets(w.client, w.config, {
      targets: [
        { target: CHARGING, expectedSha: 'a'.repeat(40) },
        { target: CHARGING, expectedSha: 'a'.repeat(40) },
      ],
      await: { maxWaitMs: 60_000 },
    });
    expect(r._unsafeUnwrapErr().code).toBe('invalid-input');
  });
});
