import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CiWorld, DEPLOY_INPUTS, makeCiWorld } from '../ci/_test-support.js';
import { demoCiFiles } from '../scenarios/demo-ci.js';
import { ACCESS } from '../state.js';

describe('POST /projects/:id/pipeline', () => {
  let w: CiWorld;
  beforeAll(async () => {
    w = await makeCiWorld();
  });
  afterAll(() => w.sim.close());

  it('returns 400 with GitLab texts for unknown, missing, mistyped and disallowed inputs', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ ...DEPLOY_INPUTS, confirm: 'true' }, '`confirm` input: provided value is not a boolean'],
      [{ ...DEPLOY_INPUTS, foo: 1 }, 'unknown input arguments: foo'],
      [{ action: DEPLOY_INPUTS.action, confirm: true }, '`project` input: required value has not been provided'],
      [
        { ...DEPLOY_INPUTS, action: 'deploy-everything' },
        // GitLab's StringInput wording (its NumberInput says "the list of the allowed options").
        '`action` input: `deploy-everything` cannot be used because it is not in the list of allowed options',
      ],
      [
        { foo: 1, confirm: 'yes' },
        'unknown input arguments: foo, `action` input: required value has not been provided, `project` input: required value has not been provided',
      ],
      [{ ...DEPLOY_INPUTS, project: 42 }, '`project` input: provided value is not a string'],
    ];
    for (const [inputs, message] of cases) {
      const res = await w.orchestrate(inputs);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ message: { base: [message] } });
    }
    expect(w.engine.pipeline(w.orchestrator, 1)).toBeUndefined();
    // A null input counts as not given: confirm falls back to its default (false).
    const nulled = await w.orchestrate({ ...DEPLOY_INPUTS, confirm: null });
    expect(nulled.body.name).toBe('deploy-release-branch-to-staging acme/service confirm=false');
    await w.api('POST', `/projects/evenergi%2Fdevelop/pipelines/${nulled.body.id}/cancel`);
    const noHeader = await w.api('POST', '/projects/acme%2Fservice/pipeline', { ref: 'main', inputs: { a: 1 } });
    expect(noHeader.body).toEqual({
      message: { base: ['Given inputs not defined in the `spec` section of the included configuration file'] },
    });
  });

  it('returns GitLab errors for a missing ref, an unknown ref, and a reporter', async () => {
    const missing = await w.api('POST', '/projects/evenergi%2Fdevelop/pipeline', { inputs: DEPLOY_INPUTS });
    expect([missing.status, missing.body]).toEqual([400, { error: 'ref is missing' }]);
    const unknown = await w.api('POST', '/projects/evenergi%2Fdevelop/pipeline', {
      ref: 'nope',
      inputs: DEPLOY_INPUTS,
    });
    expect([unknown.status, unknown.body]).toEqual([400, { message: { base: ['Reference not found'] } }]);
    const reporter = { id: w.sim.state.nextId('user'), username: 'rita', name: 'Rita', email: 'rita@sim.invalid' };
    w.sim.state.users.push(reporter);
    w.sim.state.tokens.push({ value: 'glpat-reporter', userId: reporter.id, kind: 'personal' });
    w.orchestrator.members.set(reporter.id, ACCESS.reporter);
    const denied = await w.api(
      'POST',
      '/projects/evenergi%2Fdevelop/pipeline',
      { ref: 'main', inputs: DEPLOY_INPUTS },
      'glpat-reporter',
    );
    expect([denied.status, denied.body]).toEqual([403, { message: '403 Forbidden' }]);
  });

  it('answers malformed parameters with Grape-style 400s, never a crash', async () => {
    const cases: [unknown, unknown][] = [
      [{ ref: { a: 1 } }, { error: 'ref is invalid' }],
      [{ ref: 'main', variables: 'x' }, { error: 'variables is invalid' }],
      [{ ref: 'main', variables: [1] }, { error: 'variables[key] is missing' }],
      [
        { ref: 'main', variables: [{ key: 'A', variable_type: 'x' }] },
        { error: 'variables[variable_type] does not have a valid value' },
      ],
      [{ ref: 'main', inputs: [] }, { error: 'inputs is invalid' }],
      [{ ref: 'main', inputs: 'x' }, { error: 'inputs is invalid' }],
    ];
    for (const [body, answer] of cases) {
      const res = await w.api('POST', '/projects/evenergi%2Fdevelop/pipeline', body);
      expect([res.status, res.body]).toEqual([400, answer]);
    }
  });

  it('refuses pipeline variables below the minimum role, and records them otherwise', async () => {
    const body = { ref: 'main', inputs: DEPLOY_INPUTS, variables: [{ key: 'WHY', value: 'hotfix' }] };
    w.orchestrator.pipelineVariablesMinimumRole = ACCESS.none;
    const refused = await w.api('POST', '/projects/evenergi%2Fdevelop/pipeline', body);
    expect(refused.body).toEqual({ message: { base: ['Insufficient permissions to set pipeline variables'] } });
    w.orchestrator.pipelineVariablesMinimumRole = ACCESS.developer;
    const created = await w.api('POST', '/projects/evenergi%2Fdevelop/pipeline', body);
    expect(created.status).toBe(201);
    const vars = await w.api('GET', `/projects/evenergi%2Fdevelop/pipelines/${created.body.id}/variables`);
    expect(vars.body).toEqual([{ variable_type: 'env_var', key: 'WHY', value: 'hotfix' }]);
    await w.api('POST', `/projects/evenergi%2Fdevelop/pipelines/${created.body.id}/cancel`);
  });

  it('creates the deploy pipeline: source api, name from the inputs, one trigger job, status pending', async () => {
    const res = await w.orchestrate(DEPLOY_INPUTS);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      ref: 'main',
      status: 'pending',
      source: 'api',
      name: 'deploy-release-branch-to-staging acme/service confirm=true',
      detailed_status: { text: 'Pending', group: 'pending' },
    });
    const p = w.engine.pipeline(w.orchestrator, res.body.id);
    expect(p?.inputs).toEqual(DEPLOY_INPUTS);
    const jobs = await w.api('GET', `/projects/evenergi%2Fdevelop/pipelines/${res.body.id}/jobs`);
    expect(jobs.body).toEqual([]);
    const bridges = await w.api('GET', `/projects/evenergi%2Fdevelop/pipelines/${res.body.id}/bridges`);
    expect(bridges.body.map((b: { name: string }) => b.name)).toEqual(['deploy-release-branch-to-staging']);
    expect(bridges.body[0].downstream_pipeline).toBeNull();
  });

  it('chooses the cut-off jobs for bring-all-code-to-release-branch and a failing check without confirm', async () => {
    const cut = await w.orchestrate({ ...DEPLOY_INPUTS, action: 'bring-all-code-to-release-branch' });
    const cutJobs = await w.api('GET', `/projects/evenergi%2Fdevelop/pipelines/${cut.body.id}/jobs`);
    expect(cutJobs.body.map((j: { name: string }) => j.name)).toEqual(['bring-all-code-to-release-branch']);
    await w.api('POST', `/projects/evenergi%2Fdevelop/pipelines/${cut.body.id}/cancel`);
    const unconfirmed = await w.orchestrate({ action: DEPLOY_INPUTS.action, project: 'acme/service' });
    const jobs = await w.api('GET', `/projects/evenergi%2Fdevelop/pipelines/${unconfirmed.body.id}/jobs`);
    expect(jobs.body.map((j: { name: string }) => j.name)).toEqual(['confirmation-required']);
    await w.advance(10);
    const after = await w.api('GET', `/projects/evenergi%2Fdevelop/pipelines/${unconfirmed.body.id}`);
    expect(after.body.status).toBe('failed');
  });

  it('lists pipelines newest first with filters, and validates order_by', async () => {
    const all = await w.api('GET', '/projects/evenergi%2Fdevelop/pipelines');
    const ids = all.body.map((p: { id: number }) => p.id);
    expect(ids).toEqual([...ids].sort((a: number, b: number) => b - a));
    expect(all.headers.get('x-total')).toBe(String(ids.length));
    const failed = await w.api('GET', '/projects/evenergi%2Fdevelop/pipelines?status=failed&source=api&ref=main');
    expect(failed.body.every((p: { status: string }) => p.status === 'failed')).toBe(true);
    expect(failed.body.length).toBeGreaterThan(0);
    const asc = await w.api('GET', '/projects/evenergi%2Fdevelop/pipelines?sort=asc&per_page=1');
    expect(asc.body[0].id).toBe(Math.min(...ids));
    expect(asc.headers.get('x-next-page')).toBe('2');
    const bad = await w.api('GET', '/projects/evenergi%2Fdevelop/pipelines?order_by=name');
    expect([bad.status, bad.body]).toEqual([400, { error: 'order_by does not have a valid value' }]);
    const latest = await w.api('GET', '/projects/evenergi%2Fdevelop/pipelines/latest?ref=main');
    expect(latest.body.id).toBe(Math.max(...ids));
    const none = await w.api('GET', '/projects/evenergi%2Fdevelop/pipelines/999999');
    expect([none.status, none.body]).toEqual([404, { message: '404 Not found' }]);
    const badId = await w.api('GET', '/projects/evenergi%2Fdevelop/pipelines/abc');
    expect([badId.status, badId.body]).toEqual([400, { error: 'pipeline_id is invalid' }]);
    const branches = await w.api('GET', '/projects/evenergi%2Fdevelop/pipelines?scope=branches');
    expect(branches.body.map((p: { id: number }) => p.id)).toEqual([Math.max(...ids)]);
    const mine = await w.api('GET', '/projects/evenergi%2Fdevelop/pipelines?username=root&per_page=100');
    expect(mine.body).toHaveLength(ids.length);
    const nobody = await w.api('GET', '/projects/evenergi%2Fdevelop/pipelines?username=rita');
    expect(nobody.body).toEqual([]);
    const future = await w.api('GET', '/projects/evenergi%2Fdevelop/pipelines?created_after=2100-01-01T00:00:00Z');
    expect(future.body).toEqual([]);
  });

  it('refuses play, cancel and retry to a reporter with 403', async () => {
    const p = await w.orchestrate({ action: DEPLOY_INPUTS.action, project: 'acme/service' });
    const [job] = (await w.api('GET', `/projects/evenergi%2Fdevelop/pipelines/${p.body.id}/jobs`)).body;
    for (const path of [`jobs/${job.id}/play`, `jobs/${job.id}/cancel`, `pipelines/${p.body.id}/cancel`]) {
      const res = await w.api('POST', `/projects/evenergi%2Fdevelop/${path}`, undefined, 'glpat-reporter');
      expect([path, res.status]).toEqual([path, 403]);
    }
    const seen = await w.api('GET', `/projects/evenergi%2Fdevelop/jobs/${job.id}`, undefined, 'glpat-reporter');
    expect(seen.body.status).toBe('pending');
  });
});

describe('trigger: multi-project downstream', () => {
  let w: CiWorld;
  beforeAll(async () => {
    w = await makeCiWorld();
  });
  afterAll(() => w.sim.close());

  it('creates a bridge and a downstream pipeline on release in the target project; depend mirrors it', async () => {
    const up = await w.orchestrate(DEPLOY_INPUTS);
    await w.advance(1);
    const bridges = await w.api('GET', `/projects/evenergi%2Fdevelop/pipelines/${up.body.id}/bridges`);
    const bridge = bridges.body[0];
    expect(bridge.status).toBe('running');
    expect(bridge.downstream_pipeline).toMatchObject({ project_id: w.service.id, ref: 'release', source: 'pipeline' });
    const downId = bridge.downstream_pipeline.id;
    const down = await w.api('GET', `/projects/acme%2Fservice/pipelines/${downId}`);
    expect(down.body).toMatchObject({ sha: w.releaseSha, ref: 'release', source: 'pipeline' });
    const vars = await w.api('GET', `/projects/acme%2Fservice/pipelines/${downId}/variables`);
    expect(vars.body).toEqual([{ variable_type: 'env_var', key: 'ORCHESTRATED_BY', value: 'evenergi/develop' }]);
    const jobs = await w.api('GET', `/projects/acme%2Fservice/pipelines/${downId}/jobs`);
    expect(jobs.body.map((j: { name: string }) => j.name)).toEqual(['smoke', 'deploy-staging', 'build']);
    await w.advance(120);
    const done = await w.api('GET', `/projects/acme%2Fservice/pipelines/${downId}`);
    expect(done.body.status).toBe('success');
    const upDone = await w.api('GET', `/projects/evenergi%2Fdevelop/pipelines/${up.body.id}`);
    expect(upDone.body).toMatchObject({ status: 'success', detailed_status: { text: 'Passed' } });
  });

  it('without strategy: depend, the bridge succeeds as soon as the downstream pipeline exists', async () => {
    const ci = `trigger-it:\n  trigger:\n    project: acme/service\n    branch: release\n`;
    const v = await makeCiWorld({ orchestratorCi: ci });
    try {
      const up = await v.api('POST', '/projects/evenergi%2Fdevelop/pipeline', { ref: 'main' });
      await v.advance(1);
      const upNow = await v.api('GET', `/projects/evenergi%2Fdevelop/pipelines/${up.body.id}`);
      expect(upNow.body.status).toBe('success');
      const bridges = await v.api('GET', `/projects/evenergi%2Fdevelop/pipelines/${up.body.id}/bridges`);
      expect(bridges.body[0].downstream_pipeline.status).toBe('pending');
    } finally {
      await v.sim.close();
    }
  });

  it('drives the variables-based orchestrator (GitLab before inputs) to the same downstream deploy', async () => {
    const v = await makeCiWorld({ orchestratorCi: demoCiFiles().orchestratorVariables });
    try {
      const variables = [
        { key: 'action', value: 'deploy-release-branch-to-staging' },
        { key: 'project', value: 'acme/service' },
        { key: 'confirm', value: 'true' },
      ];
      const up = await v.api('POST', '/projects/evenergi%2Fdevelop/pipeline', { ref: 'main', variables });
      expect(up.body.name).toBe('deploy-release-branch-to-staging acme/service confirm=true');
      await v.advance(120);
      const [bridge] = (await v.api('GET', `/projects/evenergi%2Fdevelop/pipelines/${up.body.id}/bridges`)).body;
      expect(bridge).toMatchObject({ status: 'success', downstream_pipeline: { project_id: v.service.id } });
    } finally {
      await v.sim.close();
    }
  });

  it('fails the bridge when the user may not run pipelines in the target project', async () => {
    const dev = { id: w.sim.state.nextId('user'), username: 'dana', name: 'Dana', email: 'dana@sim.invalid' };
    w.sim.state.users.push(dev);
    w.sim.state.tokens.push({ value: 'glpat-dana', userId: dev.id, kind: 'personal' });
    w.orchestrator.members.set(dev.id, ACCESS.developer);
    const up = await w.api(
      'POST',
      '/projects/evenergi%2Fdevelop/pipeline',
      { ref: 'main', inputs: DEPLOY_INPUTS },
      'glpat-dana',
    );
    expect(up.status).toBe(201);
    await w.advance(2);
    const bridges = await w.api('GET', `/projects/evenergi%2Fdevelop/pipelines/${up.body.id}/bridges`);
    expect(bridges.body[0]).toMatchObject({ status: 'failed', failure_reason: 'insufficient_bridge_permissions' });
  });

  it('fails the bridge when the target project does not exist', async () => {
    const up = await w.orchestrate({ ...DEPLOY_INPUTS, project: 'acme/nope' });
    await w.advance(2);
    const bridges = await w.api('GET', `/projects/evenergi%2Fdevelop/pipelines/${up.body.id}/bridges`);
    expect(bridges.body[0]).toMatchObject({
      status: 'failed',
      failure_reason: 'downstream_bridge_project_not_found',
      downstream_pipeline: null,
    });
  });
});
