/**
 * diagnose against the simulator in the run's mode (HOTFIX_SIM_MODE): a world where one deploy
 * ran passes every check, and each test changes one setting and expects exactly its finding to
 * turn. Every request diagnose sends to GitLab is a GET.
 */
import { ciControls, demoScenarioInfo as demo, type GitLabSim, startGitLabSim } from '@hotfix-release/gitlab-sim';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { itWithRealisticFailures, SIM_MODE, simModeOptions } from '../../../../test-support/sim-mode.js';
import { createGitLabClient, type GitLabClient } from '../gitlab-client.js';
import { parseRunbookConfig, type RunbookConfig, type RunbookConfigInput } from '../runbook-config.js';
import { type DiagnoseReport, diagnose } from './diagnose.js';

/** Runs in both simulator modes; no test is expected to fail in realistic mode. */
const it = itWithRealisticFailures([]);

const TARGET = demo.services[0];
const ORCH = demo.orchestrator;

describe('diagnose', () => {
  let sim: GitLabSim;
  let client: GitLabClient;
  let input: RunbookConfigInput;
  let config: RunbookConfig;

  const configWith = (patch: (c: RunbookConfigInput) => RunbookConfigInput) =>
    parseRunbookConfig(patch(structuredClone(input)))._unsafeUnwrap();
  const statusOf = (r: DiagnoseReport) =>
    Object.fromEntries(r.findings.map((f) => [`${f.id}${f.target ? `@${f.target}` : ''}`, f.status]));
  const notOk = (r: DiagnoseReport) => r.findings.filter((f) => f.status !== 'ok').map((f) => `${f.id}:${f.status}`);
  const run = async (c: RunbookConfig = config, cl: GitLabClient = client) => {
    sim.controls.clearLog();
    const r = (await diagnose(cl, c))._unsafeUnwrap();
    const writes = sim.controls.requests.filter((q) => q.route !== 'control' && q.method !== 'GET');
    expect(writes.map((q) => `${q.method} ${q.path}`)).toEqual([]);
    return r;
  };

  beforeAll(async () => {
    sim = await startGitLabSim({
      scenario: 'demo',
      virtualClock: new Date('2026-03-02T10:00:00.000Z'),
      ...simModeOptions,
    });
    client = createGitLabClient({ gitlabUrl: sim.url, token: sim.token })._unsafeUnwrap();
    const health = `${sim.url}/-/sim/services/${TARGET}/staging/health`;
    input = {
      services: [{ project: TARGET, health: { url: health }, smokeChecks: [{ name: 'health', url: health }] }],
    };
    config = parseRunbookConfig(input)._unsafeUnwrap();
    // One deploy ran (as an operator would run the orchestrator by hand): the environment exists.
    const res = await fetch(`${sim.apiUrl}/projects/${encodeURIComponent(ORCH)}/pipeline`, {
      method: 'POST',
      headers: { 'private-token': sim.token, 'content-type': 'application/json' },
      body: JSON.stringify({
        ref: 'main',
        inputs: { action: 'deploy-release-branch-to-staging', project: TARGET, confirm: true },
      }),
    });
    expect(res.status).toBe(201);
    await ciControls(sim).advance(60 * 60_000);
  });
  afterAll(() => sim.close());

  it('passes every check where one deploy ran, sending only GETs', async () => {
    const r = await run();
    expect(notOk(r)).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.gitlab).toMatchObject({ version: '18.6.0', enterprise: false });
    expect(r.token).toMatchObject({ username: 'root', kind: 'personal', scopes: ['api'] });
    expect(r.transport).toEqual({ configured: 'inputs', needed: 'inputs' });
    expect(Object.keys(statusOf(r)).sort()).toEqual(
      [
        'gitlab-version',
        'token-scopes',
        'inputs-transport',
        'orchestration-ref',
        `release-push@${TARGET}`,
        `release-lock@${TARGET}`,
        `service-environment@${TARGET}`,
        `deploy-jobs@${TARGET}`,
        `health-endpoint@${TARGET}`,
        `observed-deploy@${TARGET}`,
      ].sort(),
    );
    for (const f of r.findings) expect(f.runbookRef).toMatch(/^[PER]\d$/);
    expect(JSON.stringify(r)).not.toContain(sim.token);
  });

  it('fails inputs-transport on a GitLab without pipeline inputs (16.x) while the config sends inputs', async () => {
    sim.state.instance.version = '16.11.2-ee';
    sim.state.instance.enterprise = true;
    try {
      const r = await run();
      expect(notOk(r)).toEqual(['inputs-transport:fail']);
      expect(r.gitlab).toMatchObject({ version: '16.11.2-ee', enterprise: true });
      expect(r.findings.find((f) => f.id === 'inputs-transport')?.fix).toContain('inputsVia');
    } finally {
      sim.state.instance.version = '18.6.0';
      sim.state.instance.enterprise = false;
    }
  });

  it('warns while inputs are behind their feature flag (17.10 to 18.0)', async () => {
    sim.state.instance.version = '17.11.4';
    try {
      expect(notOk(await run())).toEqual(['inputs-transport:warn']);
    } finally {
      sim.state.instance.version = '18.6.0';
    }
  });

  it('fails inputs-transport when the config sends variables to an orchestrator that declares spec:inputs', async () => {
    const r = await run(configWith((c) => ({ ...c, orchestration: { inputsVia: 'variables' } })));
    expect(notOk(r)).toEqual(['inputs-transport:fail']);
    expect(r.transport).toEqual({ configured: 'variables', needed: 'inputs' });
  });

  it('checks the role needed to set pipeline variables when the config sends variables (pipeline-variables)', async () => {
    const orch = sim.state.findProject(ORCH);
    if (!orch) throw new Error('no orchestrator');
    const variables = configWith((c) => ({ ...c, orchestration: { inputsVia: 'variables' } }));
    const finding = (r: DiagnoseReport) => r.findings.find((f) => f.id === 'pipeline-variables');
    const before = orch.pipelineVariablesMinimumRole;
    try {
      expect(finding(await run())).toBeUndefined(); // inputs are not governed by the setting
      expect(finding(await run(variables))).toMatchObject({ status: 'ok', runbookRef: 'P4' });
      orch.pipelineVariablesMinimumRole = 40; // maintainer
      const alice = createGitLabClient({ gitlabUrl: sim.url, token: demo.users.developer.token })._unsafeUnwrap();
      const dev = finding(await run(variables, alice));
      expect(dev).toMatchObject({ status: 'fail', message: expect.stringMatching(/only maintainers and above/) });
      expect(dev?.fix).toMatch(/ci_pipeline_variables_minimum_override_role.*inputsVia to "inputs"/);
      expect(finding(await run(variables))?.status).toBe('ok'); // root is owner
      orch.pipelineVariablesMinimumRole = 0; // no_one_allowed
      const none = await run(variables);
      expect(finding(none)).toMatchObject({ status: 'fail', message: expect.stringMatching(/no_one_allowed/) });
      expect(none.ok).toBe(false);
    } finally {
      orch.pipelineVariablesMinimumRole = before;
    }
  });

  it("reads the orchestrator's CI through its ci_config_path", async () => {
    const orch = sim.state.findProject(ORCH);
    if (!orch) throw new Error('no orchestrator');
    orch.ciConfigPath = 'ci/orchestrator.yml';
    try {
      const r = await run();
      expect(notOk(r)).toEqual(['orchestrator-ci:fail', 'inputs-transport:warn']);
      expect(r.findings.find((f) => f.id === 'orchestrator-ci')?.message).toContain('ci/orchestrator.yml');
      // The file appears there: read from the configured path, everything passes again.
      const ci = await (
        await fetch(`${sim.apiUrl}/projects/${encodeURIComponent(ORCH)}/repository/files/.gitlab-ci.yml/raw?ref=main`, {
          headers: { 'private-token': sim.token },
        })
      ).text();
      const commit = await fetch(`${sim.apiUrl}/projects/${encodeURIComponent(ORCH)}/repository/commits`, {
        method: 'POST',
        headers: { 'private-token': sim.token, 'content-type': 'application/json' },
        body: JSON.stringify({
          branch: 'main',
          commit_message: 'Move the CI configuration',
          actions: [{ action: 'create', file_path: 'ci/orchestrator.yml', content: ci }],
        }),
      });
      expect(commit.status).toBe(201);
      expect(notOk(await run())).toEqual([]);
    } finally {
      delete orch.ciConfigPath;
    }
  });

  it('fails token-scopes for a token without the api scope', async () => {
    const token = sim.state.tokens.find((t) => t.value === sim.token);
    if (!token) throw new Error('no token');
    token.scopes = ['read_api', 'read_repository'];
    try {
      const r = await run();
      expect(notOk(r)).toEqual(['token-scopes:fail']);
      expect(r.token.scopes).toEqual(['read_api', 'read_repository']);
    } finally {
      delete token.scopes;
    }
  });

  it('fails token-identity, and stops, for a token GitLab rejects', async () => {
    const bad = createGitLabClient({ gitlabUrl: sim.url, token: 'glpat-not-a-token-anywhere' })._unsafeUnwrap();
    const r = await run(config, bad);
    expect(r.findings.map((f) => `${f.id}:${f.status}`)).toEqual(['token-identity:fail']);
    expect(r.ok).toBe(false);
  });

  it('fails token-kind, and sends nothing, for a CI/CD job token (it cannot read the user or the MR)', async () => {
    const job = createGitLabClient({ gitlabUrl: sim.url, token: 'job-token-unused', tokenKind: 'job' })._unsafeUnwrap();
    const r = await run(config, job);
    expect(sim.controls.requests.filter((q) => q.route !== 'control')).toEqual([]);
    expect(r.findings).toEqual([
      expect.objectContaining({
        id: 'token-kind',
        status: 'fail',
        runbookRef: 'P3',
        fix: expect.stringContaining('GITLAB_TOKEN'),
      }),
    ]);
    expect(r.findings[0]?.message).toMatch(/GET \/user.*read the merge request.*cherry-pick.*create a pipeline/);
    expect(r).toMatchObject({ ok: false, token: { kind: 'other' } });
  });

  it('fails orchestration-ref for a developer when the orchestration ref is protected for maintainers', async () => {
    const orch = sim.state.findProject(ORCH);
    if (!orch) throw new Error('no orchestrator');
    const before = orch.protectedBranches.get('main');
    orch.protectedBranches.set('main', {
      name: 'main',
      pushAccessLevel: 40,
      mergeAccessLevel: 40,
      allowForcePush: false,
    });
    try {
      const alice = createGitLabClient({ gitlabUrl: sim.url, token: demo.users.developer.token })._unsafeUnwrap();
      const r = await run(config, alice);
      expect(statusOf(r)['orchestration-ref']).toBe('fail');
      expect(r.findings.find((f) => f.id === 'orchestration-ref')?.message).toContain('protected');
    } finally {
      if (before) orch.protectedBranches.set('main', before);
      else orch.protectedBranches.delete('main');
    }
  });

  it('fails release-push where release takes no pushes from this user (pick mode push), warns in auto (issue 19)', async () => {
    const project = sim.state.findProject(TARGET);
    const rule = project?.protectedBranches.get('release');
    if (!rule) throw new Error('release is not protected in the demo');
    const before = rule.pushAccessLevel;
    rule.pushAccessLevel = 0;
    try {
      const r = await run(
        configWith((c) => ({ ...c, services: c.services?.map((s) => ({ ...s, pickMode: 'push' as const })) })),
      );
      expect(notOk(r)).toEqual(['release-push:fail']);
      expect(r.findings.find((f) => f.id === 'release-push')?.target).toBe(TARGET);
      // The default (auto): the pick goes through a merge request, a finding and not a failure.
      const auto = await run();
      expect(notOk(auto)).toEqual(['release-push:warn']);
      expect(auto.findings.find((f) => f.id === 'release-push')?.message).toMatch(/accepts merge requests/);
    } finally {
      rule.pushAccessLevel = before;
    }
  });

  it("fails service-environment when the service's environment does not exist", async () => {
    const r = await run(
      configWith((c) => ({ ...c, services: c.services?.map((s) => ({ ...s, environment: 'staging-eu' })) })),
    );
    expect(notOk(r)).toEqual(['service-environment:fail']);
  });

  it('fails deploy-jobs when the descriptor names a job the CI does not define', async () => {
    const r = await run(
      configWith((c) => ({ ...c, services: c.services?.map((s) => ({ ...s, deployJobs: ['ship-it'] })) })),
    );
    expect(notOk(r)).toEqual(['deploy-jobs:fail']);
    expect(r.findings.find((f) => f.id === 'deploy-jobs')?.message).toContain('deploy-staging');
  });

  it('fails health-endpoint when the health endpoint does not answer as described', async () => {
    const r = await run(
      configWith((c) => ({
        ...c,
        services: c.services?.map((s) => ({
          ...s,
          health: { url: `${sim.url}/-/sim/services/${TARGET}/nowhere/health` },
        })),
      })),
    );
    expect(notOk(r)).toEqual(['health-endpoint:fail']);
  });

  it('fails observed-deploy when the deploy fingerprint matches no job or bridge of recent pipelines (E2)', async () => {
    const r = await run(
      configWith((c) => ({
        ...c,
        orchestration: {
          fingerprints: { deploy: ['deploy-to-production'], cutOff: ['bring-all-code-to-release-branch'] },
        },
      })),
    );
    expect(notOk(r)).toEqual(['observed-deploy:fail']);
    expect(r.findings.find((f) => f.id === 'observed-deploy')?.message).toContain('deploy-release-branch-to-staging');
  });

  it('fails observed-deploy (E3) when the cut-off fingerprint also matches the deploy run', async () => {
    const r = await run(
      configWith((c) => ({
        ...c,
        orchestration: { fingerprints: { deploy: ['deploy-release-branch-to-staging'], cutOff: ['/deploy-.*/'] } },
      })),
    );
    expect(notOk(r)).toEqual(['observed-deploy:fail']);
    expect(r.findings.find((f) => f.id === 'observed-deploy')?.runbookRef).toBe('E3');
  });

  it('fails service-descriptor for a target without one, and rejects bad options', async () => {
    const r = (await diagnose(client, config, { targets: [TARGET, demo.services[1]], health: false }))._unsafeUnwrap();
    expect(statusOf(r)[`service-descriptor@${demo.services[1]}`]).toBe('fail');
    const bad = await diagnose(client, config, { recentPipelines: 0 });
    expect(bad._unsafeUnwrapErr().code).toBe('invalid-input');
  });

  it('realistic mode protects the orchestration ref: a developer is refused there, a maintainer is not', async () => {
    if (!SIM_MODE.realistic.protectedOrchestrationRef) return;
    const alice = createGitLabClient({ gitlabUrl: sim.url, token: demo.users.developer.token })._unsafeUnwrap();
    expect(statusOf(await run(config, alice))['orchestration-ref']).toBe('fail');
    const bob = createGitLabClient({ gitlabUrl: sim.url, token: demo.users.maintainer.token })._unsafeUnwrap();
    expect(statusOf(await run(config, bob))['orchestration-ref']).toBe('ok');
  });
});
