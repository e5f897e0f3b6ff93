import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoScenarioInfo as demo } from '@hotfix-release/gitlab-sim';
import { afterAll, afterEach, beforeAll, describe, expect } from 'vitest';
import { itWithRealisticFailures } from '../../../../test-support/sim-mode.js';
import { promoteHotfix } from '../../src/flows/promote-hotfix.js';
import { makeReleaseWorld, type ReleaseWorld } from '../release-world.js';
import { reliabilityConfig, SENTINEL_TOKEN, sideEffectCounts } from './fault-matrix.js';

/** Runs in both simulator modes (HOTFIX_SIM_MODE); no test is expected to fail in realistic mode. */
const it = itWithRealisticFailures([]);

const MAIN = demo.mergeRequests.cleanPick.project;

describe('races', () => {
  let w: ReleaseWorld;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'races-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));
  afterEach(() => w?.close());

  it('two promotions of the same MR at once: one pick, one pipeline, release holds the change once', async () => {
    w = await makeReleaseWorld({ start: new Date(), token: SENTINEL_TOKEN });
    const config = reliabilityConfig(w.sim.url);
    const before = await w.head(MAIN, 'release');
    const [a, b] = await Promise.all(
      ['a', 'b'].map((n) =>
        promoteHotfix(w.client, config, {
          mr: demo.mergeRequests.cleanPick,
          journalPath: join(dir, `${n}.json`),
          clock: w.clock,
        }),
      ),
    );
    const outcomes = [a, b].map((r) => (r!.isOk() ? r!.value.targets[0]?.outcome : r!.error.code));
    expect(outcomes).toContain('promoted');
    const counts = sideEffectCounts(w.sim.controls.requests);
    expect(counts.get('POST /projects/:id/repository/commits/:sha/cherry_pick')).toBe(1);
    expect(counts.get('POST /projects/:id/pipeline')).toBe(1);
    const cmp = (
      await w.client.compare(MAIN, before, await w.head(MAIN, 'release'), { straight: true })
    )._unsafeUnwrap();
    expect(cmp.commits).toHaveLength(1);
  });

  it('release pushed by someone else during the promotion: stopped with drift (R3), nothing deployed, nothing clobbered', async () => {
    w = await makeReleaseWorld({ start: new Date(), token: SENTINEL_TOKEN });
    const config = reliabilityConfig(w.sim.url);
    let pushed = '';
    const r = (
      await promoteHotfix(
        w.client,
        config,
        { mr: demo.mergeRequests.cleanPick, clock: w.clock },
        {
          afterStep: async (step) => {
            if (step !== 'pick' || pushed) return;
            const res = await w.api('POST', `/projects/${encodeURIComponent(MAIN)}/repository/commits`, {
              branch: 'release',
              commit_message: 'a colleague pushed to release',
              actions: [{ action: 'create', file_path: 'colleague.txt', content: 'x\n' }],
            });
            pushed = (res.body as { id: string }).id;
          },
        },
      )
    )._unsafeUnwrap();
    expect(r.targets[0]).toMatchObject({ outcome: 'failed', reason: 'drift' });
    expect(r.bundle.targets[0]?.drift?.extraCommits).toContain(pushed);
    expect(await w.head(MAIN, 'release')).toBe(pushed);
    expect(sideEffectCounts(w.sim.controls.requests).get('POST /projects/:id/pipeline')).toBeUndefined();
  });
});
