import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CiWorld, DEPLOY_INPUTS, makeCiWorld } from '../ci/_test-support.js';

const SVC = '/projects/acme%2Fservice';
type Dep = { id: number; status: string; updated_at: string };

describe('GET /projects/:id/deployments', () => {
  let w: CiWorld;
  let startedAt: string;
  beforeAll(async () => {
    w = await makeCiWorld();
    await w.orchestrate(DEPLOY_INPUTS);
    await w.advance(600); // one big step: downstream creation and every job catch up on their own
    startedAt = w.sim.clock.iso();
    w.engine.forceJobOutcome({ project: 'acme/service', job: 'deploy-staging', status: 'failed' });
    await w.orchestrate(DEPLOY_INPUTS);
    await w.advance(600);
    await w.orchestrate(DEPLOY_INPUTS);
    await w.advance(13); // third deployment running
  });
  afterAll(() => w.sim.close());

  it('lists ascending by id by default, with pagination headers', async () => {
    const res = await w.api('GET', `${SVC}/deployments?per_page=2`);
    expect(res.body.map((d: Dep) => d.status)).toEqual(['success', 'failed']);
    expect([res.headers.get('x-total'), res.headers.get('x-next-page')]).toEqual(['3', '2']);
    const desc = await w.api('GET', `${SVC}/deployments?sort=desc`);
    expect(desc.body.map((d: Dep) => d.status)).toEqual(['running', 'failed', 'success']);
  });

  it('filters by environment and status', async () => {
    expect((await w.api('GET', `${SVC}/deployments?environment=production`)).body).toEqual([]);
    const ok = await w.api('GET', `${SVC}/deployments?environment=staging&status=success`);
    expect(ok.body.map((d: Dep) => d.status)).toEqual(['success']);
    const bad = await w.api('GET', `${SVC}/deployments?status=done`);
    expect([bad.status, bad.body]).toEqual([400, { error: 'status does not have a valid value' }]);
  });

  it('requires order_by=updated_at for updated_after/before', async () => {
    const q = `updated_after=${encodeURIComponent(startedAt)}`;
    const refused = await w.api('GET', `${SVC}/deployments?${q}`);
    expect([refused.status, refused.body]).toEqual([
      400,
      { message: '400 Bad request - `updated_at` filter requires `updated_at` sort' },
    ]);
    const res = await w.api('GET', `${SVC}/deployments?${q}&order_by=updated_at&sort=desc`);
    expect(res.status).toBe(200);
    expect(res.body.map((d: Dep) => d.status)).toEqual(['running', 'failed']);
    expect(res.body.every((d: Dep) => d.updated_at >= startedAt)).toBe(true);
  });

  it('requires order_by=finished_at and status=success for finished_after/before', async () => {
    const q = `finished_after=${encodeURIComponent('2026-01-01T00:00:00Z')}`;
    expect((await w.api('GET', `${SVC}/deployments?${q}`)).body).toEqual({
      message: '400 Bad request - `finished_at` filter requires `finished_at` sort.',
    });
    expect((await w.api('GET', `${SVC}/deployments?${q}&order_by=finished_at`)).body).toEqual({
      message: '400 Bad request - `finished_at` filter must be combined with `success` status filter.',
    });
    expect((await w.api('GET', `${SVC}/deployments?order_by=finished_at`)).body).toEqual({
      message:
        '400 Bad request - `finished_at` sort requires `finished_at` filter or a filter with at least one of the finished statuses.',
    });
    const ok = await w.api('GET', `${SVC}/deployments?${q}&order_by=finished_at&status=success`);
    expect(ok.body.map((d: Dep) => d.status)).toEqual(['success']);
  });

  it('gets one deployment, 404 for an unknown id', async () => {
    const list = await w.api('GET', `${SVC}/deployments`);
    const one = await w.api('GET', `${SVC}/deployments/${list.body[0].id}`);
    expect(one.body).toEqual(list.body[0]);
    const none = await w.api('GET', `${SVC}/deployments/99999`);
    expect([none.status, none.body]).toEqual([404, { message: '404 Not found' }]);
  });

  it('keeps last_deployment on the last successful deployment while later ones fail or run', async () => {
    const [env] = (await w.api('GET', `${SVC}/environments`)).body;
    const detail = await w.api('GET', `${SVC}/environments/${env.id}`);
    const list = await w.api('GET', `${SVC}/deployments`);
    expect(detail.body.last_deployment.id).toBe(list.body[0].id);
    const stopped = await w.api('GET', `${SVC}/environments?states=stopped`);
    expect(stopped.body).toEqual([]);
    const both = await w.api('GET', `${SVC}/environments?name=staging&search=sta`);
    expect([both.status, both.body]).toEqual([400, { error: 'name, search are mutually exclusive' }]);
  });
});
