import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CiWorld, DEPLOY_INPUTS, makeCiWorld } from './_test-support.js';
import { getCiEngine } from './engine.js';

const SVC = '/projects/acme%2Fservice';

describe(getCiEngine.name, () => {
  let w: CiWorld;
  beforeEach(async () => {
    w = await makeCiWorld();
  });
  afterEach(() => w.sim.close());

  it('keeps exact simulated timestamps when one big clock step crosses async steps', async () => {
    const up = await w.orchestrate(DEPLOY_INPUTS);
    expect(up.body.created_at).toBe('2026-03-02T10:00:00.000Z');
    await w.advance(3600);
    const [dep] = (await w.api('GET', `${SVC}/deployments`)).body;
    // bridge picked up at +1 s; build 1 s queue + 10 s; deploy-staging 1 s queue + 30 s.
    expect(dep.deployable.started_at).toBe('2026-03-02T10:00:13.000Z');
    expect(dep.deployable.finished_at).toBe('2026-03-02T10:00:43.000Z');
    expect(dep.deployable.duration).toBe(30);
    const upDone = await w.api('GET', `/projects/evenergi%2Fdevelop/pipelines/${up.body.id}`);
    expect(upDone.body.finished_at).toBe('2026-03-02T10:00:54.000Z');
  });

  it('honours a plain /-/sim/clock/advance too, once async steps settle', async () => {
    await w.orchestrate(DEPLOY_INPUTS);
    await w.ext('POST', '/-/sim/clock/advance', { ms: 3_600_000 });
    await w.engine.settled();
    const [dep] = (await w.api('GET', `${SVC}/deployments`)).body;
    expect(dep.status).toBe('success');
  });

  it('a forced canceled outcome cancels the job and its deployment; retrying the pipeline recovers', async () => {
    w.engine.forceJobOutcome({ project: 'acme/service', job: 'deploy-staging', status: 'canceled' });
    const down = await w.api('POST', `${SVC}/pipeline`, { ref: 'release' });
    await w.advance(120);
    expect((await w.api('GET', `${SVC}/pipelines/${down.body.id}`)).body.status).toBe('canceled');
    expect((await w.api('GET', `${SVC}/deployments`)).body[0].status).toBe('canceled');
    const retried = await w.api('POST', `${SVC}/pipelines/${down.body.id}/retry`);
    expect([retried.status, retried.body.status]).toEqual([201, 'running']);
    await w.advance(120);
    expect((await w.api('GET', `${SVC}/pipelines/${down.body.id}`)).body.status).toBe('success');
    const all = await w.api('GET', `${SVC}/pipelines/${down.body.id}/jobs?include_retried=true`);
    expect(all.body.map((j: { name: string; status: string }) => `${j.name}:${j.status}`)).toEqual([
      'deploy-staging:success',
      'smoke:success',
      'deploy-staging:canceled',
      'build:success',
    ]);
  });

  it('canceling a job via the API, and 403 for retrying a running job', async () => {
    const p = await w.api('POST', `${SVC}/pipeline`, { ref: 'release' });
    await w.advance(2);
    const [build] = (await w.api('GET', `${SVC}/pipelines/${p.body.id}/jobs?scope[]=running`)).body;
    const notYet = await w.api('POST', `${SVC}/jobs/${build.id}/retry`);
    expect([notYet.status, notYet.body]).toEqual([403, { message: '403 Forbidden - Job is not retryable' }]);
    const canceled = await w.api('POST', `${SVC}/jobs/${build.id}/cancel`);
    expect([canceled.status, canceled.body.status]).toEqual([201, 'canceled']);
    await w.advance(60);
    const jobs = (await w.api('GET', `${SVC}/pipelines/${p.body.id}/jobs`)).body;
    expect(jobs.map((j: { status: string }) => j.status)).toEqual(['skipped', 'skipped', 'canceled']);
    const finished = await w.api('GET', `${SVC}/pipelines/${p.body.id}/jobs?scope=finished`);
    expect(finished.body).toHaveLength(3);
    expect((await w.api('GET', `${SVC}/pipelines/${p.body.id}`)).body.status).toBe('canceled');
    const bad = await w.api('GET', `${SVC}/pipelines/${p.body.id}/jobs?scope[]=bogus`);
    expect([bad.status, bad.body]).toEqual([400, { error: 'scope does not have a valid value' }]);
  });

  it('canceling the orchestration pipeline cancels its depending downstream pipeline', async () => {
    const up = await w.orchestrate(DEPLOY_INPUTS);
    await w.advance(5);
    const [bridge] = (await w.api('GET', `/projects/evenergi%2Fdevelop/pipelines/${up.body.id}/bridges`)).body;
    await w.api('POST', `/projects/evenergi%2Fdevelop/pipelines/${up.body.id}/cancel`);
    const down = await w.api('GET', `${SVC}/pipelines/${bridge.downstream_pipeline.id}`);
    expect(down.body.status).toBe('canceled');
  });

  it('runs a needs: DAG out of stage order and takes SIM_DURATION_SECONDS and settings into account', async () => {
    const ci = `stages: [a, b]
slow:
  stage: a
  script: [x]
  variables: { SIM_DURATION_SECONDS: "100" }
fast:
  stage: a
  script: [x]
early:
  stage: b
  needs: [fast]
  script: [x]
`;
    const v = await makeCiWorld({ serviceCi: ci });
    try {
      v.engine.configure({ defaultJobDurationMs: 5_000, queueDelayMs: 0 });
      const p = await v.api('POST', `${SVC}/pipeline`, { ref: 'main' });
      await v.advance(10);
      const jobs = (await v.api('GET', `${SVC}/pipelines/${p.body.id}/jobs`)).body;
      expect(jobs.map((j: { name: string; status: string }) => `${j.name}:${j.status}`)).toEqual([
        'early:success',
        'fast:success',
        'slow:running',
      ]);
      const settings = await v.ext('POST', '/-/sim/ci/settings', { realTimeScale: 0.01 });
      expect(settings.body).toEqual({
        defaultJobDurationMs: 5_000,
        queueDelayMs: 0,
        realTimeScale: 0.01,
        pipelineCreationLimitPerMinute: 0,
      });
    } finally {
      await v.sim.close();
    }
  });

  it('an environment stop job stops the environment, and health then reports down', async () => {
    const ci = `stages: [deploy, cleanup]
deploy:
  stage: deploy
  script: [x]
  environment: { name: review/app, url: "$CI_SERVER_URL/-/sim/services/$CI_PROJECT_PATH/$CI_ENVIRONMENT_SLUG", on_stop: stop }
stop:
  stage: cleanup
  when: manual
  script: [x]
  environment: { name: review/app, action: stop }
`;
    const v = await makeCiWorld({ serviceCi: ci });
    try {
      const p = await v.api('POST', `${SVC}/pipeline`, { ref: 'main' });
      await v.advance(60);
      expect((await v.api('GET', `${SVC}/pipelines/${p.body.id}`)).body.status).toBe('success');
      const [env] = (await v.api('GET', `${SVC}/environments?name=review/app`)).body;
      expect(env).toMatchObject({ tier: 'development', state: 'available' });
      expect(env.slug).toMatch(/^review-app-[a-z0-9]{6}$/);
      const health = `${new URL(env.external_url).pathname}/health`;
      expect((await v.ext('GET', health)).body.status).toBe('ok');
      const [stop] = (await v.api('GET', `${SVC}/pipelines/${p.body.id}/jobs?scope[]=manual`)).body;
      await v.api('POST', `${SVC}/jobs/${stop.id}/play`);
      await v.advance(60);
      expect((await v.api('GET', `${SVC}/environments?states=stopped`)).body.map((e: { id: number }) => e.id)).toEqual([
        env.id,
      ]);
      expect((await v.ext('GET', health)).body.status).toBe('down');
      expect((await v.api('GET', `${SVC}/deployments`)).body).toHaveLength(1);
    } finally {
      await v.sim.close();
    }
  });

  it('holds a when: delayed job in scheduled until start_in passes, and serves job logs', async () => {
    const ci = `later:\n  when: delayed\n  start_in: 2 minutes\n  script: [echo hi, ./deploy.sh]\n`;
    const v = await makeCiWorld({ serviceCi: ci });
    try {
      const p = await v.api('POST', `${SVC}/pipeline`, { ref: 'main' });
      await v.advance(60);
      const [job] = (await v.api('GET', `${SVC}/pipelines/${p.body.id}/jobs`)).body;
      expect([job.status, (await v.api('GET', `${SVC}/pipelines/${p.body.id}`)).body.status]).toEqual([
        'scheduled',
        'scheduled',
      ]);
      expect((await v.api('GET', `${SVC}/jobs/${job.id}/trace`)).body ?? '').toBe('');
      await v.advance(92);
      expect((await v.api('GET', `${SVC}/jobs/${job.id}`)).body.status).toBe('success');
      const log = await v.api('GET', `${SVC}/jobs/${job.id}/trace`);
      expect(log.headers.get('content-type')).toContain('text/plain');
      expect(log.body).toContain('$ echo hi\n$ ./deploy.sh\nJob succeeded\n');
      const broken = `later:\n  when: delayed\n  start_in: soon\n  script: [x]\n`;
      const v2 = await makeCiWorld({ serviceCi: broken });
      const r = await v2.api('POST', `${SVC}/pipeline`, { ref: 'main' });
      expect(r.body).toEqual({ message: { base: ['jobs:later start in should be a duration'] } });
      await v2.sim.close();
    } finally {
      await v.sim.close();
    }
  });

  it('simulates the pipeline-creation rate limit as GitLab answers it (400, not 429)', async () => {
    w.engine.configure({ pipelineCreationLimitPerMinute: 2 });
    for (let i = 0; i < 2; i++) expect((await w.api('POST', `${SVC}/pipeline`, { ref: 'main' })).status).toBe(201);
    const limited = await w.api('POST', `${SVC}/pipeline`, { ref: 'main' });
    expect([limited.status, limited.body]).toEqual([
      400,
      { message: { base: ['Too many pipelines created in the last minute. Try again later.'] } },
    ]);
    await w.advance(61);
    expect((await w.api('POST', `${SVC}/pipeline`, { ref: 'main' })).status).toBe(201);
  });

  it('runs on the real clock, with durations scaled down', async () => {
    const v = await makeCiWorld({ realClock: true });
    try {
      expect(v.sim.clock.isVirtual).toBe(false);
      v.engine.configure({ realTimeScale: 0.002 });
      const p = await v.api('POST', `${SVC}/pipeline`, { ref: 'release' });
      const deadline = Date.now() + 5_000;
      let status = p.body.status;
      while (status !== 'success' && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
        status = (await v.api('GET', `${SVC}/pipelines/${p.body.id}`)).body.status;
      }
      expect(status).toBe('success');
    } finally {
      await v.sim.close();
    }
  });
});
