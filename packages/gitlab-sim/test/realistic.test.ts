/**
 * The realistic mode, one switch at a time: each test starts the demo with only that switch on
 * and shows the behaviour over HTTP (status, fields, request log) next to the cooperative answer.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ciControls } from '../src/ci/engine.js';
import { runCli } from '../src/cli.js';
import { demoScenarioInfo } from '../src/index.js';
import { parseSimMode, REALISTIC_SWITCHES, type RealisticOption, resolveRealistic } from '../src/realistic.js';
import { demoCiFiles } from '../src/scenarios/demo-ci.js';
import { type GitLabSim, startGitLabSim } from '../src/server.js';
import { enc, type Json, testApi } from './helpers.js';

const ORCH = enc(demoScenarioInfo.orchestrator);
const TARGET = demoScenarioInfo.services[0];
const SVC = enc(TARGET);
const { developer, maintainer, reporter } = demoScenarioInfo.users;
const DEPLOY = { action: 'deploy-release-branch-to-staging', project: TARGET, confirm: true };
const CUT_OFF = { action: 'bring-all-code-to-release-branch', project: TARGET, confirm: true };

let sim: GitLabSim | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function world(realistic: RealisticOption) {
  sim = await startGitLabSim({ scenario: 'demo', virtualClock: new Date('2026-03-02T10:00:00.000Z'), realistic });
  const s = sim;
  const api = testApi(s);
  return {
    sim: s,
    api,
    advance: (seconds: number) => ciControls(s).advance(seconds * 1000),
    orchestrate: (inputs: Json, token?: string) =>
      api.call('POST', `/projects/${ORCH}/pipeline`, { ref: 'main', inputs }, token),
  };
}

describe('realistic mode options', () => {
  it('turns every switch on with true and none by default', () => {
    expect(Object.values(resolveRealistic(true)).every(Boolean)).toBe(true);
    expect(Object.values(resolveRealistic(undefined)).some(Boolean)).toBe(false);
    expect(resolveRealistic({ noInputName: true })).toMatchObject({ noInputName: true, omitOptionalFields: false });
  });

  it('refuses an unknown switch, naming the known ones', () => {
    expect(() => resolveRealistic({ noSuchSwitch: true } as never)).toThrow(/unknown realistic switch "noSuchSwitch"/);
  });

  it('parses the HOTFIX_SIM_MODE spellings and refuses a typo', () => {
    expect(parseSimMode(undefined).name).toBe('cooperative');
    expect(parseSimMode('cooperative').realistic.noInputName).toBe(false);
    expect(parseSimMode('realistic').realistic).toEqual(resolveRealistic(true));
    expect(parseSimMode('realistic:ignoreCreatedFilters').realistic).toEqual(
      resolveRealistic({ ignoreCreatedFilters: true }),
    );
    expect(() => parseSimMode('realstic')).toThrow(/not one of: cooperative, realistic/);
    expect(() => parseSimMode('realistic:')).toThrow(/not one of/);
  });

  it('reports the switches on the running simulator', async () => {
    const w = await world({ omitOptionalFields: true });
    expect(w.sim.realistic).toEqual(resolveRealistic({ omitOptionalFields: true }));
  });

  it('serve refuses an unknown --realistic-switch with exit code 64', async () => {
    expect(await runCli(['serve', '--realistic-switch', 'bogus'])).toBe(64);
    expect(REALISTIC_SWITCHES).toContain('noInputName');
  });
});

describe('noInputName', () => {
  it('gives an input-named orchestration pipeline no name anywhere', async () => {
    const w = await world({ noInputName: true });
    const created = await w.orchestrate(DEPLOY);
    expect(created.status).toBe(201);
    expect(created.body.name).toBeNull();
    expect((await w.api.get(`/projects/${ORCH}/pipelines/${created.body.id}`)).name).toBeNull();
    const [listed] = await w.api.get(`/projects/${ORCH}/pipelines`);
    expect(listed).toMatchObject({ id: created.body.id, name: null });
    // Inputs are not variables either.
    expect(await w.api.get(`/projects/${ORCH}/pipelines/${created.body.id}/variables`)).toEqual([]);
  });

  it('keeps the inputs out of job logs (the cooperative log echoes the interpolated script)', async () => {
    for (const noInputName of [false, true]) {
      const w = await world({ noInputName });
      const created = await w.orchestrate(CUT_OFF);
      await w.advance(60);
      const jobs: Json[] = await w.api.get(`/projects/${ORCH}/pipelines/${created.body.id}/jobs`);
      const cut = jobs.find((j) => j.name === 'bring-all-code-to-release-branch');
      const log = (await w.api.call('GET', `/projects/${ORCH}/jobs/${cut.id}/trace`)).body as string;
      expect(log).toContain('Job succeeded');
      expect(log.includes(TARGET)).toBe(!noInputName);
      await w.sim.close();
      sim = undefined;
    }
  });

  it('leaves the name of the cooperative mode alone', async () => {
    const w = await world(false);
    const created = await w.orchestrate(DEPLOY);
    expect(created.body.name).toBe(`deploy-release-branch-to-staging ${TARGET} confirm=true`);
  });
});

describe('triggerApiDownstream', () => {
  it('starts the deploy through the trigger API: no bridge, a downstream with source trigger', async () => {
    const w = await world({ triggerApiDownstream: true });
    const up = await w.orchestrate(DEPLOY);
    expect(up.status).toBe(201);
    await w.advance(10); // the trigger job: 1 s queue + 5 s script
    expect(await w.api.get(`/projects/${ORCH}/pipelines/${up.body.id}/bridges`)).toEqual([]);
    const jobs: Json[] = await w.api.get(`/projects/${ORCH}/pipelines/${up.body.id}/jobs`);
    expect(jobs.map((j) => [j.name, j.status])).toEqual([['deploy-release-branch-to-staging', 'success']]);
    // The orchestrator is done while the deploy it started still runs: nothing links them.
    expect((await w.api.get(`/projects/${ORCH}/pipelines/${up.body.id}`)).status).toBe('success');
    const down: Json[] = await w.api.get(`/projects/${SVC}/pipelines?ref=release`);
    expect(down).toHaveLength(1);
    expect(down[0]).toMatchObject({ source: 'trigger', status: 'running' });
    expect(await w.api.get(`/projects/${SVC}/pipelines?source=pipeline`)).toEqual([]);
    await w.advance(120);
    const [deployment] = await w.api.get(`/projects/${SVC}/deployments?environment=staging&sort=desc`);
    expect(deployment).toMatchObject({
      status: 'success',
      ref: 'release',
      deployable: { pipeline: { id: down[0].id } },
    });
    const bridgeRoute = '/projects/:id/pipelines/:pipeline_id/bridges';
    expect(w.sim.controls.requests.filter((r) => r.route === bridgeRoute).map((r) => r.status)).toEqual([200]);
  });

  it('reports source pipeline when the script triggers with CI_JOB_TOKEN', async () => {
    const w = await world({ triggerApiDownstream: true });
    const ci = demoCiFiles().orchestratorTriggerApi.replaceAll(
      'SIM_TRIGGER_TOKEN: trigger-token',
      'SIM_TRIGGER_TOKEN: job-token',
    );
    const commit = await w.api.call('POST', `/projects/${ORCH}/repository/commits`, {
      branch: 'main',
      commit_message: 'ci: trigger with the job token\n',
      actions: [{ action: 'update', file_path: '.gitlab-ci.yml', content: ci }],
    });
    expect(commit.status).toBe(201);
    await w.orchestrate(DEPLOY);
    await w.advance(10);
    const down: Json[] = await w.api.get(`/projects/${SVC}/pipelines?ref=release`);
    expect(down.map((p) => p.source)).toEqual(['pipeline']);
  });

  it('keeps the bridge of the cooperative demo', async () => {
    const w = await world(false);
    const up = await w.orchestrate(DEPLOY);
    await w.advance(2);
    const [bridge] = await w.api.get(`/projects/${ORCH}/pipelines/${up.body.id}/bridges`);
    expect(bridge.downstream_pipeline).toMatchObject({ source: 'pipeline' });
  });
});

describe('ignoreCreatedFilters', () => {
  it('answers created_after and created_before with every pipeline (the request log shows they were sent)', async () => {
    for (const ignoreCreatedFilters of [false, true]) {
      const w = await world({ ignoreCreatedFilters });
      await w.orchestrate(DEPLOY);
      await w.advance(600);
      const cut = new Date(w.sim.clock.now()).toISOString();
      await w.orchestrate(DEPLOY);
      const after: Json[] = await w.api.get(`/projects/${ORCH}/pipelines?created_after=${cut}`);
      const earlier = new Date(w.sim.clock.now() - 1000).toISOString();
      const before: Json[] = await w.api.get(`/projects/${ORCH}/pipelines?created_before=${earlier}`);
      expect([after.length, before.length]).toEqual(ignoreCreatedFilters ? [2, 2] : [1, 1]);
      const logged = w.sim.controls.requests.filter((r) => r.route === '/projects/:id/pipelines' && r.method === 'GET');
      expect(logged.map((r) => [r.query.split('=')[0], r.status])).toEqual([
        ['created_after', 200],
        ['created_before', 200],
      ]);
      await w.sim.close();
      sim = undefined;
    }
  });
});

describe('variablesNeedMaintainer', () => {
  it("answers 403 to a Developer reading another user's pipeline variables", async () => {
    const w = await world({ variablesNeedMaintainer: true });
    const created = await w.api.call('POST', `/projects/${SVC}/pipeline`, {
      ref: 'main',
      variables: [{ key: 'REASON', value: 'hotfix' }],
    });
    expect(created.status).toBe(201);
    const path = `/projects/${SVC}/pipelines/${created.body.id}/variables`;
    expect(await w.api.call('GET', path, undefined, developer.token)).toMatchObject({
      status: 403,
      body: { message: '403 Forbidden' },
    });
    expect((await w.api.call('GET', path, undefined, maintainer.token)).body).toEqual([
      { variable_type: 'env_var', key: 'REASON', value: 'hotfix' },
    ]);
    const own = await w.api.call('POST', `/projects/${SVC}/pipeline`, { ref: 'main', variables: [] }, developer.token);
    const ownPath = `/projects/${SVC}/pipelines/${own.body.id}/variables`;
    expect((await w.api.call('GET', ownPath, undefined, developer.token)).status).toBe(200);
  });

  it('lets the Developer read them in the cooperative mode', async () => {
    const w = await world(false);
    const created = await w.api.call('POST', `/projects/${SVC}/pipeline`, { ref: 'main' });
    const path = `/projects/${SVC}/pipelines/${created.body.id}/variables`;
    expect((await w.api.call('GET', path, undefined, developer.token)).status).toBe(200);
  });
});

describe('protectedOrchestrationRef', () => {
  it('refuses an orchestration pipeline to a Developer who may not merge into the protected branch', async () => {
    const w = await world({ protectedOrchestrationRef: true });
    const [rule] = await w.api.get(`/projects/${ORCH}/protected_branches`);
    expect(rule).toMatchObject({ name: 'main', merge_access_levels: [{ access_level: 40 }] });
    const refused = await w.orchestrate(DEPLOY, developer.token);
    expect(refused).toMatchObject({
      status: 400,
      body: {
        message: {
          base: [
            "You do not have sufficient permission to run a pipeline on 'main'. Please select a different branch or contact your administrator for assistance.",
          ],
        },
      },
    });
    expect((await w.orchestrate(DEPLOY, maintainer.token)).status).toBe(201);
  });

  it('lets the Developer start it in the cooperative mode', async () => {
    const w = await world(false);
    expect((await w.orchestrate(DEPLOY, developer.token)).status).toBe(201);
  });
});

describe('omitOptionalFields', () => {
  it('omits downstream_pipeline.project_id, last_deployment.updated_at and deployable.pipeline.project_id', async () => {
    for (const omitOptionalFields of [false, true]) {
      const w = await world({ omitOptionalFields });
      const up = await w.orchestrate(DEPLOY);
      await w.advance(120);
      const [bridge] = await w.api.get(`/projects/${ORCH}/pipelines/${up.body.id}/bridges`);
      expect(bridge.downstream_pipeline).toHaveProperty('id');
      expect('project_id' in bridge.downstream_pipeline).toBe(!omitOptionalFields);
      const [env] = await w.api.get(`/projects/${SVC}/environments?name=staging`);
      const detail = await w.api.get(`/projects/${SVC}/environments/${env.id}`);
      expect(detail.last_deployment).toHaveProperty('created_at');
      expect('updated_at' in detail.last_deployment).toBe(!omitOptionalFields);
      const [deployment] = await w.api.get(`/projects/${SVC}/deployments`);
      expect(deployment.deployable.pipeline).toHaveProperty('id');
      expect('project_id' in deployment.deployable.pipeline).toBe(!omitOptionalFields);
      await w.sim.close();
      sim = undefined;
    }
  });
});

describe('a cut-off run someone else started (E3 reads it by its jobs)', () => {
  it('shows its cut-off fingerprint jobs to a Developer, and nothing that names its inputs', async () => {
    const w = await world(true);
    const cut = await w.orchestrate(CUT_OFF, maintainer.token);
    expect(cut.status).toBe(201);
    const id = cut.body.id;
    const token = developer.token;
    const jobs = await w.api.call('GET', `/projects/${ORCH}/pipelines/${id}/jobs`, undefined, token);
    expect(jobs.status).toBe(200);
    // Trigger-API orchestrator: the cut-off's deploy is a job, not a bridge.
    expect((jobs.body as Json[]).map((j) => j.name).sort()).toEqual([
      'bring-all-code-to-release-branch',
      'deploy-after-cut-off',
    ]);
    const bridges = await w.api.call('GET', `/projects/${ORCH}/pipelines/${id}/bridges`, undefined, token);
    expect([bridges.status, bridges.body]).toEqual([200, []]);
    const listed: Json[] = await w.api.get(`/projects/${ORCH}/pipelines?created_after=2999-01-01T00:00:00Z`);
    expect(listed.find((p) => p.id === id)).toMatchObject({ name: null });
    const vars = await w.api.call('GET', `/projects/${ORCH}/pipelines/${id}/variables`, undefined, developer.token);
    expect(vars.status).toBe(403);
    // Not a member of the (private) orchestration project: GitLab hides it.
    const hidden = await w.api.call('GET', `/projects/${ORCH}/pipelines/${id}/jobs`, undefined, reporter.token);
    expect(hidden.status).toBe(404);
  });

  it('keeps the cut-off deploy a bridge in the cooperative demo', async () => {
    const w = await world(false);
    const cut = await w.orchestrate(CUT_OFF, maintainer.token);
    const jobs: Json[] = await w.api.get(`/projects/${ORCH}/pipelines/${cut.body.id}/jobs`);
    const bridges: Json[] = await w.api.get(`/projects/${ORCH}/pipelines/${cut.body.id}/bridges`);
    expect([jobs.map((j) => j.name), bridges.map((b) => b.name)]).toEqual([
      ['bring-all-code-to-release-branch'],
      ['deploy-after-cut-off'],
    ]);
  });
});
