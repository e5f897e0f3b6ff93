/**
 * E3 end to end: a promotion enumerates its window and the policy judges the bundle. Someone
 * else's cut-off pipeline started inside the window (no name, no readable variables on a
 * realistic GitLab) is found by its jobs: the promotion stops, the gate refuses the bundle, and a
 * bundle claiming the target promoted fails E3. One started before the window is not counted,
 * even where GitLab ignores `created_after`.
 */
import { sealBundle } from '@hotfix-release/evidence';
import { demoScenarioInfo as demo } from '@hotfix-release/gitlab-sim';
import { checkBundles } from '@hotfix-release/policy';
import { afterEach, describe, expect } from 'vitest';
import { itWithRealisticFailures, SIM_MODE } from '../../../../test-support/sim-mode.js';
import { gateExpectations, makeReleaseWorld, promotionConfig, type ReleaseWorld } from '../../test/release-world.js';
import { CUT_OFF_ACTION, type RunbookConfig } from '../runbook-config.js';
import { promoteHotfix } from './promote-hotfix.js';

/** Runs in both simulator modes (HOTFIX_SIM_MODE); no test is expected to fail in realistic mode. */
const it = itWithRealisticFailures([]);

const MR = demo.mergeRequests.cleanPick;
const MAIN = MR.project;
const FLEET = demo.services[2];
const ORCH = encodeURIComponent(demo.orchestrator);

/** Bob (a Maintainer, not the promoting user) starts the cut-off for `project`; returns its id. */
async function bobCutsOff(w: ReleaseWorld, project: string): Promise<number> {
  const res = await fetch(`${w.sim.apiUrl}/projects/${ORCH}/pipeline`, {
    method: 'POST',
    headers: { 'private-token': demo.users.maintainer.token, 'content-type': 'application/json' },
    body: JSON.stringify({ ref: 'main', inputs: { action: CUT_OFF_ACTION, project, confirm: true } }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: number }).id;
}

/** The gate's verdict on a bundle: its exit code and each control's status. */
async function judge(w: ReleaseWorld, config: RunbookConfig, bundle: unknown) {
  const report = (
    await checkBundles([{ name: 'bundle', value: bundle }], {
      now: new Date(w.sim.clock.now() + 60_000).toISOString(),
      ...gateExpectations(w.sim.url, config, MR),
    })
  )._unsafeUnwrap();
  const results = report.bundles[0]?.results ?? [];
  return { exitCode: report.exitCode, status: (id: string) => results.find((r) => r.id === id)?.status };
}

describe('promoteHotfix and E3', () => {
  let w: ReleaseWorld | undefined;
  afterEach(async () => {
    await w?.close();
    w = undefined;
  });

  it('finds a cut-off someone else started inside the window by its jobs, stops, and the gate refuses it (E3)', async () => {
    w = await makeReleaseWorld({ start: new Date() });
    const world = w;
    const config = promotionConfig(world, [MAIN]);
    let cut = 0;
    const r = (
      await promoteHotfix(
        world.client,
        config,
        { mr: MR, clock: world.clock },
        {
          afterStep: async (step) => {
            if (step === 'verify-sha') cut = await bobCutsOff(world, MAIN);
          },
        },
      )
    )._unsafeUnwrap();
    expect(cut).toBeGreaterThan(0);
    expect(r.targets[0]).toMatchObject({ outcome: 'failed', reason: 'cut-off-detected' });
    const e = r.bundle.targets[0]?.enumeration;
    expect(e?.offendingPipelineIds).toEqual([cut]);
    expect(e?.pipelines?.find((p) => p.id === cut)).toMatchObject({ classification: 'cut-off', basis: 'observed' });
    // The promotion's own pipeline is in the window too, recognised as the deploy it ran.
    const own = r.bundle.targets[0]?.pipeline?.id;
    expect(e?.pipelines?.find((p) => p.id === own)).toMatchObject({ classification: 'deploy', basis: 'observed' });
    if (SIM_MODE.realistic.noInputName) expect(e?.pipelines?.find((p) => p.id === cut)?.target).toBeUndefined();
    // The gate refuses the bundle: nothing was promoted (E3 itself applies to promoted targets only).
    const verdict = await judge(world, config, r.bundle);
    expect([verdict.exitCode, verdict.status('promoted-targets'), verdict.status('E3')]).toEqual([
      1,
      'fail',
      'not_applicable',
    ]);
    // A bundle claiming this target promoted could not hide the pipeline: E3 fails on this very enumeration.
    const claimed = sealBundle({
      ...r.bundle,
      promotedTargets: [MAIN],
      targets: r.bundle.targets.map((t) => ({ ...t, outcome: 'promoted' as const })),
    })._unsafeUnwrap();
    expect((await judge(world, config, claimed)).status('E3')).toBe('fail');
  });

  it('does not count a cut-off started before the window, even where GitLab ignores created_after', async () => {
    w = await makeReleaseWorld({ start: new Date(), realistic: { ignoreCreatedFilters: true } });
    const old = await bobCutsOff(w, FLEET);
    await w.advance(600_000);
    const config = promotionConfig(w, [MAIN]);
    const r = (await promoteHotfix(w.client, config, { mr: MR, clock: w.clock }))._unsafeUnwrap();
    expect(r.targets[0]).toMatchObject({ outcome: 'promoted' });
    const e = r.bundle.targets[0]?.enumeration;
    expect(e?.outsideWindow).toBeGreaterThanOrEqual(1);
    expect(e?.pipelines?.some((p) => p.id === old)).toBe(false);
    expect(e?.offendingPipelineIds).toEqual([]);
    expect(e?.pagesExhausted).toBe(true);
    const verdict = await judge(w, config, r.bundle);
    expect(verdict.status('E3')).toBe('pass');
  });
});
