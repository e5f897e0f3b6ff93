import { demoScenarioInfo as demo, type GitLabSim, startGitLabSim } from '@hotfix-release/gitlab-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitLabClient, type GitLabClient } from '../gitlab-client.js';
import { parseRunbookConfig, type RunbookConfig } from '../runbook-config.js';
import { preflight } from './preflight.js';

describe('preflight', () => {
  let sim: GitLabSim;
  let client: GitLabClient;
  let config: RunbookConfig;
  beforeAll(async () => {
    sim = await startGitLabSim({ scenario: 'demo' });
    client = createGitLabClient({ gitlabUrl: sim.url, token: sim.token })._unsafeUnwrap();
    config = parseRunbookConfig({
      services: demo.services.map((project) => ({
        project,
        health: { url: `${sim.url}/-/health` },
        smokeChecks: [{ name: 'health', url: `${sim.url}/-/health` }],
      })),
    })._unsafeUnwrap();
  });
  afterAll(() => sim.close());

  const codes = (r: Awaited<ReturnType<typeof preflight>>) =>
    r
      ._unsafeUnwrap()
      .findings.filter((f) => f.severity === 'error')
      .map((f) => f.code);

  it('passes the clean merge-commit MR and plans its merge commit with mainline 1', async () => {
    const r = (await preflight(client, config, { mr: demo.mergeRequests.cleanPick }))._unsafeUnwrap();
    expect(r.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.plan?.method).toBe('merge-commit');
    expect(r.plan?.picks).toHaveLength(1);
    expect(r.plan?.picks[0]?.mainline).toBe(1);
    expect(r.targets[0]).toMatchObject({
      project: demo.mergeRequests.cleanPick.project,
      releaseProtected: true,
      canPush: true,
    });
  });

  it('plans the squash commit for a squash-merged MR and every commit, oldest first, for a fast-forward one', async () => {
    const squash = (await preflight(client, config, { mr: demo.mergeRequests.squashMerged }))._unsafeUnwrap();
    expect(squash.plan?.method).toBe('squash');
    expect(squash.plan?.picks).toHaveLength(1);
    const ff = (await preflight(client, config, { mr: demo.mergeRequests.fastForward }))._unsafeUnwrap();
    expect(ff.plan?.method).toBe('fast-forward');
    expect(ff.plan?.picks.length).toBeGreaterThanOrEqual(2);
    const mrCommits = (
      await client.mergeRequestCommits(demo.mergeRequests.fastForward.project, demo.mergeRequests.fastForward.iid)
    )._unsafeUnwrap();
    expect(ff.plan?.picks.map((p) => p.sha)).toEqual(mrCommits.items.map((c) => c.id).reverse());
  });

  it('reports an open MR and a closed MR as mr-not-merged (D1)', async () => {
    expect(codes(await preflight(client, config, { mr: demo.mergeRequests.open }))).toContain('mr-not-merged');
    const closed = (await preflight(client, config, { mr: demo.mergeRequests.closedNotMerged }))._unsafeUnwrap();
    expect(closed.findings.find((f) => f.code === 'mr-not-merged')).toMatchObject({ runbookRef: 'D1' });
  });

  it('refuses a CI/CD job token before any request: it cannot read the merge request (P1)', async () => {
    const job = createGitLabClient({ gitlabUrl: sim.url, token: 'job-token-unused', tokenKind: 'job' })._unsafeUnwrap();
    sim.controls.clearLog();
    const r = await preflight(job, config, { mr: demo.mergeRequests.cleanPick });
    expect(r._unsafeUnwrapErr()).toMatchObject({
      code: 'token-insufficient',
      runbookRef: 'P1',
      details: { tokenKind: 'job', command: 'preflight', operations: ['read-merge-request'] },
    });
    expect(sim.controls.requests.filter((q) => q.route !== 'control')).toEqual([]);
  });

  it('reports missing approvals (P1)', async () => {
    expect(codes(await preflight(client, config, { mr: demo.mergeRequests.missingApprovals }))).toContain(
      'mr-not-approved',
    );
  });

  it('reports every problem at once: unknown MR, unknown target, missing descriptor and checks', async () => {
    const bare = parseRunbookConfig({ services: [{ project: 'evenergi/charging-api' }] })._unsafeUnwrap();
    const r = await preflight(client, bare, {
      mr: { project: 'evenergi/charging-api', iid: 999 },
      targets: ['evenergi/charging-api', 'evenergi/nope'],
    });
    expect(codes(r).sort()).toEqual(
      ['mr-not-found', 'service-descriptor-missing', 'smoke-checks-missing', 'target-not-found'].sort(),
    );
    expect(r._unsafeUnwrap().findings.find((f) => f.code === 'health-unknown')).toMatchObject({
      severity: 'warning',
      runbookRef: 'P5',
    });
  });

  it('reports a token that may not push to release (P3) and may not run the orchestrator (P4)', async () => {
    const reporter = createGitLabClient({ gitlabUrl: sim.url, token: demo.users.reporter.token })._unsafeUnwrap();
    expect(codes(await preflight(reporter, config, { mr: demo.mergeRequests.cleanPick }))).toEqual([
      'cannot-push-release',
      'orchestration-not-found',
    ]);
    const rita = sim.state.users.find((u) => u.username === demo.users.reporter.username)!;
    sim.state.findProject(demo.orchestrator)!.members.set(rita.id, 20);
    expect(codes(await preflight(reporter, config, { mr: demo.mergeRequests.cleanPick }))).toEqual([
      'cannot-push-release',
      'cannot-run-pipeline',
    ]);
  });

  it('reports a merge-only release as a warning in pick mode auto, an error in pick mode push (S2, issue 19)', async () => {
    const rule = sim.state.findProject(demo.mergeRequests.cleanPick.project)!.protectedBranches.get('release')!;
    const before = rule.pushAccessLevel;
    rule.pushAccessLevel = 0;
    try {
      const r = (await preflight(client, config, { mr: demo.mergeRequests.cleanPick }))._unsafeUnwrap();
      expect(r.ok).toBe(true);
      expect(r.findings.find((f) => f.code === 'pick-through-merge-request')).toMatchObject({
        severity: 'warning',
        runbookRef: 'S2',
        target: demo.mergeRequests.cleanPick.project,
      });
      const push = parseRunbookConfig({
        ...config,
        services: config.services.map((s) => ({ ...s, pickMode: 'push' as const })),
      })._unsafeUnwrap();
      expect(codes(await preflight(client, push, { mr: demo.mergeRequests.cleanPick }))).toEqual([
        'cannot-push-release',
      ]);
    } finally {
      rule.pushAccessLevel = before;
    }
  });

  it('reports a missing orchestration project and a missing release branch', async () => {
    const cfg = parseRunbookConfig({
      ...config,
      releaseBranch: 'no-such-branch',
      orchestration: { project: 'evenergi/nope' },
      services: config.services.map((s) => ({ ...s, releaseBranch: undefined })),
    })._unsafeUnwrap();
    expect(codes(await preflight(client, cfg, { mr: demo.mergeRequests.cleanPick }))).toEqual(
      expect.arrayContaining(['release-branch-missing', 'orchestration-not-found']),
    );
  });

  it('warns when release lags the default branch so far that a cut-off looks intended (D2)', async () => {
    const strict = parseRunbookConfig({ ...config, cutOffWarningCommits: 1 })._unsafeUnwrap();
    const r = (await preflight(client, strict, { mr: demo.mergeRequests.cleanPick }))._unsafeUnwrap();
    expect(r.findings.find((f) => f.code === 'release-far-behind')).toMatchObject({
      severity: 'warning',
      runbookRef: 'D2',
    });
    expect(r.targets[0]?.behindDefaultBy).toBeGreaterThan(0);
    expect(r.ok).toBe(true);
  });

  it('counts the commits release lacks from the commit list and downloads no diff (D2)', async () => {
    const strict = parseRunbookConfig({ ...config, cutOffWarningCommits: 2 })._unsafeUnwrap();
    sim.controls.clearLog();
    const r = (await preflight(client, strict, { mr: demo.mergeRequests.cleanPick }))._unsafeUnwrap();
    expect(r.targets[0]?.behindDefaultBy).toBe(2);
    expect(r.findings.find((f) => f.code === 'release-far-behind')?.message).toMatch(/at least 2 commits/);
    const routes = sim.controls.requests.map((q) => q.route);
    expect(routes).toContain('/projects/:id/repository/commits');
    expect(routes.filter((x) => /compare|\/diff|\/diffs|\/changes/.test(x))).toEqual([]);
  });

  it('refuses a service that documents its own staging process, naming the document (U2)', async () => {
    const own = parseRunbookConfig({
      ...config,
      services: config.services.map((d) =>
        d.project === demo.mergeRequests.cleanPick.project ? { ...d, ownStagingProcess: 'docs/staging.md' } : d,
      ),
    })._unsafeUnwrap();
    const r = (await preflight(client, own, { mr: demo.mergeRequests.cleanPick }))._unsafeUnwrap();
    expect(r.ok).toBe(false);
    expect(r.findings.find((f) => f.code === 'own-staging-process')).toMatchObject({
      severity: 'error',
      runbookRef: 'U2',
      target: demo.mergeRequests.cleanPick.project,
      document: 'docs/staging.md',
      message: expect.stringContaining('docs/staging.md'),
    });
    for (const bad of ['../../etc/passwd', '/etc/passwd', 'ftp://x/y', 'a b.md']) {
      expect(
        parseRunbookConfig({ services: [{ project: 'g/p', ownStagingProcess: bad }] })._unsafeUnwrapErr().details,
      ).toMatchObject({ pointer: '/services/0/ownStagingProcess' });
    }
    expect(
      parseRunbookConfig({ services: [{ project: 'g/p', ownStagingProcess: 'https://wiki.example/staging' }] }).isOk(),
    ).toBe(true);
  });

  it('refuses a protected orchestration ref the token may not run pipelines on, and a GitLab without inputs (P4)', async () => {
    const orch = sim.state.findProject(demo.orchestrator)!;
    orch.protectedBranches.set('main', {
      name: 'main',
      pushAccessLevel: 40,
      mergeAccessLevel: 40,
      allowForcePush: false,
    });
    sim.state.instance.version = '16.11.2';
    try {
      const alice = createGitLabClient({ gitlabUrl: sim.url, token: demo.users.developer.token })._unsafeUnwrap();
      const r = (await preflight(alice, config, { mr: demo.mergeRequests.cleanPick }))._unsafeUnwrap();
      expect(r.findings.find((f) => f.code === 'cannot-run-pipeline')?.message).toContain('protected');
      expect(r.findings.find((f) => f.code === 'inputs-unsupported')).toMatchObject({
        severity: 'error',
        runbookRef: 'P4',
      });
    } finally {
      orch.protectedBranches.delete('main');
      sim.state.instance.version = '18.6.0';
    }
  });

  it("reads the orchestrator's CI through the project's ci_config_path (P4)", async () => {
    const orch = sim.state.findProject(demo.orchestrator)!;
    orch.ciConfigPath = 'ci/missing.yml';
    try {
      expect(codes(await preflight(client, config, { mr: demo.mergeRequests.cleanPick }))).toEqual([
        'orchestration-ci-missing',
      ]);
    } finally {
      delete orch.ciConfigPath;
    }
  });

  it('stops with gitlab-unauthorized for a bad token and invalid-input for bad options', async () => {
    const bad = createGitLabClient({ gitlabUrl: sim.url, token: 'glpat-bad' })._unsafeUnwrap();
    expect((await preflight(bad, config, { mr: demo.mergeRequests.cleanPick }))._unsafeUnwrapErr().code).toBe(
      'gitlab-unauthorized',
    );
    expect((await preflight(client, config, { mr: { project: '', iid: -1 } }))._unsafeUnwrapErr()).toMatchObject({
      code: 'invalid-input',
      details: { pointer: '/mr/project' },
    });
  });
});
