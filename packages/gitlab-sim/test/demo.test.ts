import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoScenarioInfo as demo } from '../src/scenarios/demo.js';
import { scenarioNames } from '../src/scenarios/index.js';
import type { GitLabSim } from '../src/server.js';
import { enc, type Json, startDemo, type TestApi, testApi } from './helpers.js';

describe('demo scenario', () => {
  let sim: GitLabSim;
  let api: TestApi;
  const mr = (ref: { project: string; iid: number }) =>
    api.get(`/projects/${enc(ref.project)}/merge_requests/${ref.iid}`);
  beforeAll(async () => {
    sim = await startDemo();
    api = testApi(sim);
  });
  afterAll(() => sim.close());

  it('is registered and seeds the projects demoScenarioInfo names', () => {
    expect(scenarioNames()).toContain('demo');
    expect([...sim.projects].sort()).toEqual([demo.orchestrator, ...demo.services].sort());
  });

  it('matches demoScenarioInfo case by case', async () => {
    const m = demo.mergeRequests;
    expect(await mr(m.cleanPick)).toMatchObject({
      state: 'merged',
      merge_commit_sha: expect.any(String),
      squash_commit_sha: null,
    });
    expect(await mr(m.squashMerged)).toMatchObject({
      state: 'merged',
      squash: true,
      squash_commit_sha: expect.any(String),
    });
    const ff = await mr(m.fastForward);
    expect(ff).toMatchObject({ state: 'merged', merge_commit_sha: null, squash_commit_sha: null });
    expect(
      (await api.get(`/projects/${enc(m.fastForward.project)}/merge_requests/${m.fastForward.iid}/commits`)).length,
    ).toBeGreaterThanOrEqual(2);
    expect((await mr(m.open)).state).toBe('opened');
    expect(await mr(m.closedNotMerged)).toMatchObject({ state: 'closed', merged_at: null });
    const approvals = await api.get(
      `/projects/${enc(m.missingApprovals.project)}/merge_requests/${m.missingApprovals.iid}/approvals`,
    );
    expect(approvals).toMatchObject({ approvals_required: 1, approvals_left: 1, approved: false });
    expect((await mr(m.missingApprovals)).state).toBe('merged');
    const sq = await mr(m.squashMerged);
    const bySquash = await api.get(
      `/projects/${enc(m.squashMerged.project)}/repository/commits/${sq.squash_commit_sha}/merge_requests`,
    );
    expect(bySquash.map((x: Json) => x.iid)).toEqual([m.squashMerged.iid]);
    const ok = await api.get(`/projects/${enc(m.cleanPick.project)}/merge_requests/${m.cleanPick.iid}/approvals`);
    expect(ok).toMatchObject({ approvals_left: 0, approved: true });
  });

  it('has services with a protected release behind main and the validation label', async () => {
    for (const service of demo.services) {
      const p = enc(service);
      const release = await api.get(`/projects/${p}/repository/branches/${demo.releaseBranch}`);
      expect(release.protected).toBe(true);
      const behind = await api.get(
        `/projects/${p}/repository/compare?from=${demo.releaseBranch}&to=${demo.defaultBranch}&straight=true`,
      );
      expect(behind.commits.length).toBeGreaterThanOrEqual(2);
      const labels = (await api.get(`/projects/${p}/labels`)).map((l: Json) => l.name);
      expect(labels).toContain(demo.validatedLabel);
      const ci = await api.call('GET', `/projects/${p}/repository/files/.gitlab-ci.yml/raw?ref=release`);
      expect(ci.status).toBe(200);
    }
    const orchestratorCi = await api.call(
      'GET',
      `/projects/${enc(demo.orchestrator)}/repository/files/.gitlab-ci.yml/raw?ref=main`,
    );
    expect(orchestratorCi.body).toContain('deploy-release-branch-to-staging');
  });
});
