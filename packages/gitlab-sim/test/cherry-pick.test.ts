import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoScenarioInfo as demo } from '../src/scenarios/demo.js';
import type { GitLabSim } from '../src/server.js';
import { enc, startDemo, type TestApi, testApi } from './helpers.js';

const FAILED =
  "Can't perform this action automatically. It may have already been done, or a more recent commit may have updated some of this content. Please perform this action locally.";

describe('POST /projects/:id/repository/commits/:sha/cherry_pick and /revert', () => {
  let sim: GitLabSim;
  let api: TestApi;
  const p = enc(demo.mergeRequests.cleanPick.project);
  const pick = (sha: string, body: Record<string, unknown>, token?: string) =>
    api.call('POST', `/projects/${p}/repository/commits/${sha}/cherry_pick`, body, token);
  const mergeSha = async (iid: number) => (await api.get(`/projects/${p}/merge_requests/${iid}`)).merge_commit_sha;
  beforeAll(async () => {
    sim = await startDemo();
    api = testApi(sim);
  });
  afterAll(() => sim.close());

  it('returns 400 conflict (and dry_run error) when the pick conflicts on release', async () => {
    const sha = await mergeSha(demo.mergeRequests.conflictingPick.iid);
    const real = await pick(sha, { branch: 'release' });
    expect(real).toMatchObject({
      status: 400,
      body: { message: `Merge request cherry-pick failed: ${FAILED}`, error_code: 'conflict' },
    });
    const dry = await pick(sha, { branch: 'release', dry_run: true });
    expect(dry.body).toEqual({
      message: `Merge request cherry-pick failed: ${FAILED}`,
      error_code: 'conflict',
      dry_run: 'error',
    });
  });

  it('returns 400 empty for a change already on release, whose pick carries the trailer', async () => {
    const sha = await mergeSha(demo.mergeRequests.alreadyApplied.iid);
    const release = await api.get(`/projects/${p}/repository/commits?ref_name=release&per_page=100`);
    expect(release.some((c: { message: string }) => c.message.includes(`(cherry picked from commit ${sha})`))).toBe(
      true,
    );
    const again = await pick(sha, { branch: 'release' });
    expect(again).toMatchObject({ status: 400, body: { error_code: 'empty' } });
  });

  it('returns GitLab errors for a missing branch param, unknown sha, unknown branch and a protected branch', async () => {
    const sha = await mergeSha(demo.mergeRequests.cleanPick.iid);
    expect(await pick(sha, {})).toMatchObject({ status: 400, body: { error: 'branch is missing' } });
    expect(await pick(sha, { branch: '' })).toMatchObject({ status: 400, body: { error: 'branch is empty' } });
    expect(await pick('0'.repeat(40), { branch: 'release' })).toMatchObject({
      status: 404,
      body: { message: '404 Commit Not Found' },
    });
    expect(await pick(sha, { branch: 'nope' })).toMatchObject({
      status: 404,
      body: { message: '404 Branch Not Found' },
    });
    const dev = await pick(sha, { branch: 'release' }, demo.users.developer.token);
    expect(dev).toMatchObject({ status: 403, body: { message: '403 Forbidden' } });
  });

  it('picks with dry_run first (200, branch unmoved), then for real (201, GitLab message, original author)', async () => {
    const sha = await mergeSha(demo.mergeRequests.missingApprovals.iid);
    const head = (await api.get(`/projects/${p}/repository/branches/release`)).commit.id;
    expect(await pick(sha, { branch: 'release', dry_run: true })).toEqual(
      expect.objectContaining({ status: 200, body: { dry_run: 'success' } }),
    );
    expect((await api.get(`/projects/${p}/repository/branches/release`)).commit.id).toBe(head);
    const real = await pick(sha, { branch: 'release' });
    expect(real.status).toBe(201);
    expect(real.body.parent_ids).toEqual([head]);
    const original = await api.get(`/projects/${p}/repository/commits/${sha}`);
    expect(real.body.message).toMatch(
      new RegExp(`\\n\\n\\(cherry picked from commit ${sha}\\)\\n\\n[0-9a-f]{8} Raise the session limit$`),
    );
    expect(real.body.message.startsWith(original.message.trimEnd())).toBe(true);
    expect(real.body.author_email).toBe(original.author_email);
    expect(real.body.committer_name).toBe('Administrator');
  });

  it("uses a custom message verbatim, and reverts with GitLab's revert message", async () => {
    await api.call('POST', `/projects/${p}/repository/branches`, { branch: 'scratch', ref: 'release' });
    const sha = await mergeSha(demo.mergeRequests.cleanPick.iid);
    const custom = await pick(sha, { branch: 'scratch', message: 'Hotfix: kWh rounding' });
    expect(custom.body.message).toBe('Hotfix: kWh rounding');
    const reverted = await api.call('POST', `/projects/${p}/repository/commits/${custom.body.id}/revert`, {
      branch: 'scratch',
    });
    expect(reverted.status).toBe(201);
    expect(reverted.body.message).toBe(`Revert "Hotfix: kWh rounding"\n\nThis reverts commit ${custom.body.id}`);
    const twice = await api.call('POST', `/projects/${p}/repository/commits/${custom.body.id}/revert`, {
      branch: 'scratch',
      dry_run: true,
    });
    expect(twice.body).toMatchObject({
      error_code: 'empty',
      dry_run: 'error',
      message: `Commit revert failed: ${FAILED}`,
    });
  });

  it('keeps the side effect of a pick whose response was lost; the request log shows one POST, the retry says empty', async () => {
    await api.call('POST', `/projects/${p}/repository/branches`, { branch: 'lost', ref: 'release~1' });
    const sha = await mergeSha(demo.mergeRequests.missingApprovals.iid);
    const route = '/projects/:id/repository/commits/:sha/cherry_pick';
    sim.controls.clearLog();
    sim.fault({ method: 'POST', route, kind: 'drop-after' });
    await expect(pick(sha, { branch: 'lost' })).rejects.toThrow();
    const sent = sim.controls.find('POST', route);
    expect(sent.map((r) => [r.handled, r.status, r.fault])).toEqual([[true, 201, 'drop-after']]);
    const retry = await pick(sha, { branch: 'lost' });
    expect(retry.body.error_code).toBe('empty');
  });

  it('serialises parallel cherry-picks on one repository: both land, no lost update', async () => {
    // release~1: before the earlier test picked !missingApprovals, so both picks below apply.
    await api.call('POST', `/projects/${p}/repository/branches`, { branch: 'race', ref: 'release~1' });
    const base = (await api.get(`/projects/${p}/repository/branches/race`)).commit.id;
    const a = await mergeSha(demo.mergeRequests.cleanPick.iid);
    const b = await mergeSha(demo.mergeRequests.missingApprovals.iid);
    const results = await Promise.all([
      pick(a, { branch: 'race' }),
      pick(b, { branch: 'race' }),
      pick(a, { branch: 'race' }),
    ]);
    // Arrival order decides which of the two identical picks wins; exactly one of them is empty.
    expect(results.map((r) => r.status).sort()).toEqual([201, 201, 400]);
    expect(results.find((r) => r.status === 400)?.body.error_code).toBe('empty');
    const landed = results.filter((r) => r.status === 201).map((r) => r.body.id);
    const commits = await api.get(`/projects/${p}/repository/commits?ref_name=${base}..race`);
    expect(commits.map((c: { id: string }) => c.id).sort()).toEqual(landed.sort());
    const [newest, oldest] = commits;
    expect(newest.parent_ids).toEqual([oldest.id]);
    expect(oldest.parent_ids).toEqual([base]);
  });
});
