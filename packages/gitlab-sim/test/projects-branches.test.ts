import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoScenarioInfo as demo } from '../src/scenarios/demo.js';
import type { GitLabSim } from '../src/server.js';
import { enc, type Json, startDemo, type TestApi, testApi } from './helpers.js';

describe('projects, members, branches and protected branches', () => {
  let sim: GitLabSim;
  let api: TestApi;
  const p = enc(demo.services[0]);
  beforeAll(async () => {
    sim = await startDemo();
    api = testApi(sim);
  });
  afterAll(() => sim.close());

  it('creates projects (with a README, in a namespace) and lists memberships with pagination headers', async () => {
    const created = await api.call('POST', '/projects', {
      name: 'New Thing',
      namespace_id: 'evenergi',
      initialize_with_readme: true,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ path_with_namespace: 'evenergi/new-thing', default_branch: 'main' });
    expect((await api.get(`/projects/${enc('evenergi/new-thing')}/repository/tree`)).map((t: Json) => t.path)).toEqual([
      'README.md',
    ]);
    const dup = await api.call('POST', '/projects', { name: 'New Thing', namespace_id: 'evenergi' });
    expect(dup).toMatchObject({ status: 400, body: { message: { path: ['has already been taken'] } } });
    expect((await api.call('POST', '/projects', {})).body).toEqual({
      error: 'name, path are missing, at least one parameter must be provided',
    });
    const page = await api.call('GET', '/projects?per_page=2&order_by=id&sort=asc');
    expect(page.body.map((x: Json) => x.path_with_namespace)).toEqual(['evenergi/develop', 'evenergi/charging-api']);
    expect(page.headers.get('x-total')).toBe('5');
    const ritaSees = await api.call('GET', '/projects', undefined, demo.users.reporter.token);
    expect(ritaSees.body.map((x: Json) => x.path_with_namespace).sort()).toEqual([...demo.services].sort());
  });

  it('adds members and enforces access levels on writes (403 for reporters, 404 for non-members)', async () => {
    const path = `/projects/${enc('evenergi/new-thing')}`;
    const rita = sim.state.users.find((u) => u.username === demo.users.reporter.username);
    expect(await api.call('GET', path, undefined, demo.users.reporter.token)).toMatchObject({
      status: 404,
      body: { message: '404 Project Not Found' },
    });
    const added = await api.call('POST', `${path}/members`, { user_id: rita?.id, access_level: 20 });
    expect(added).toMatchObject({ status: 201, body: { username: 'rita', access_level: 20 } });
    expect((await api.call('POST', `${path}/members`, { user_id: rita?.id, access_level: 20 })).status).toBe(409);
    const denied = await api.call(
      'POST',
      `${path}/repository/branches`,
      { branch: 'x', ref: 'main' },
      demo.users.reporter.token,
    );
    expect(denied).toMatchObject({ status: 403, body: { message: '403 Forbidden' } });
  });

  it('gets, lists (search), creates and deletes branches with GitLab errors', async () => {
    const release = await api.get(`/projects/${p}/repository/branches/release`);
    expect(release).toMatchObject({
      name: 'release',
      protected: true,
      default: false,
      developers_can_push: false,
      can_push: true,
    });
    const asDev = await api.get(`/projects/${p}/repository/branches/release`, demo.users.developer.token);
    expect(asDev.can_push).toBe(false);
    const hotfixes = await api.get(`/projects/${p}/repository/branches?search=^hotfix/`);
    expect(hotfixes.map((b: Json) => b.name)).toEqual([
      'hotfix/kwh-rounding',
      'hotfix/limits',
      'hotfix/missing-connector',
      'hotfix/night-tariff',
    ]);
    expect((await api.get(`/projects/${p}/repository/branches/${enc('hotfix/limits')}`)).merged).toBe(true);
    const branches = `/projects/${p}/repository/branches`;
    expect((await api.call('POST', branches, { branch: 'tmp', ref: 'main' })).status).toBe(201);
    expect((await api.call('POST', branches, { branch: 'tmp', ref: 'main' })).body).toEqual({
      message: 'Branch already exists',
    });
    expect((await api.call('POST', branches, { branch: 'tmp2', ref: 'nope' })).body).toEqual({
      message: 'Invalid reference name: nope',
    });
    expect((await api.call('POST', branches, { branch: 'bad..name', ref: 'main' })).body).toEqual({
      message: 'Branch name is invalid',
    });
    expect((await api.call('POST', branches, {})).body).toEqual({ error: 'branch is missing, ref is missing' });
    expect((await api.call('DELETE', `${branches}/tmp`)).status).toBe(204);
    expect((await api.call('GET', `${branches}/tmp`)).body).toEqual({ message: '404 Branch Not Found' });
    expect((await api.call('DELETE', `${branches}/release`)).status).toBe(403);
    expect((await api.call('DELETE', `${branches}/main`)).status).toBe(405);
  });

  it('manages protected branches; a developer cannot write to a protected branch over REST', async () => {
    const rules = `/projects/${p}/protected_branches`;
    const list = await api.get(rules);
    expect(list.map((r: Json) => [r.name, r.push_access_levels[0].access_level])).toEqual([
      ['main', 40],
      ['release', 40],
    ]);
    const created = await api.call('POST', rules, { name: 'hotfix/*', push_access_level: 30, merge_access_level: 40 });
    expect(created).toMatchObject({ status: 201, body: { name: 'hotfix/*', allow_force_push: false } });
    expect((await api.call('POST', rules, { name: 'hotfix/*' })).status).toBe(409);
    expect((await api.get(`/projects/${p}/repository/branches/${enc('hotfix/limits')}`)).protected).toBe(true);
    const write = await api.call(
      'POST',
      `/projects/${p}/repository/commits`,
      { branch: 'release', commit_message: 'x', actions: [{ action: 'create', file_path: 'x', content: '' }] },
      demo.users.developer.token,
    );
    expect(write).toMatchObject({
      status: 403,
      body: { message: '403 Forbidden - You are not allowed to push into this branch' },
    });
    await api.call('POST', rules, { name: 'stable-*', push_access_level: 40 });
    const protectedCreate = await api.call(
      'POST',
      `/projects/${p}/repository/branches`,
      { branch: 'stable-1', ref: 'main' },
      demo.users.developer.token,
    );
    expect(protectedCreate).toMatchObject({
      status: 403,
      body: { message: '403 Forbidden - You are not allowed to create protected branches on this project.' },
    });
    expect((await api.call('DELETE', `${rules}/${enc('hotfix/*')}`)).status).toBe(204);
    expect((await api.call('DELETE', `${rules}/${enc('hotfix/*')}`)).status).toBe(404);
    expect((await api.call('POST', rules, { name: 'x' }, demo.users.developer.token)).status).toBe(403);
  });
});
