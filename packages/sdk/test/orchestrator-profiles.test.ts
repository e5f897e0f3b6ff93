/**
 * Whole promotions against orchestrators shaped unlike the runbook's (issue 17): one whose `project`
 * input takes short names (`charging-api`), and one that starts the target's deploy through the
 * pipeline trigger API (no bridge). Both run in each simulator mode; E2 must rest on `observed`, with
 * the gate's policy file (never the bundle) describing the orchestrator.
 */
import { demoScenarioInfo as demo, demoCiFiles } from '@hotfix-release/gitlab-sim';
import { checkBundles } from '@hotfix-release/policy';
import { afterEach, describe, expect } from 'vitest';
import { itWithRealisticFailures } from '../../../test-support/sim-mode.js';
import { promoteHotfix } from '../src/flows/promote-hotfix.js';
import { parseRunbookConfig, type RunbookConfigInput } from '../src/runbook-config.js';
import { gateExpectations, makeReleaseWorld, type ReleaseWorld } from './release-world.js';

/** Runs in both simulator modes (HOTFIX_SIM_MODE); no test is expected to fail in realistic mode. */
const it = itWithRealisticFailures([]);

const MR = demo.mergeRequests.cleanPick;
const TARGET = MR.project;
const SHORT = TARGET.slice(TARGET.lastIndexOf('/') + 1);

/**
 * The orchestrator's jobs with `project` taking a short name: every place that needs the full path
 * prefixes the group, as an orchestrator with `options: [charging-api, billing-api]` would.
 */
function shortNames(yml: string): string {
  const cut = yml.indexOf('\nstages:');
  const head = yml.slice(0, cut).replace('Path of the target project, e.g. evenergi/charging-api.', 'Short name.');
  return head + yml.slice(cut).replaceAll('$[[ inputs.project ]]', 'evenergi/$[[ inputs.project ]]');
}

async function promoteWith(w: ReleaseWorld, orchestration: RunbookConfigInput['orchestration']) {
  const health = `${w.sim.url}/-/sim/services/${TARGET}/staging/health`;
  const config = parseRunbookConfig({
    orchestration,
    services: [
      {
        project: TARGET,
        health: { url: health },
        smokeChecks: [{ name: 'staging reports the hotfix', url: health, jsonPath: 'version', equals: '{sha}' }],
      },
    ],
  })._unsafeUnwrap();
  const result = (
    await promoteHotfix(w.client, config, { mr: MR, clock: w.clock, minDelayMs: 5_000, maxDelayMs: 20_000 })
  )._unsafeUnwrap();
  return { config, result };
}

describe('promotions through orchestrators shaped unlike the runbook’s', () => {
  let w: ReleaseWorld;
  afterEach(() => w?.close());

  it('sends the short name to an orchestrator whose project input takes short names; E2 rests on observed', async () => {
    w = await makeReleaseWorld({ start: new Date() });
    await w.editCi('evenergi/develop', 'short-names', shortNames, 'main');
    const { config, result } = await promoteWith(w, { ref: 'short-names', projectValue: 'short-name' });
    expect(result.targets.map((t) => [t.target, t.outcome])).toEqual([[TARGET, 'promoted']]);
    const posts = w.sim.controls.find('POST', '/projects/:id/pipeline');
    expect(posts.map((p) => p.body)).toEqual([
      { ref: 'short-names', inputs: { action: 'deploy-release-branch-to-staging', project: SHORT, confirm: true } },
    ]);
    const pipeline = result.bundle.targets[0]?.pipeline;
    expect(pipeline?.sent?.inputs?.project).toBe(SHORT);
    expect(pipeline?.observed?.downstream).toMatchObject({ project: TARGET, ref: 'release' });
    const gate = gateExpectations(w.sim.url, config, MR);
    const report = (
      await checkBundles([{ name: 'bundle', value: result.bundle }], {
        now: new Date(w.sim.clock.now() + 60_000).toISOString(),
        ...gate,
        policy: { ...gate.policy, orchestration: { ...gate.policy.orchestration, projectValue: 'short-name' } },
      })
    )._unsafeUnwrap();
    const e2 = report.bundles[0]?.results.find((r) => r.id === 'E2');
    expect([e2?.status, e2?.message]).toEqual(['pass', expect.stringContaining('resting on observed')]);
    // The same bundle before a gate that expects full paths: the sent short name contradicts it.
    const strict = (
      await checkBundles([{ name: 'bundle', value: result.bundle }], {
        now: new Date(w.sim.clock.now() + 60_000).toISOString(),
        ...gate,
      })
    )._unsafeUnwrap();
    expect(strict.bundles[0]?.results.find((r) => r.id === 'E2')?.status).toBe('fail');
  }, 120_000);

  it('follows a deploy started through the trigger API (no bridge) to its deployment; E2 rests on observed', async () => {
    w = await makeReleaseWorld({ start: new Date() });
    await w.editCi('evenergi/develop', 'trigger-api', () => demoCiFiles().orchestratorTriggerApi, 'main');
    const { config, result } = await promoteWith(w, { ref: 'trigger-api' });
    expect(result.targets.map((t) => [t.target, t.outcome])).toEqual([[TARGET, 'promoted']]);
    const pipeline = result.bundle.targets[0]?.pipeline;
    expect(pipeline?.observed?.downstream).toMatchObject({ project: TARGET, ref: 'release', via: 'trigger-api' });
    const deployment = result.bundle.targets[0]?.deployment;
    expect(deployment?.downstreamPipeline.id).toBe(pipeline?.observed?.downstream?.pipelineId);
    expect(deployment?.deployment.status).toBe('success');
    // No bridge anywhere in the orchestration pipeline: the downstream was found by source, ref and window.
    const bridges = await w.api('GET', `/projects/evenergi%2Fdevelop/pipelines/${pipeline?.id}/bridges`);
    expect(bridges.body).toEqual([]);
    const report = (
      await checkBundles([{ name: 'bundle', value: result.bundle }], {
        now: new Date(w.sim.clock.now() + 60_000).toISOString(),
        ...gateExpectations(w.sim.url, config, MR),
      })
    )._unsafeUnwrap();
    const e2 = report.bundles[0]?.results.find((r) => r.id === 'E2');
    expect([e2?.status, e2?.message]).toEqual(['pass', expect.stringContaining('(trigger-api); resting on observed')]);
  }, 120_000);
});
