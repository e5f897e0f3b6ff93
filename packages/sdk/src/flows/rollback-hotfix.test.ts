import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readJournal } from '@hotfix-release/evidence';
import { demoScenarioInfo as demo } from '@hotfix-release/gitlab-sim';
import { afterAll, afterEach, beforeAll, describe, expect } from 'vitest';
import { itWithRealisticFailures } from '../../../../test-support/sim-mode.js';
import { makeReleaseWorld, type ReleaseWorld } from '../../test/release-world.js';
import { parseRunbookConfig, type RunbookConfig } from '../runbook-config.js';
import { promoteHotfix } from './promote-hotfix.js';
import { resumeHotfix } from './resume-hotfix.js';
import { rollbackHotfix } from './rollback-hotfix.js';

/** Runs in both simulator modes (HOTFIX_SIM_MODE); no test is expected to fail in realistic mode. */
const it = itWithRealisticFailures([]);

const MAIN = demo.mergeRequests.cleanPick.project;

function configFor(w: ReleaseWorld): RunbookConfig {
  const health = `${w.sim.url}/-/sim/services/${MAIN}/staging/health`;
  return parseRunbookConfig({
    services: [
      { project: MAIN, health: { url: health }, smokeChecks: [{ name: 'version', url: health, jsonPath: 'version' }] },
    ],
  })._unsafeUnwrap();
}

describe('rollbackHotfix and resumeHotfix', () => {
  let w: ReleaseWorld;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rollback-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));
  afterEach(() => w?.close());

  it('backs a deployed hotfix out (R2): revert, rerun the pipeline with the same inputs, revalidate', async () => {
    w = await makeReleaseWorld({ start: new Date() });
    const config = configFor(w);
    const before = await w.head(MAIN, 'release');
    const promoted = (
      await promoteHotfix(w.client, config, { mr: demo.mergeRequests.cleanPick, clock: w.clock })
    )._unsafeUnwrap();
    expect(promoted.ok).toBe(true);
    const r = (
      await rollbackHotfix(w.client, config, {
        bundle: promoted.bundle,
        reason: 'checkout broken in staging',
        clock: w.clock,
      })
    )._unsafeUnwrap();
    expect(r.targets).toEqual([
      { target: MAIN, runbookRef: 'R2', ok: true, message: expect.stringMatching(/^reverted as /) },
    ]);
    const t = r.bundle.targets[0]!;
    expect(t.outcome).toBe('rolled_back');
    // What was sent (journaled before the POST): GitLab reports inputs back only through a pipeline name.
    expect(t.rollbacks[0]?.rerunPipeline?.sent?.inputs).toMatchObject({
      action: 'deploy-release-branch-to-staging',
      project: MAIN,
      confirm: true,
    });
    expect(r.bundle.promotedTargets).toEqual([]);
    expect(t.label).toMatchObject({ present: false });
    const mr = (await w.client.mergeRequest(MAIN, demo.mergeRequests.cleanPick.iid))._unsafeUnwrap();
    expect(mr.labels).not.toContain('Validated in Staging');
    const cmp = (
      await w.client.compare(MAIN, before, await w.head(MAIN, 'release'), { straight: true })
    )._unsafeUnwrap();
    expect(cmp.diffs).toEqual([]);
  });

  it('refuses with drift (R3) when release moved since the pick', async () => {
    w = await makeReleaseWorld({ start: new Date() });
    const config = configFor(w);
    const promoted = (
      await promoteHotfix(w.client, config, { mr: demo.mergeRequests.cleanPick, clock: w.clock })
    )._unsafeUnwrap();
    await w.api('POST', `/projects/${encodeURIComponent(MAIN)}/repository/commits`, {
      branch: 'release',
      commit_message: 'someone else',
      actions: [{ action: 'create', file_path: 'other.txt', content: 'x\n' }],
    });
    const r = (
      await rollbackHotfix(w.client, config, { bundle: promoted.bundle, reason: 'test', clock: w.clock })
    )._unsafeUnwrap();
    expect(r.ok).toBe(false);
    expect(r.targets[0]?.error).toMatchObject({ code: 'drift', runbookRef: 'R3' });
  });

  it('resumes from a journal alone and refuses a missing journal', async () => {
    w = await makeReleaseWorld({ start: new Date() });
    const config = configFor(w);
    const journalPath = join(dir, 'resume.journal.json');
    const first = await promoteHotfix(
      w.client,
      config,
      { mr: demo.mergeRequests.cleanPick, journalPath, clock: w.clock },
      {
        afterStep: (s) => {
          if (s === 'trigger') throw new Error('killed');
        },
      },
    );
    expect(first.isErr() || !first._unsafeUnwrap().ok).toBe(true);
    const resumed = (await resumeHotfix(w.client, config, { journalPath, clock: w.clock }))._unsafeUnwrap();
    expect(resumed.ok).toBe(true);
    expect(w.gitlabRequests().filter((r) => r.method === 'POST' && r.route.endsWith('/pipeline'))).toHaveLength(1);
    expect(
      (await resumeHotfix(w.client, config, { journalPath: join(dir, 'nope.json') }))._unsafeUnwrapErr().code,
    ).toBe('evidence');
  });
  it('decides R2 from GitLab when the bundle records no deployment but staging runs the pick', async () => {
    w = await makeReleaseWorld({ start: new Date() });
    const config = configFor(w);
    const promoted = (
      await promoteHotfix(w.client, config, { mr: demo.mergeRequests.cleanPick, clock: w.clock })
    )._unsafeUnwrap();
    // The flow's own belief says "never deployed" (as a bundle whose run stopped before its wait would).
    const { digest: _digest, ...unsealed } = structuredClone(promoted.bundle);
    const t0 = unsealed.targets[0]!;
    delete t0.deployment;
    delete t0.deployedSha;
    delete t0.deployedCommits;
    const r = (
      await rollbackHotfix(w.client, config, { bundle: unsealed, reason: 'broken', clock: w.clock })
    )._unsafeUnwrap();
    expect(r.targets[0]).toMatchObject({ runbookRef: 'R2', ok: true });
    expect(r.bundle.targets[0]?.rollbacks[0]).toMatchObject({
      runbookRef: 'R2',
      rerunPipeline: { id: expect.any(Number) },
    });
    // Staging runs the reverted release again: no deployed pick was reverted without a redeploy.
    const env = (await w.client.environmentsByName(MAIN, 'staging'))._unsafeUnwrap()[0]!;
    const last = (await w.client.environment(MAIN, env.id))._unsafeUnwrap().last_deployment;
    expect(last?.sha).toBe(await w.head(MAIN, 'release'));
  });

  it('decides R1 from GitLab when staging never ran the pick: revert only, no pipeline', async () => {
    w = await makeReleaseWorld({ start: new Date() });
    const config = configFor(w);
    const journalPath = join(dir, 'never-deployed.journal.json');
    const first = await promoteHotfix(
      w.client,
      config,
      { mr: demo.mergeRequests.cleanPick, journalPath, clock: w.clock },
      {
        afterStep: (s) => {
          if (s === 'drift') throw new Error('killed before the pipeline');
        },
      },
    );
    expect(first.isErr()).toBe(true);
    const state = (await readJournal(journalPath))._unsafeUnwrap();
    const pipelinesBefore = w
      .gitlabRequests()
      .filter((q) => q.method === 'POST' && q.route.endsWith('/pipeline')).length;
    // A target the bundle does not hold is refused before any request; one cased otherwise is the same project.
    const seen = w.gitlabRequests().length;
    const stray = (
      await rollbackHotfix(w.client, config, {
        bundle: state.bundle,
        reason: 'not wanted',
        targets: ['evenergi/nowhere'],
        clock: w.clock,
      })
    )._unsafeUnwrapErr();
    expect(stray).toMatchObject({ code: 'invalid-input', details: { issues: [{ pointer: '/targets/0' }] } });
    expect(stray.message).toContain(`evenergi/nowhere is not a target of this bundle (its targets: ${MAIN})`);
    expect(w.gitlabRequests()).toHaveLength(seen);
    const r = (
      await rollbackHotfix(w.client, config, {
        bundle: state.bundle,
        reason: 'not wanted',
        targets: [MAIN.toUpperCase()],
        clock: w.clock,
      })
    )._unsafeUnwrap();
    expect(r.targets[0]).toMatchObject({ target: MAIN, runbookRef: 'R1', ok: true });
    expect(r.bundle.targets[0]?.rollbacks[0]).toMatchObject({ runbookRef: 'R1', rerunPipeline: null });
    expect(w.gitlabRequests().filter((q) => q.method === 'POST' && q.route.endsWith('/pipeline'))).toHaveLength(
      pipelinesBefore,
    );
  });

  it('stops R3 and touches nothing when what staging runs cannot be read', async () => {
    w = await makeReleaseWorld({ start: new Date(), retry: { maxAttempts: 1 } });
    const config = configFor(w);
    const promoted = (
      await promoteHotfix(w.client, config, { mr: demo.mergeRequests.cleanPick, clock: w.clock })
    )._unsafeUnwrap();
    const head = await w.head(MAIN, 'release');
    const isLockWrite = (q: { body?: unknown }) =>
      String((q.body as { branch?: unknown } | undefined)?.branch ?? '').startsWith('hotfix-release/lock/');
    const releaseWrites = () => w.gitlabRequests().filter((q) => q.method !== 'GET' && !isLockWrite(q)).length;
    const writesBefore = releaseWrites();
    w.sim.fault({
      method: 'GET',
      route: '/projects/:id/environments',
      kind: 'status',
      status: 503,
      times: Number.POSITIVE_INFINITY,
    });
    const r = (
      await rollbackHotfix(w.client, config, { bundle: promoted.bundle, reason: 'broken', clock: w.clock })
    )._unsafeUnwrap();
    expect(r.ok).toBe(false);
    expect(r.targets[0]?.error).toMatchObject({ code: 'drift', runbookRef: 'R3' });
    expect(r.targets[0]?.message).toContain('nothing was reverted');
    // Nothing but the release lock's own branch was written (taken and given back around the decision).
    expect(releaseWrites()).toBe(writesBefore);
    expect(await w.head(MAIN, 'release')).toBe(head);
  });

  it('runs under the release lock: refused naming the holder while another promotion holds it', async () => {
    w = await makeReleaseWorld({ start: new Date() });
    const config = configFor(w);
    const promoted = (
      await promoteHotfix(w.client, config, { mr: demo.mergeRequests.cleanPick, clock: w.clock })
    )._unsafeUnwrap();
    const other = demo.mergeRequests.conflictingPick;
    const journalPath = join(dir, 'holder.journal.json');
    const held = (await promoteHotfix(w.client, config, { mr: other, journalPath, clock: w.clock }))._unsafeUnwrap();
    expect(held.targets[0]).toMatchObject({ outcome: 'pending', reason: 'conflict' });
    const head = await w.head(MAIN, 'release');
    const r = await rollbackHotfix(w.client, config, {
      bundle: promoted.bundle,
      reason: 'broken',
      clock: w.clock,
      lock: { wait: false },
    });
    expect(r._unsafeUnwrapErr()).toMatchObject({
      code: 'lock-held',
      details: { holder: { mr: `${MAIN}!${other.iid}` } },
    });
    expect(await w.head(MAIN, 'release')).toBe(head);
  });
});
