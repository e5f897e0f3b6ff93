import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseBundle } from '@hotfix-release/evidence';
import { demoScenarioInfo as demo } from '@hotfix-release/gitlab-sim';
import { afterAll, afterEach, beforeAll, describe, expect } from 'vitest';
import { itWithRealisticFailures } from '../../../../test-support/sim-mode.js';
import { gateFailures, makeReleaseWorld, promotionConfig, type ReleaseWorld } from '../../test/release-world.js';
import { PICK_BRANCH_PREFIX } from '../primitives/release-merge-request.js';
import type { ConflictToResolve } from '../primitives/resolve-conflict.js';
import type { RunbookConfig } from '../runbook-config.js';
import { promoteHotfix } from './promote-hotfix.js';
import { resumeHotfix } from './resume-hotfix.js';

/** Runs in both simulator modes (HOTFIX_SIM_MODE); no test is expected to fail in realistic mode. */
const it = itWithRealisticFailures([]);

const MAIN = demo.mergeRequests.cleanPick.project;
const enc = encodeURIComponent(MAIN);

/** Release merge-only (push access "No one", merge Maintainers) and one approval required on every MR. */
async function mergeOnly(w: ReleaseWorld): Promise<void> {
  expect((await w.api('DELETE', `/projects/${enc}/protected_branches/release`)).status).toBe(204);
  const p = await w.api('POST', `/projects/${enc}/protected_branches`, {
    name: 'release',
    push_access_level: 0,
    merge_access_level: 40,
  });
  expect(p.status).toBe(201);
  expect((await w.api('POST', `/projects/${enc}/approval_rules`, { name: 'Any', approvals_required: 1 })).status).toBe(
    201,
  );
}

/** Approves an MR as Bob (a maintainer, not its author), through the API. */
async function approveAsBob(w: ReleaseWorld, iid: number): Promise<number> {
  const res = await fetch(`${w.sim.apiUrl}/projects/${enc}/merge_requests/${iid}/approve`, {
    method: 'POST',
    headers: { 'private-token': demo.users.maintainer.token },
  });
  return res.status;
}

const iidOf = (url: string) => Number(/merge_requests\/(\d+)/.exec(url)?.[1]);

describe('promoteHotfix in merge-request pick mode (issue 19)', () => {
  let w: ReleaseWorld;
  let dir: string;
  let config: RunbookConfig;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'promote-mr-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));
  afterEach(() => w?.close());
  const mrPosts = () =>
    w.gitlabRequests().filter((r) => r.method === 'POST' && r.route === '/projects/:id/merge_requests');
  const options = (journalPath: string) => ({ journalPath, clock: w.clock, minDelayMs: 5_000, maxDelayMs: 20_000 });

  it('stops awaiting-human at approval, opens one MR however often it runs, and resume finishes after approval', async () => {
    w = await makeReleaseWorld({ start: new Date() });
    await mergeOnly(w);
    config = promotionConfig(w, [MAIN]);
    const before = await w.head(MAIN, 'release');
    const journalPath = join(dir, 'mr.journal.json');

    const first = (
      await promoteHotfix(w.client, config, { mr: demo.mergeRequests.cleanPick, ...options(journalPath) })
    )._unsafeUnwrap().targets[0]!;
    expect([first.outcome, first.reason]).toEqual(['pending', 'awaiting-human']);
    expect(first.instruction).toMatch(/merge_requests\/\d+: it needs .*approval.*hotfix resume/);
    expect(await w.head(MAIN, 'release')).toBe(before);
    const rmr = first.record.releaseMergeRequest!;
    expect(rmr).toMatchObject({ state: 'opened', targetBranch: 'release', approvals: { approvedBy: [] } });
    expect(rmr.sourceBranch.startsWith(PICK_BRANCH_PREFIX)).toBe(true);

    // A second run (same journal) adopts the MR: still one POST of a merge request.
    const again = (
      await promoteHotfix(w.client, config, { mr: demo.mergeRequests.cleanPick, ...options(journalPath) })
    )._unsafeUnwrap().targets[0]!;
    expect([again.outcome, again.reason]).toEqual(['pending', 'awaiting-human']);
    // And a run without the journal finds it by its branch and marker too.
    const fresh = (
      await promoteHotfix(w.client, config, { mr: demo.mergeRequests.cleanPick, clock: w.clock })
    )._unsafeUnwrap().targets[0]!;
    expect(fresh.record.releaseMergeRequest?.iid).toBe(rmr.iid);
    expect(mrPosts()).toHaveLength(1);
    expect(
      w.gitlabRequests().filter((r) => r.route.endsWith('/cherry_pick') && r.method === 'POST' && r.status < 400),
    ).toHaveLength(1);

    expect(await approveAsBob(w, iidOf(rmr.webUrl))).toBe(201);
    const done = (await resumeHotfix(w.client, config, options(journalPath)))._unsafeUnwrap();
    const t = done.targets[0]!;
    expect([t.outcome, t.message]).toEqual(['promoted', expect.any(String)]);
    const head = await w.head(MAIN, 'release');
    expect(t.record.releaseMergeRequest).toMatchObject({
      state: 'merged',
      approvals: { approvedBy: [demo.users.maintainer.username] },
      reported: { mergeCommitSha: head },
      observed: { releaseHead: head, method: 'merge-commit' },
    });
    expect(t.record.pick).toMatchObject({ headBefore: before, headAfter: head });
    expect(t.record.drift).toMatchObject({ ok: true, extraCommits: [] });
    expect(mrPosts()).toHaveLength(1);
    expect(w.gitlabRequests().filter((r) => r.route.endsWith('/merge') && r.method === 'PUT')).toHaveLength(1);

    expect(parseBundle(done.bundle).isOk()).toBe(true);
    const gate = await gateFailures(w, config, demo.mergeRequests.cleanPick, done.bundle);
    expect(gate.failing).toEqual([]);
    expect(done.bundle.targets[0]?.deployedCommits?.commits.map((c) => c.sha)).toEqual(
      expect.arrayContaining([head, t.record.pick!.picks[0]!.pickedSha]),
    );
  });

  it('resolves a conflicting pick locally on the pick branch (D3) and the resolved commit lands through the MR', async () => {
    w = await makeReleaseWorld({ start: new Date() });
    await mergeOnly(w);
    config = promotionConfig(w, [MAIN]);
    const journalPath = join(dir, 'mr-conflict.journal.json');
    const resolveConflicts = {
      gitToken: w.sim.token,
      resolvedBy: 'bob',
      committer: { name: 'Hotfix Bot', email: 'bot@example.com' },
      resolver: (c: ConflictToResolve) =>
        Buffer.from(c.ours?.content ?? [])
          .toString('utf8')
          .replace('tariff line 5', 'const night = rates.night * 0.8;'),
    };
    const mr = demo.mergeRequests.conflictingPick;
    const first = (
      await promoteHotfix(w.client, config, { mr, ...options(journalPath), resolveConflicts })
    )._unsafeUnwrap().targets[0]!;
    expect([first.outcome, first.reason]).toEqual(['pending', 'awaiting-human']);
    expect(first.record.conflicts).toEqual([expect.objectContaining({ paths: ['src/tariff.ts'], verified: true })]);
    expect(await approveAsBob(w, first.record.releaseMergeRequest!.iid)).toBe(201);
    const done = (await resumeHotfix(w.client, config, { ...options(journalPath), resolveConflicts }))._unsafeUnwrap();
    const t = done.targets[0]!;
    expect(t.outcome).toBe('promoted');
    expect(t.record.pick?.picks).toEqual([expect.objectContaining({ method: 'local' })]);
    expect(t.record.releaseMergeRequest?.observed?.mergeCommitParents?.[1]).toBe(t.record.pick?.picks[0]?.pickedSha);
    expect(t.record.drift).toMatchObject({ ok: true });
    expect(mrPosts()).toHaveLength(1);
  });

  it('waits for the MR pipeline where pipelines must succeed, and stops awaiting-human when it failed', async () => {
    w = await makeReleaseWorld({ start: new Date() });
    await mergeOnly(w);
    expect((await w.api('PUT', `/projects/${enc}`, { only_allow_merge_if_pipeline_succeeds: true })).status).toBe(200);
    config = promotionConfig(w, [MAIN]);
    const journalPath = join(dir, 'mr-pipeline.journal.json');
    // The MR's pipeline fails: merging is refused until someone fixes or retries it.
    await w.control('POST', '/-/sim/jobs/outcome', { project: MAIN, job: 'test', status: 'failed' });
    const first = (
      await promoteHotfix(w.client, config, { mr: demo.mergeRequests.cleanPick, ...options(journalPath) })
    )._unsafeUnwrap().targets[0]!;
    expect([first.outcome, first.reason]).toEqual(['pending', 'awaiting-human']);
    const rmr = first.record.releaseMergeRequest!;
    // It waited for the pipeline to finish before reading the approvals.
    expect(rmr.pipeline).toMatchObject({ status: 'failed', sha: rmr.sourceSha });
    expect(await approveAsBob(w, rmr.iid)).toBe(201);
    const failed = (await resumeHotfix(w.client, config, options(journalPath)))._unsafeUnwrap().targets[0]!;
    expect([failed.outcome, failed.reason]).toEqual(['pending', 'awaiting-human']);
    expect(failed.instruction).toContain('its pipeline failed');
    expect(w.gitlabRequests().filter((r) => r.route.endsWith('/merge') && r.method === 'PUT')).toHaveLength(0);
    // Someone runs the MR's pipeline again and it passes: resume merges and finishes.
    const rerun = await w.api('POST', `/projects/${enc}/pipeline`, { ref: rmr.sourceBranch });
    expect(rerun.status).toBe(201);
    const done = (await resumeHotfix(w.client, config, options(journalPath)))._unsafeUnwrap().targets[0]!;
    expect(done.outcome).toBe('promoted');
    expect(done.record.releaseMergeRequest).toMatchObject({ state: 'merged', pipeline: { status: 'success' } });
  });

  it('rolls back through a merge request too (R2): revert branch, MR, approval, merge, redeploy', async () => {
    w = await makeReleaseWorld({ start: new Date() });
    await mergeOnly(w);
    config = promotionConfig(w, [MAIN]);
    const journalPath = join(dir, 'mr-rollback.journal.json');
    const first = (
      await promoteHotfix(w.client, config, { mr: demo.mergeRequests.cleanPick, ...options(journalPath) })
    )._unsafeUnwrap().targets[0]!;
    expect(await approveAsBob(w, first.record.releaseMergeRequest!.iid)).toBe(201);
    const failing = {
      ...options(journalPath),
      rollbackOnFailure: true,
      customChecks: { [MAIN]: [{ name: 'checkout works', run: async () => ({ ok: false, output: 'HTTP 500' }) }] },
    };
    const stopped = (await resumeHotfix(w.client, config, failing))._unsafeUnwrap().targets[0]!;
    expect([stopped.outcome, stopped.reason]).toEqual(['pending', 'awaiting-human']);
    expect(stopped.instruction).toMatch(/merge_requests\/\d+: it needs .*approval/);
    const merged = await w.head(MAIN, 'release');
    const reverts = (await w.api('GET', `/projects/${enc}/merge_requests?state=opened&target_branch=release`)).body as {
      iid: number;
      source_branch: string;
    }[];
    const revertMr = reverts.find((m) => m.source_branch.endsWith('-revert'))!;
    expect(revertMr.source_branch.startsWith(PICK_BRANCH_PREFIX)).toBe(true);
    expect(await approveAsBob(w, revertMr.iid)).toBe(201);
    const done = (await resumeHotfix(w.client, config, failing))._unsafeUnwrap().targets[0]!;
    expect([done.outcome, done.reason]).toEqual(['rolled_back', 'validation-failed']);
    const head = await w.head(MAIN, 'release');
    expect(head).not.toBe(merged);
    expect(done.record.rollbacks).toEqual([
      expect.objectContaining({ runbookRef: 'R2', revertSha: head, rerunPipeline: expect.objectContaining({}) }),
    ]);
    expect(mrPosts()).toHaveLength(2);
    // Release holds what it held before the hotfix again: the two heads have the same tree.
    const cmp = (await w.client.compare(MAIN, done.record.pick!.headBefore, head))._unsafeUnwrap();
    expect(cmp.diffs).toEqual([]);
  });
});
