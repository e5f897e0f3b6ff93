import { GitbeakerRequestError, Gitlab } from '@gitbeaker/rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CiWorld, DEPLOY_INPUTS, makeCiWorld } from '../ci/_test-support.js';

/** The CI routes driven by an off-the-shelf client we do not write: @gitbeaker/rest 43.8.0. */
describe('CI with @gitbeaker/rest', () => {
  let w: CiWorld;
  let api: InstanceType<typeof Gitlab>;
  beforeAll(async () => {
    w = await makeCiWorld();
    api = new Gitlab({ host: w.sim.url, token: w.sim.token });
  });
  afterAll(() => w.sim.close());

  it('creates the guided pipeline, follows the bridge downstream and reads the deployment', async () => {
    // gitbeaker 43.8.0 does not type `inputs` but passes it through (notes §0.5).
    const options = { inputs: DEPLOY_INPUTS } as Parameters<typeof api.Pipelines.create>[2];
    const up = (await api.Pipelines.create('evenergi/develop', 'main', options)) as {
      id: number;
      status: string;
      source: string;
    };
    expect([up.status, up.source]).toEqual(['pending', 'api']);
    await w.advance(120);
    const shown = await api.Pipelines.show('evenergi/develop', up.id);
    expect(shown.status).toBe('success');
    const [bridge] = await api.Jobs.allPipelineBridges('evenergi/develop', up.id);
    const down = bridge?.downstream_pipeline as { id: number; project_id: number };
    expect(down.project_id).toBe(w.service.id);
    const jobs = await api.Jobs.all(down.project_id, { pipelineId: down.id });
    expect(jobs.map((j) => j.name)).toEqual(['smoke', 'deploy-staging', 'build']);
    const deployments = await api.Deployments.all(down.project_id, {
      environment: 'staging',
      orderBy: 'id',
      sort: 'desc',
      maxPages: 1,
      perPage: 5,
    });
    expect(deployments.map((d) => [d.status, (d as { sha: string }).sha])).toEqual([['success', w.releaseSha]]);
    const [env] = await api.Environments.all(down.project_id, { name: 'staging' });
    const detail = await api.Environments.show(down.project_id, env?.id as number);
    expect((detail.last_deployment as { sha?: string } | undefined)?.sha).toBe(w.releaseSha);
    const vars = await api.Pipelines.allVariables(down.project_id, down.id);
    expect(vars.map((v) => [v.key, v.value])).toEqual([['ORCHESTRATED_BY', 'evenergi/develop']]);
  });

  it('surfaces GitLab error bodies for bad inputs and the updated_after rule', async () => {
    const options = { inputs: { ...DEPLOY_INPUTS, confirm: 'yes' } } as Parameters<typeof api.Pipelines.create>[2];
    const bad = await api.Pipelines.create('evenergi/develop', 'main', options).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(GitbeakerRequestError);
    expect((bad as Error).message).toContain('`confirm` input: provided value is not a boolean');
    const refused = await api.Deployments.all('acme/service', { updatedAfter: '2026-01-01T00:00:00Z' }).catch(
      (e: unknown) => e,
    );
    expect((refused as Error).message).toContain('`updated_at` filter requires `updated_at` sort');
  });
});
