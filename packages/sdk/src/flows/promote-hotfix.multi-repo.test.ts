/**
 * Issue 24, D4 as teams live it: one fix split over two services, one merge request per repository
 * (an API change in charging-api and its client in fleet-portal), promoted together into one bundle.
 * Real HTTP to the simulator, in both modes.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseBundle, readJournal } from '@hotfix-release/evidence';
import { demoScenarioInfo as demo } from '@hotfix-release/gitlab-sim';
import { checkBundles } from '@hotfix-release/policy';
import { afterAll, afterEach, beforeAll, describe, expect } from 'vitest';
import { itWithRealisticFailures } from '../../../../test-support/sim-mode.js';
import { gateExpectations, makeReleaseWorld, promotionConfig, type ReleaseWorld } from '../../test/release-world.js';
import { readReleaseLock } from '../primitives/release-lock.js';
import type { RunbookConfig } from '../runbook-config.js';
import { promoteHotfix } from './promote-hotfix.js';
import { resumeHotfix } from './resume-hotfix.js';
import { rollbackHotfix } from './rollback-hotfix.js';

/** Runs in both simulator modes (HOTFIX_SIM_MODE); no test is expected to fail in realistic mode. */
const it = itWithRealisticFailures([]);

const API = demo.mergeRequests.cleanPick; // evenergi/charging-api!1
const PORTAL = demo.mergeRequests.squashMerged; // evenergi/fleet-portal!1
const LABEL = demo.validatedLabel;

describe('promoteHotfix: one hotfix across several repositories (D4, issue 24)', () => {
  let w: ReleaseWorld;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'multi-repo-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));
  afterEach(() => w?.close());

  const writes = () =>
    w
      .gitlabRequests()
      .filter((r) => r.method !== 'GET' && r.handled && r.status < 400)
      .filter((r) => !(r.body as { dry_run?: boolean } | undefined)?.dry_run);
  const labels = async (mr: { project: string; iid: number }) =>
    (await w.client.mergeRequest(mr.project, mr.iid))._unsafeUnwrap().labels;
  /** The gate: its own policy file, and exactly the two MRs it was asked to admit (never the bundle's word). */
  const gate = (config: RunbookConfig, mrs: { project: string; iid: number }[]) => {
    const base = gateExpectations(w.sim.url, config, API);
    return {
      now: new Date(w.sim.clock.now() + 60_000).toISOString(),
      policy: { ...base.policy, governedProjects: mrs.map((m) => m.project) },
      expected: { mrs },
    };
  };

  it('promotes two merged MRs in two projects together: locks first in path order, one bundle, a note and label per MR, and the policy passes', async () => {
    w = await makeReleaseWorld({ start: new Date() });
    const config = promotionConfig(w, [API.project, PORTAL.project]);
    const journalPath = join(dir, 'together.journal.json');
    // Given in the other order than their paths sort: the locks are still taken in path order.
    const r = (
      await promoteHotfix(w.client, config, {
        hotfixes: [{ mr: PORTAL }, { mr: API }],
        journalPath,
        clock: w.clock,
      })
    )._unsafeUnwrap();
    expect(r.ok).toBe(true);
    expect(r.targets.map((t) => [t.target, t.hotfix, t.outcome])).toEqual([
      [PORTAL.project, `${PORTAL.project}!${PORTAL.iid}`, 'promoted'],
      [API.project, `${API.project}!${API.iid}`, 'promoted'],
    ]);
    const b = r.bundle;
    expect(b.schemaVersion).toBe('3.0.0');
    expect(b.hotfixes.map((h) => `${h.mr.project}!${h.mr.iid}`)).toEqual([
      `${PORTAL.project}!${PORTAL.iid}`,
      `${API.project}!${API.iid}`,
    ]);
    expect(b.targets.map((t) => t.hotfix)).toEqual([`${PORTAL.project}!${PORTAL.iid}`, `${API.project}!${API.iid}`]);
    expect(b.promotedTargets).toEqual([PORTAL.project, API.project]);
    expect(parseBundle(JSON.parse(JSON.stringify(b))).isOk()).toBe(true);
    // Every release lock before the first side effect, in project-path order.
    const all = writes();
    const lockWrites = all
      .map((x, i) => ({ i, branch: String((x.body as { branch?: unknown } | undefined)?.branch ?? ''), x }))
      .filter((x) => x.branch.startsWith('hotfix-release/lock/'));
    const firstPick = all.findIndex((x) => x.route.endsWith('/cherry_pick'));
    const takes = lockWrites.slice(0, 2);
    expect(takes.every((t) => t.i < firstPick)).toBe(true);
    expect(takes.map((t) => decodeURIComponent(t.x.path))).toEqual([
      expect.stringContaining(API.project),
      expect.stringContaining(PORTAL.project),
    ]);
    // Each MR got its own note and its own label.
    const posts = all.map((x) => `${x.method} ${decodeURIComponent(x.path)}`);
    expect(posts.filter((p) => p.includes(`${API.project}/merge_requests/${API.iid}/notes`))).toHaveLength(1);
    expect(posts.filter((p) => p.includes(`${PORTAL.project}/merge_requests/${PORTAL.iid}/notes`))).toHaveLength(1);
    expect(await labels(API)).toContain(LABEL);
    expect(await labels(PORTAL)).toContain(LABEL);
    // The gate, asked for exactly these two MRs, admits the bundle; asked for one only, it refuses it.
    const report = (await checkBundles([{ name: 'bundle', value: b }], gate(config, [API, PORTAL])))._unsafeUnwrap();
    const failing = report.bundles.flatMap((x) =>
      x.results.filter((c) => c.status !== 'pass' && c.status !== 'not_applicable'),
    );
    expect(failing).toEqual([]);
    expect(report.exitCode).toBe(0);
    const one = (await checkBundles([{ name: 'bundle', value: b }], gate(config, [API])))._unsafeUnwrap();
    expect(one.bundles[0]?.results.find((c) => c.id === 'bundle-claims')?.status).toBe('fail');
    // The journal resumes as the same multi-MR promotion: complete, nothing repeated.
    const again = (await resumeHotfix(w.client, config, { journalPath, clock: w.clock }))._unsafeUnwrap();
    expect(again.bundle.promotedTargets).toEqual([PORTAL.project, API.project]);
    expect(writes().filter((x) => x.route.endsWith('/cherry_pick'))).toHaveLength(2);
  });

  it('with the second service’s deployment failing: the bundle names exactly the first, only the first MR is labelled; rollback reverts and redeploys the first (R2) and reverts the second’s undeployed pick without deploying (R1)', async () => {
    w = await makeReleaseWorld({ start: new Date() });
    const config = promotionConfig(w, [API.project, PORTAL.project]);
    await w.control('POST', '/-/sim/jobs/outcome', {
      project: PORTAL.project,
      job: 'deploy-staging',
      status: 'failed',
    });
    const r = (
      await promoteHotfix(w.client, config, { hotfixes: [{ mr: API }, { mr: PORTAL }], clock: w.clock })
    )._unsafeUnwrap();
    expect(r.ok).toBe(false);
    expect(r.targets.map((t) => [t.target, t.outcome])).toEqual([
      [API.project, 'promoted'],
      [PORTAL.project, 'failed'],
    ]);
    expect(r.bundle.promotedTargets).toEqual([API.project]);
    expect(await labels(API)).toContain(LABEL);
    expect(await labels(PORTAL)).not.toContain(LABEL);
    expect(r.bundle.targets.find((t) => t.project === PORTAL.project)?.label).toBeUndefined();
    // The gate judges the bundle per target: the first passes E1–E8, the second is not promoted.
    const report = (
      await checkBundles([{ name: 'bundle', value: r.bundle }], gate(config, [API, PORTAL]))
    )._unsafeUnwrap();
    const results = report.bundles[0]?.results ?? [];
    expect(results.filter((c) => c.target === API.project && c.status === 'fail')).toEqual([]);
    expect(results.find((c) => c.id === 'E4' && c.target === PORTAL.project)?.status).toBe('not_applicable');
    expect(results.find((c) => c.id === 'promoted-targets')?.status).toBe('pass');

    // Rollback from the same bundle, per target: R2 where deployed, R1 where the pick never reached staging.
    await w.control('POST', '/-/sim/jobs/outcome', {
      project: PORTAL.project,
      job: 'deploy-staging',
      status: 'success',
    });
    const pipelinesBefore = writes().filter((x) => x.route.endsWith('/pipeline')).length;
    const back = (
      await rollbackHotfix(w.client, config, { bundle: r.bundle, reason: 'the fix is wrong', clock: w.clock })
    )._unsafeUnwrap();
    expect(back.targets.map((t) => [t.target, t.runbookRef, t.ok])).toEqual([
      [API.project, 'R2', true],
      [PORTAL.project, 'R1', true],
    ]);
    const byProject = (p: string) => back.bundle.targets.find((t) => t.project === p);
    expect(byProject(API.project)?.rollbacks[0]?.rerunPipeline).not.toBeNull();
    expect(byProject(PORTAL.project)?.rollbacks[0]).toMatchObject({ runbookRef: 'R1', rerunPipeline: null });
    // One redeploy (the first service's), none for the second.
    expect(writes().filter((x) => x.route.endsWith('/pipeline')).length - pipelinesBefore).toBe(1);
    expect(back.bundle.promotedTargets).toEqual([]);
    expect(await labels(API)).not.toContain(LABEL);
  });

  it('a target that stops stops those that depend on it (recorded with the reason); nothing is changed in them', async () => {
    w = await makeReleaseWorld({ start: new Date() });
    const config = promotionConfig(w, [API.project, PORTAL.project]);
    await w.control('POST', '/-/sim/jobs/outcome', { project: API.project, job: 'deploy-staging', status: 'failed' });
    const journalPath = join(dir, 'blocked.journal.json');
    const r = (
      await promoteHotfix(w.client, config, {
        // Given first, but it depends on the API: promoted after it, and not at all when the API stops.
        hotfixes: [{ mr: PORTAL, dependsOn: [API.project] }, { mr: API }],
        journalPath,
        clock: w.clock,
      })
    )._unsafeUnwrap();
    expect(r.targets.map((t) => [t.target, t.outcome, t.reason])).toEqual([
      [API.project, 'failed', 'deploy-failed'],
      [PORTAL.project, 'failed', 'blocked'],
    ]);
    const portal = r.bundle.targets.find((t) => t.project === PORTAL.project);
    expect(portal?.blocked).toMatchObject({ blockedBy: [API.project], reason: expect.stringContaining('D4') });
    expect(portal?.dependsOn).toEqual([API.project]);
    expect(portal?.pick).toBeUndefined();
    expect(r.bundle.promotedTargets).toEqual([]);
    const touched = writes().filter((x) => {
      const at = decodeURIComponent(x.path);
      return (
        at.includes(PORTAL.project) &&
        !String((x.body as { branch?: unknown })?.branch ?? '').startsWith('hotfix-release/lock/')
      );
    });
    expect(touched).toEqual([]);
    // Its lock was taken with the others and released at the end.
    const lock = (await readReleaseLock(w.client, PORTAL.project, 'release'))._unsafeUnwrap();
    expect(lock?.file?.state).toBe('released');
    const state = (await readJournal(journalPath))._unsafeUnwrap();
    expect(state.completed.some((s) => s.step === 'blocked' && s.target === PORTAL.project)).toBe(true);
  });

  it('resumes a multi-MR journal killed in the second MR’s target: the same MRs, order and locks, nothing repeated', async () => {
    w = await makeReleaseWorld({ start: new Date() });
    const config = promotionConfig(w, [API.project, PORTAL.project]);
    const journalPath = join(dir, 'crash.journal.json');
    const crashed = await promoteHotfix(
      w.client,
      config,
      { hotfixes: [{ mr: API }, { mr: PORTAL, dependsOn: [API.project] }], journalPath, clock: w.clock },
      {
        afterStep: (step, target) => {
          if (step === 'trigger' && target === PORTAL.project) throw new Error('killed');
        },
      },
    );
    expect(crashed.isErr()).toBe(true);
    const r = (await resumeHotfix(w.client, config, { journalPath, clock: w.clock }))._unsafeUnwrap();
    expect(r.targets.map((t) => [t.target, t.hotfix, t.outcome])).toEqual([
      [API.project, `${API.project}!${API.iid}`, 'promoted'],
      [PORTAL.project, `${PORTAL.project}!${PORTAL.iid}`, 'promoted'],
    ]);
    expect(r.bundle.targets.find((t) => t.project === PORTAL.project)?.dependsOn).toEqual([API.project]);
    const posts = writes().map((x) => x.route);
    expect(posts.filter((p) => p.endsWith('/cherry_pick'))).toHaveLength(2);
    expect(posts.filter((p) => p.endsWith('/pipeline'))).toHaveLength(2);
    expect(await labels(API)).toContain(LABEL);
    expect(await labels(PORTAL)).toContain(LABEL);
  });

  it('checks every MR before anything changes and reports every finding at once; refuses a target named twice', async () => {
    w = await makeReleaseWorld({ start: new Date() });
    const config = promotionConfig(w, [API.project, PORTAL.project]);
    const e = (
      await promoteHotfix(w.client, config, {
        hotfixes: [{ mr: demo.mergeRequests.open }, { mr: { project: PORTAL.project, iid: 404 } }],
        clock: w.clock,
      })
    )._unsafeUnwrapErr();
    expect(e.code).toBe('preflight-failed');
    const findings = (e.details as { findings: { message: string }[] }).findings.map((f) => f.message);
    expect(findings.some((m) => m.startsWith(`${API.project}!${demo.mergeRequests.open.iid}: `))).toBe(true);
    expect(findings.some((m) => m.startsWith(`${PORTAL.project}!404: `))).toBe(true);
    expect(writes()).toEqual([]);
    const twice = (
      await promoteHotfix(w.client, config, {
        hotfixes: [{ mr: API }, { mr: PORTAL, targets: [API.project] }],
        clock: w.clock,
      })
    )._unsafeUnwrapErr();
    expect(twice).toMatchObject({ code: 'invalid-input', runbookRef: 'D4' });
    expect(twice.message).toContain(`${API.project} is a target of ${API.project}!${API.iid} and of`);
    const both = (
      await promoteHotfix(w.client, config, { mr: API, hotfixes: [{ mr: PORTAL }], clock: w.clock })
    )._unsafeUnwrapErr();
    expect(both.code).toBe('invalid-input');
    expect(writes()).toEqual([]);
  });
});
