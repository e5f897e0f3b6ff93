import { demoScenarioInfo as demo } from '@hotfix-release/gitlab-sim';
import { afterEach, describe, expect } from 'vitest';
import { itWithRealisticFailures } from '../../../../test-support/sim-mode.js';
import { makeReleaseWorld, type ReleaseWorld } from '../../test/release-world.js';
import { promoteHotfix } from '../flows/promote-hotfix.js';
import { parseRunbookConfig } from '../runbook-config.js';
import { readLiveFacts } from './read-live-facts.js';

/** Runs in both simulator modes (HOTFIX_SIM_MODE); no test is expected to fail in realistic mode. */
const it = itWithRealisticFailures([]);

const MAIN = demo.mergeRequests.cleanPick.project;

describe('readLiveFacts', () => {
  let w: ReleaseWorld;
  afterEach(() => w?.close());

  it('re-reads what a promotion recorded: inputs, deployed SHA, label and note digest', async () => {
    w = await makeReleaseWorld({ start: new Date() });
    const health = `${w.sim.url}/-/sim/services/${MAIN}/staging/health`;
    const config = parseRunbookConfig({
      services: [
        {
          project: MAIN,
          health: { url: health },
          smokeChecks: [{ name: 'version', url: health, jsonPath: 'version', equals: '{sha}' }],
        },
      ],
    })._unsafeUnwrap();
    const r = (
      await promoteHotfix(w.client, config, { mr: demo.mergeRequests.cleanPick, clock: w.clock })
    )._unsafeUnwrap();
    const t = r.bundle.targets[0]!;
    const facts = (
      await readLiveFacts(w.client, config, {
        target: MAIN,
        pipeline: { project: t.pipeline!.project, id: t.pipeline!.id },
        environment: 'staging',
        mr: demo.mergeRequests.cleanPick,
        noteId: t.note!.id,
        label: 'Validated in Staging',
      })
    )._unsafeUnwrap();
    expect(facts).toEqual({
      pipelineInputs: t.pipeline!.inputs,
      deployedSha: t.deployedSha!.environment.sha,
      labelPresent: true,
      note: { bodyDigest: t.note!.bodyDigest },
    });
  });

  it('returns forbidden-action when the configuration names the cut-off action', async () => {
    w = await makeReleaseWorld();
    const config = {
      ...w.config,
      orchestration: { ...w.config.orchestration, deployAction: 'bring-all-code-to-release-branch' },
    };
    const e = (
      await readLiveFacts(w.client, config, {
        target: MAIN,
        pipeline: null,
        environment: 'staging',
        mr: demo.mergeRequests.cleanPick,
        noteId: null,
        label: 'Validated in Staging',
      })
    )._unsafeUnwrapErr();
    expect(e).toMatchObject({ code: 'forbidden-action', runbookRef: 'S5' });
  });
});
