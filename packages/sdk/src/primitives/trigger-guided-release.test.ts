import { demoCiFiles, demoScenarioInfo } from '@hotfix-release/gitlab-sim';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect } from 'vitest';
import { itWithRealisticFailures, SIM_MODE } from '../../../../test-support/sim-mode.js';
import { makeReleaseWorld, type ReleaseWorld, TARGET } from '../../test/release-world.js';
import type { ReleaseEvent } from './await-environment/types.js';
import { type TriggerGuidedReleaseOptions, triggerGuidedRelease } from './trigger-guided-release.js';

/** Runs in both simulator modes (HOTFIX_SIM_MODE); no test is expected to fail in realistic mode. */
const it = itWithRealisticFailures([]);

/** What GitLab reports back for our request: the realistic GitLab names no pipeline after its inputs. */
const REALISTIC = SIM_MODE.name === 'realistic';
function reportedFor(target: string) {
  return REALISTIC
    ? { name: null, inputs: {}, inputsFrom: 'none' }
    : {
        name: `deploy-release-branch-to-staging ${target} confirm=true`,
        inputs: { action: 'deploy-release-branch-to-staging', project: target, confirm: true },
        inputsFrom: 'pipeline-name',
      };
}

const CUT_OFF = 'bring-all-code-to-release-branch';

describe('triggerGuidedRelease', () => {
  let w: ReleaseWorld;
  beforeAll(async () => {
    w = await makeReleaseWorld();
  });
  afterAll(() => w.close());
  beforeEach(() => {
    w.sim.controls.clearLog();
    w.sim.controls.clearFaults();
  });
  // Each test starts outside the previous test's reuse window.
  afterEach(() => w.advance(10 * 60_000));

  it('creates a pipeline with typed guided inputs and returns what GitLab reports back', async () => {
    const events: ReleaseEvent[] = [];
    const r = await triggerGuidedRelease(w.client, w.config, {
      target: TARGET,
      clock: w.clock,
      onEvent: (e) => events.push(e),
    });
    const p = r._unsafeUnwrap();
    expect(p).toMatchObject({
      project: 'evenergi/develop',
      target: TARGET,
      ref: 'main',
      source: 'api',
      how: 'created',
      request: {
        via: 'inputs',
        inputs: { action: 'deploy-release-branch-to-staging', project: TARGET, confirm: true },
      },
      reported: { ...reportedFor(TARGET), variables: [] },
    });
    expect(p.sha).toMatch(/^[0-9a-f]{40}$/);
    expect(p.webUrl).toContain(`/evenergi/develop/-/pipelines/${p.id}`);
    expect(p.createdAt).toMatch(/Z$/);
    const posts = w.sim.controls.find('POST', '/projects/:id/pipeline');
    expect(posts).toHaveLength(1);
    expect(posts[0]?.body).toEqual({
      ref: 'main',
      inputs: { action: 'deploy-release-branch-to-staging', project: TARGET, confirm: true },
    });
    expect(events.map((e) => e.type)).toEqual(['pipeline-created']);
  });

  it('sends string variables when configured, and reads them back', async () => {
    // An orchestrator from before pipeline inputs (17.10) reads the guided choices as variables.
    await w.editCi('evenergi/develop', 'variables', () => demoCiFiles().orchestratorVariables, 'main');
    const orchestration = { ...w.config.orchestration, inputsVia: 'variables' as const, ref: 'variables' };
    const p = (
      await triggerGuidedRelease(w.client, { ...w.config, orchestration }, { target: TARGET, clock: w.clock })
    )._unsafeUnwrap();
    const sent = [
      { key: 'action', value: 'deploy-release-branch-to-staging' },
      { key: 'project', value: TARGET },
      { key: 'confirm', value: 'true' },
    ];
    expect(w.sim.controls.find('POST', '/projects/:id/pipeline')[0]?.body).toEqual({
      ref: 'variables',
      variables: sent,
    });
    expect(p).toMatchObject({
      how: 'created',
      request: { via: 'variables', variables: sent },
      reported: {
        inputsFrom: 'variables',
        inputs: { action: 'deploy-release-branch-to-staging', project: TARGET, confirm: 'true' },
      },
    });
    expect(p.reported.variables).toEqual(expect.arrayContaining(sent));
  });

  describe('returns forbidden-action citing S5 before any request is sent', () => {
    const disguises = [
      CUT_OFF,
      'BRING-ALL-CODE-TO-RELEASE-BRANCH',
      '  bring-all-code-to-release-branch\n',
      'bring_all_code_to_release_branch',
      'bring\u2010all\u2011code\u2012to\u2013release\u2014branch',
      'bring-all-code-to-\u200brelease-branch',
      'Ｂｒｉｎｇ-all-code-to-release-branch',
      'bring all code to release branch',
      'bring-аll-code-to-releаse-brаnch', // Cyrillic а
      `deploy-release-branch-to-staging;${CUT_OFF}`,
    ];
    for (const action of disguises) {
      it(`when configuration carries ${JSON.stringify(action)}`, async () => {
        const config = { ...w.config, orchestration: { ...w.config.orchestration, deployAction: action } };
        const e = (await triggerGuidedRelease(w.client, config, { target: TARGET, clock: w.clock }))._unsafeUnwrapErr();
        expect(e).toMatchObject({ code: 'forbidden-action', runbookRef: 'S5' });
        expect(w.gitlabRequests()).toEqual([]);
      });
    }

    it('when the environment supplies it through configuration', async () => {
      process.env.HOTFIX_TEST_ACTION = ' Bring-All-Code-To-Release-Branch ';
      try {
        const deployAction = process.env.HOTFIX_TEST_ACTION;
        const config = { ...w.config, orchestration: { ...w.config.orchestration, deployAction } };
        const e = (await triggerGuidedRelease(w.client, config, { target: TARGET, clock: w.clock }))._unsafeUnwrapErr();
        expect(e).toMatchObject({ code: 'forbidden-action', details: { source: 'config.orchestration.deployAction' } });
      } finally {
        delete process.env.HOTFIX_TEST_ACTION;
      }
      expect(w.gitlabRequests()).toEqual([]);
    });

    it('when the configured cut-off name was changed to hide it', async () => {
      const config = {
        ...w.config,
        orchestration: { ...w.config.orchestration, deployAction: CUT_OFF, cutOffAction: 'something-else' },
      };
      const e = (await triggerGuidedRelease(w.client, config, { target: TARGET, clock: w.clock }))._unsafeUnwrapErr();
      expect(e.code).toBe('forbidden-action');
      expect(w.gitlabRequests()).toEqual([]);
    });

    it('when a crafted options object smuggles an action or a target', async () => {
      for (const options of [
        { target: TARGET, action: CUT_OFF },
        { target: TARGET, inputs: { action: 'BRING_ALL_CODE_TO_RELEASE_BRANCH' } },
        { target: `evenergi/${CUT_OFF}` },
      ]) {
        // A crafted value, as from untyped JavaScript.
        const e = (
          await triggerGuidedRelease(w.client, w.config, options as unknown as TriggerGuidedReleaseOptions)
        )._unsafeUnwrapErr();
        expect(e).toMatchObject({ code: 'forbidden-action', runbookRef: 'S5' });
      }
      expect(w.gitlabRequests()).toEqual([]);
    });
  });

  it('adopts the pipeline when the creation response is lost (one POST in the request log)', async () => {
    w.sim.fault({ method: 'POST', route: '/projects/:id/pipeline', kind: 'drop-after' });
    const events: ReleaseEvent[] = [];
    const p = (
      await triggerGuidedRelease(w.client, w.config, { target: TARGET, clock: w.clock, onEvent: (e) => events.push(e) })
    )._unsafeUnwrap();
    expect(p.how).toBe('adopted-after-lost-response');
    const posts = w.sim.controls.find('POST', '/projects/:id/pipeline');
    expect(posts).toHaveLength(1);
    expect(posts[0]).toMatchObject({ fault: 'drop-after', handled: true });
    const listed = w.sim.controls.find('GET', '/projects/:id/pipelines');
    expect(listed.length).toBeGreaterThanOrEqual(2);
    expect(listed.at(-1)?.query).toContain('source=api');
    expect(listed.at(-1)?.query).toContain('username=root');
    expect(p.reported.inputs).toEqual(reportedFor(TARGET).inputs);
    expect(events).toMatchObject([{ type: 'pipeline-adopted', why: 'lost-response', pipelineId: p.id }]);
  });

  it('hands the exact request to beforeSend before the POST; a failing beforeSend sends nothing', async () => {
    const seen: { body: unknown; posts: number; seenBeforeId: number }[] = [];
    const p = (
      await triggerGuidedRelease(w.client, w.config, {
        target: TARGET,
        clock: w.clock,
        beforeSend: (intent) => {
          seen.push({
            body: intent.body,
            posts: w.sim.controls.find('POST', '/projects/:id/pipeline').length,
            seenBeforeId: intent.seenBeforeId,
          });
        },
      })
    )._unsafeUnwrap();
    expect(seen).toEqual([
      {
        body: p.request.via === 'inputs' ? { ref: 'main', inputs: p.request.inputs } : {},
        posts: 0,
        seenBeforeId: expect.any(Number),
      },
    ]);
    expect(seen[0]?.seenBeforeId).toBeLessThan(p.id);
    await w.advance(10 * 60_000);
    w.sim.controls.clearLog();
    const e = (
      await triggerGuidedRelease(w.client, w.config, {
        target: TARGET,
        clock: w.clock,
        beforeSend: async () => {
          throw new Error('disk full');
        },
      })
    )._unsafeUnwrapErr();
    expect(e).toMatchObject({ code: 'internal', runbookRef: 'S4', details: { reason: 'disk full' } });
    expect(w.sim.controls.find('POST', '/projects/:id/pipeline')).toEqual([]);
  });

  it('given previouslySent, adopts the pipeline a predecessor process created (no name needed), never a second POST', async () => {
    const listed = await w.api('GET', '/projects/evenergi%2Fdevelop/pipelines?order_by=id&sort=desc&per_page=1');
    const seenBeforeId = (listed.body as { id: number }[])[0]?.id ?? 0;
    // The predecessor's POST reached GitLab; its answer died with the process (nothing shared in memory).
    const theirs = await w.api('POST', '/projects/evenergi%2Fdevelop/pipeline', {
      ref: 'main',
      inputs: { action: 'deploy-release-branch-to-staging', project: TARGET, confirm: true },
    });
    expect(theirs.status).toBe(201);
    await w.advance(1_000);
    w.sim.controls.clearLog();
    const p = (
      await triggerGuidedRelease(w.client, w.config, {
        target: TARGET,
        clock: w.clock,
        reuseWindowMs: 0,
        previouslySent: { seenBeforeId },
      })
    )._unsafeUnwrap();
    expect([p.id, p.how]).toEqual([(theirs.body as { id: number }).id, 'adopted-after-lost-response']);
    expect(w.sim.controls.find('POST', '/projects/:id/pipeline')).toEqual([]);
    // A bound at or above it says the pipeline was there before the request: it is not adopted.
    await w.advance(10 * 60_000);
    const fresh = (
      await triggerGuidedRelease(w.client, w.config, {
        target: TARGET,
        clock: w.clock,
        reuseWindowMs: 0,
        previouslySent: { seenBeforeId: p.id },
      })
    )._unsafeUnwrap();
    expect(fresh.how).toBe('created');
    expect(fresh.id).toBeGreaterThan(p.id);
  });

  it('returns outcome-unknown, without a second POST, when the POST failed and nothing shows up', async () => {
    w.sim.fault({ method: 'POST', route: '/projects/:id/pipeline', kind: 'drop-before' });
    const e = (await triggerGuidedRelease(w.client, w.config, { target: TARGET, clock: w.clock }))._unsafeUnwrapErr();
    expect(e).toMatchObject({ code: 'outcome-unknown', retryable: true, runbookRef: 'S4' });
    expect(w.sim.controls.find('POST', '/projects/:id/pipeline')).toHaveLength(1);
    expect(w.sim.controls.find('GET', '/projects/:id/pipelines')).toHaveLength(4);
  });

  it('creates one pipeline for two concurrent calls for the same target; the second adopts it', async () => {
    const [a, b] = await Promise.all([
      triggerGuidedRelease(w.client, w.config, { target: TARGET, clock: w.clock }),
      triggerGuidedRelease(w.client, w.config, { target: TARGET, clock: w.clock }),
    ]);
    expect(a._unsafeUnwrap().id).toBe(b._unsafeUnwrap().id);
    expect([a._unsafeUnwrap().how, b._unsafeUnwrap().how].sort()).toEqual(['adopted-existing', 'created']);
    expect(w.sim.controls.find('POST', '/projects/:id/pipeline')).toHaveLength(1);
  });

  it('adopts a pipeline of ours from the reuse window, whatever its status; reuseWindowMs 0 (R2 rerun) creates anew', async () => {
    const first = (await triggerGuidedRelease(w.client, w.config, { target: TARGET, clock: w.clock }))._unsafeUnwrap();
    await w.advance(90_000);
    const again = (await triggerGuidedRelease(w.client, w.config, { target: TARGET, clock: w.clock }))._unsafeUnwrap();
    expect([again.id, again.how, again.status]).toEqual([first.id, 'adopted-existing', 'success']);
    const rerun = (
      await triggerGuidedRelease(w.client, w.config, { target: TARGET, clock: w.clock, reuseWindowMs: 0 })
    )._unsafeUnwrap();
    expect(rerun.how).toBe('created');
    expect(rerun.id).toBeGreaterThan(first.id);
  });

  it('creates two pipelines for concurrent calls with allowConcurrent, and one per target', async () => {
    const [a, b, c] = await Promise.all([
      triggerGuidedRelease(w.client, w.config, { target: TARGET, clock: w.clock, allowConcurrent: true }),
      triggerGuidedRelease(w.client, w.config, { target: TARGET, clock: w.clock, allowConcurrent: true }),
      triggerGuidedRelease(w.client, w.config, { target: 'evenergi/billing-service', clock: w.clock }),
    ]);
    expect(new Set([a, b, c].map((r) => r._unsafeUnwrap().id)).size).toBe(3);
    expect(w.sim.controls.find('POST', '/projects/:id/pipeline')).toHaveLength(3);
  });

  it('does not adopt a pipeline of the cut-off action or of another target', async () => {
    const other = await w.api('POST', '/projects/evenergi%2Fdevelop/pipeline', {
      ref: 'main',
      inputs: { action: 'deploy-release-branch-to-staging', project: 'evenergi/fleet-portal', confirm: true },
    });
    expect(other.status).toBe(201);
    const p = (await triggerGuidedRelease(w.client, w.config, { target: TARGET, clock: w.clock }))._unsafeUnwrap();
    expect(p.how).toBe('created');
    expect(p.id).not.toBe((other.body as { id: number }).id);
  });

  it('does not adopt a pipeline another user created for the same target', async () => {
    const res = await fetch(`${w.sim.apiUrl}/projects/evenergi%2Fdevelop/pipeline`, {
      method: 'POST',
      // A Maintainer: the realistic demo protects the orchestration branch from Developers.
      headers: { 'private-token': demoScenarioInfo.users.maintainer.token, 'content-type': 'application/json' },
      body: JSON.stringify({
        ref: 'main',
        inputs: { action: 'deploy-release-branch-to-staging', project: TARGET, confirm: true },
      }),
    });
    expect(res.status).toBe(201);
    const theirs = (await res.json()) as { id: number };
    const p = (await triggerGuidedRelease(w.client, w.config, { target: TARGET, clock: w.clock }))._unsafeUnwrap();
    expect(p.how).toBe('created');
    expect(p.id).not.toBe(theirs.id);
  });

  it('returns aborted, without creating anything, when the signal fired before the POST', async () => {
    const ac = new AbortController();
    ac.abort();
    const e = (
      await triggerGuidedRelease(w.client, w.config, { target: TARGET, clock: w.clock, signal: ac.signal })
    )._unsafeUnwrapErr();
    expect(e.code).toBe('aborted');
    expect(w.sim.controls.find('POST', '/projects/:id/pipeline')).toEqual([]);
  });

  it('returns invalid-input naming the field for a bad target', async () => {
    const e = (await triggerGuidedRelease(w.client, w.config, { target: 'not-a-path' }))._unsafeUnwrapErr();
    expect(e).toMatchObject({ code: 'invalid-input', details: { pointer: '/target' } });
    expect(w.gitlabRequests()).toEqual([]);
  });
});
