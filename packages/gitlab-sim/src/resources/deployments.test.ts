import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { git } from '../_internal/git.js';
import { type CiWorld, DEPLOY_INPUTS, makeCiWorld } from '../ci/_test-support.js';

const SVC = '/projects/acme%2Fservice';

/** Starts the deploy pipeline and returns the downstream pipeline id once it exists. */
async function deploy(w: CiWorld): Promise<{ upId: number; downId: number }> {
  const up = await w.orchestrate(DEPLOY_INPUTS);
  expect(up.status).toBe(201);
  await w.advance(1);
  const bridges = await w.api('GET', `/projects/evenergi%2Fdevelop/pipelines/${up.body.id}/bridges`);
  return { upId: up.body.id, downId: bridges.body[0].downstream_pipeline.id };
}

async function stagingDeployments(w: CiWorld) {
  return (await w.api('GET', `${SVC}/deployments?environment=staging&order_by=id&sort=desc`)).body;
}

describe('deployments driven by the clock', () => {
  let w: CiWorld;
  beforeEach(async () => {
    w = await makeCiWorld();
  });
  afterEach(() => w.sim.close());

  it('moves created → running → success, records the SHA, and the health endpoint reports it', async () => {
    const { downId } = await deploy(w);
    let [dep] = await stagingDeployments(w);
    expect(dep).toMatchObject({ status: 'created', sha: w.releaseSha, ref: 'release' });
    expect(dep.deployable).toMatchObject({ name: 'deploy-staging', pipeline: { id: downId } });
    await w.advance(11); // build: 1 s queue + 10 s
    await w.advance(1); // deploy-staging picked up
    [dep] = await stagingDeployments(w);
    expect(dep.status).toBe('running');
    const envs = await w.api('GET', `${SVC}/environments?name=staging`);
    expect(envs.body).toHaveLength(1);
    expect(envs.body[0]).not.toHaveProperty('last_deployment');
    expect(envs.body[0]).toMatchObject({ tier: 'staging', state: 'available' });
    const env = await w.api('GET', `${SVC}/environments/${envs.body[0].id}`);
    expect(env.body.last_deployment).toBeNull();
    const health = `${new URL(envs.body[0].external_url).pathname}/health`;
    expect((await w.ext('GET', health)).status).toBe(503);
    await w.advance(30);
    [dep] = await stagingDeployments(w);
    expect(dep.status).toBe('success');
    const after = await w.api('GET', `${SVC}/environments/${envs.body[0].id}`);
    expect(after.body.last_deployment).toMatchObject({ id: dep.id, sha: w.releaseSha, status: 'success' });
    const ok = await w.ext('GET', health);
    expect([ok.status, ok.body.status, ok.body.version, ok.body.environment]).toEqual([
      200,
      'ok',
      w.releaseSha,
      'staging',
    ]);
    await w.advance(20);
    expect((await w.api('GET', `${SVC}/pipelines/${downId}`)).body.status).toBe('success');
  });

  it('a forced failure fails the deployment, the downstream pipeline and the depending bridge', async () => {
    const outcome = await w.ext('POST', '/-/sim/jobs/outcome', {
      project: 'acme/service',
      job: 'deploy-staging',
      status: 'failed',
    });
    expect(outcome.status).toBe(201);
    const { upId, downId } = await deploy(w);
    await w.advance(120);
    const [dep] = await stagingDeployments(w);
    expect(dep.status).toBe('failed');
    expect(dep.deployable).toMatchObject({ status: 'failed', failure_reason: 'script_failure' });
    const jobs = await w.api('GET', `${SVC}/pipelines/${downId}/jobs?scope[]=skipped`);
    expect(jobs.body.map((j: { name: string }) => j.name)).toEqual(['smoke']);
    expect((await w.api('GET', `${SVC}/pipelines/${downId}`)).body.status).toBe('failed');
    const bridges = await w.api('GET', `/projects/evenergi%2Fdevelop/pipelines/${upId}/bridges`);
    expect(bridges.body[0].status).toBe('failed');
    expect((await w.api('GET', `/projects/evenergi%2Fdevelop/pipelines/${upId}`)).body.status).toBe('failed');
    // Retrying the job deploys again, as a new job and a new deployment.
    const retried = await w.api('POST', `${SVC}/jobs/${dep.deployable.id}/retry`);
    expect([retried.status, retried.body.status]).toEqual([201, 'pending']);
    await w.advance(60);
    const [again, first] = await stagingDeployments(w);
    expect([again.status, again.deployable.id, first.id]).toEqual(['success', retried.body.id, dep.id]);
  });

  it('canceling the downstream pipeline cancels the running deployment and the depending bridge', async () => {
    const { upId, downId } = await deploy(w);
    await w.advance(13);
    expect((await stagingDeployments(w))[0].status).toBe('running');
    const canceled = await w.api('POST', `${SVC}/pipelines/${downId}/cancel`);
    expect([canceled.status, canceled.body.status]).toEqual([201, 'canceled']);
    expect((await stagingDeployments(w))[0].status).toBe('canceled');
    const bridges = await w.api('GET', `/projects/evenergi%2Fdevelop/pipelines/${upId}/bridges`);
    expect(bridges.body[0].status).toBe('canceled');
    expect((await w.api('GET', `/projects/evenergi%2Fdevelop/pipelines/${upId}`)).body.status).toBe('canceled');
    await w.advance(60);
    expect((await stagingDeployments(w))[0].status).toBe('canceled');
  });

  it('the cut-off action really rebuilds release from main (and deploys it)', async () => {
    const res = await w.orchestrate({ ...DEPLOY_INPUTS, action: 'bring-all-code-to-release-branch' });
    expect(res.status).toBe(201);
    await w.advance(25);
    const head = await git(['rev-parse', 'refs/heads/release'], { cwd: w.service.repoDir });
    expect(head).toBe(w.mainSha);
    await w.advance(120);
    const [dep] = await stagingDeployments(w);
    expect([dep.status, dep.sha]).toEqual(['success', w.mainSha]);
  });

  it('an unrelated pipeline deploying to staging meanwhile is told apart by its pipeline', async () => {
    const { downId } = await deploy(w);
    const other = await w.api('POST', `${SVC}/pipeline`, { ref: 'release' });
    expect(other.body.source).toBe('api');
    await w.advance(120);
    const deps = await stagingDeployments(w);
    expect(deps).toHaveLength(2);
    const ours = deps.filter((d: { deployable: { pipeline: { id: number } } }) => d.deployable.pipeline.id === downId);
    expect(ours).toHaveLength(1);
    expect(deps.map((d: { deployable: { pipeline: { id: number } } }) => d.deployable.pipeline.id).sort()).toEqual(
      [downId, other.body.id].sort(),
    );
  });

  it('the health control can make a service lie or fail', async () => {
    await deploy(w);
    await w.advance(60);
    const path = '/-/sim/services/acme/service/staging/health';
    await w.ext('POST', '/-/sim/health', { project: 'acme/service', environment: 'staging', sha: 'f'.repeat(40) });
    expect((await w.ext('GET', path)).body.version).toBe('f'.repeat(40));
    await w.ext('POST', '/-/sim/health', { project: 'acme/service', environment: 'staging', status: 'degraded' });
    const failing = await w.ext('GET', path);
    expect([failing.status, failing.body.status]).toEqual([503, 'degraded']);
    await w.ext('DELETE', '/-/sim/health');
    const encoded = await w.ext('GET', '/-/sim/services/acme%2Fservice/staging/health');
    expect([encoded.status, encoded.body.version]).toEqual([200, w.releaseSha]);
    expect((await w.ext('GET', '/-/sim/services/acme/nope/staging/health')).status).toBe(404);
  });
});

describe('manual and approval gates', () => {
  const manualCi = (extra: string) => `stages: [deploy]
deploy-staging:
  stage: deploy
  rules:
    - if: '$CI_COMMIT_BRANCH == "release"'
      when: manual
  variables:
${extra}
  script: [./deploy.sh]
  environment:
    name: staging
`;

  it('a manual deploy job blocks the pipeline until played', async () => {
    const w = await makeCiWorld({ serviceCi: manualCi('    SIM_DURATION_SECONDS: "30"') });
    try {
      const { upId, downId } = await deploy(w);
      await w.advance(5);
      const down = await w.api('GET', `${SVC}/pipelines/${downId}`);
      expect(down.body).toMatchObject({ status: 'manual', detailed_status: { text: 'Blocked', group: 'manual' } });
      expect((await w.api('GET', `/projects/evenergi%2Fdevelop/pipelines/${upId}`)).body.status).toBe('running');
      const [dep] = await stagingDeployments(w);
      expect([dep.status, dep.deployable.status]).toEqual(['created', 'manual']);
      const played = await w.api('POST', `${SVC}/jobs/${dep.deployable.id}/play`);
      expect([played.status, played.body.status]).toEqual([200, 'pending']);
      const again = await w.api('POST', `${SVC}/jobs/${dep.deployable.id}/play`);
      expect([again.status, again.body]).toEqual([400, { message: '400 Bad request - Unplayable Job' }]);
      await w.advance(40);
      expect((await stagingDeployments(w))[0].status).toBe('success');
      expect((await w.api('GET', `/projects/evenergi%2Fdevelop/pipelines/${upId}`)).body.status).toBe('success');
    } finally {
      await w.sim.close();
    }
  });

  it('an approval gate shows the deployment as blocked until the job is played', async () => {
    const w = await makeCiWorld({
      serviceCi: manualCi('    SIM_APPROVAL_REQUIRED: "true"').replace('      when: manual\n', ''),
    });
    try {
      await deploy(w);
      await w.advance(2);
      const [dep] = await stagingDeployments(w);
      expect([dep.status, dep.deployable.status]).toEqual(['blocked', 'manual']);
      await w.api('POST', `${SVC}/jobs/${dep.deployable.id}/play`);
      expect((await stagingDeployments(w))[0].status).toBe('created');
      await w.advance(40);
      expect((await stagingDeployments(w))[0].status).toBe('success');
    } finally {
      await w.sim.close();
    }
  });
});
