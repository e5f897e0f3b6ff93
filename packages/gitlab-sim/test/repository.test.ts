import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitTitle } from '../src/_internal/commits.js';
import { createScenarioBuilder, type ProjectBuilder } from '../src/scenarios/builder.js';
import { type GitLabSim, startGitLabSim } from '../src/server.js';
import { enc, type Json, type TestApi, testApi } from './helpers.js';

describe('repository endpoints on native git', () => {
  let sim: GitLabSim;
  let api: TestApi;
  let p: ProjectBuilder;
  const base = `/projects/${enc('acme/repo')}/repository`;
  beforeAll(async () => {
    sim = await startGitLabSim();
    api = testApi(sim);
    const b = createScenarioBuilder({
      state: sim.state,
      root: sim.root,
      adminId: 1,
      start: new Date('2026-01-01T00:00:00Z'),
    });
    p = await b.project('acme/repo', {
      files: { 'README.md': '# repo\n', 'src/a.txt': 'alpha\nbeta\ngamma\n', 'img.bin': Buffer.from([0, 1, 2, 3]) },
    });
    await p.commit('main', { 'src/a.txt': 'alpha\nBETA\ngamma\n' }, 'Shout beta\n\nSigned-off-by: Ann <ann@x>\n');
    await p.commit('main', { 'img.bin': Buffer.from([0, 9, 9, 3]) }, 'New image\n');
    await p.commit('main', { 'src/a.txt': null, 'src/renamed.txt': 'alpha\nBETA\ngamma\n' }, 'Rename a\n');
  });
  afterAll(() => sim.close());

  it('lists commits newest first with pagination but no x-total, honouring ref ranges, path, since/until and trailers', async () => {
    const page1 = await api.call('GET', `${base}/commits?per_page=2`);
    expect(page1.body.map((c: Json) => c.title)).toEqual(['Rename a', 'New image']);
    expect(page1.headers.get('x-next-page')).toBe('2');
    expect(page1.headers.get('x-total')).toBeNull();
    expect(page1.headers.get('link')).toContain('rel="next"');
    const page2 = await api.call('GET', `${base}/commits?per_page=2&page=2`);
    expect(page2.body.map((c: Json) => c.title)).toEqual(['Shout beta', 'Initial commit']);
    expect(page2.headers.get('x-next-page')).toBe('');
    const range = await api.get(`${base}/commits?ref_name=main~2..main`);
    expect(range.map((c: Json) => c.title)).toEqual(['Rename a', 'New image']);
    const byPath = await api.get(`${base}/commits?path=img.bin`);
    expect(byPath.map((c: Json) => c.title)).toEqual(['New image', 'Initial commit']);
    const since = await api.get(`${base}/commits?since=2026-01-01T00:02:00Z&until=2026-01-01T00:02:30Z`);
    expect(since.map((c: Json) => c.title)).toEqual(['New image']);
    const withTrailers = await api.get(`${base}/commits?ref_name=main~2&trailers=true&per_page=1`);
    expect(withTrailers[0].trailers).toEqual({ 'Signed-off-by': 'Ann <ann@x>' });
    expect(await api.get(`${base}/commits?ref_name=no-such-ref`)).toEqual([]);
    expect((await api.call('GET', `${base}/commits?since=yesterday-ish`)).body).toEqual({ error: 'since is invalid' });
  });

  it('returns a single commit with stats, its diff (rename and binary, like GitLab), and 404s', async () => {
    const head = await api.get(`${base}/commits/main`);
    expect(head).toMatchObject({
      title: 'Rename a',
      stats: { additions: 0, deletions: 0, total: 0 },
      last_pipeline: null,
    });
    const diff = await api.get(`${base}/commits/main/diff`);
    expect(diff).toEqual([
      expect.objectContaining({ old_path: 'src/a.txt', new_path: 'src/renamed.txt', renamed_file: true, diff: '' }),
    ]);
    const bin = await api.get(`${base}/commits/main~1/diff`);
    expect(bin[0]).toMatchObject({
      new_path: 'img.bin',
      a_mode: '100644',
      b_mode: '100644',
      diff: 'Binary files a/img.bin and b/img.bin differ\n',
    });
    expect((await api.call('GET', `${base}/commits/deadbeef`)).body).toEqual({ message: '404 Commit Not Found' });
  });

  it('compares with and without straight, and answers 404 Ref Not Found', async () => {
    await api.call('POST', `${base}/branches`, { branch: 'side', ref: 'main~2' });
    await p.commit('side', { 'side.txt': 'side\n' }, 'Side work\n');
    const viaBase = await api.get(`${base}/compare?from=side&to=main`);
    expect(viaBase.commits.map((c: Json) => c.title)).toEqual(['New image', 'Rename a']);
    expect(viaBase.commit.title).toBe('Rename a');
    expect(viaBase.diffs.map((d: Json) => d.new_path).sort()).toEqual(['img.bin', 'src/renamed.txt']);
    const straight = await api.get(`${base}/compare?from=side&to=main&straight=true`);
    expect(straight.diffs.map((d: Json) => [d.new_path, d.deleted_file]).sort()).toEqual([
      ['img.bin', false],
      ['side.txt', true],
      ['src/renamed.txt', false],
    ]);
    const same = await api.get(`${base}/compare?from=main&to=main`);
    expect(same).toMatchObject({
      commit: null,
      commits: [],
      diffs: [],
      compare_same_ref: true,
      compare_timeout: false,
    });
    expect((await api.call('GET', `${base}/compare?from=main&to=nope`)).body).toEqual({ message: '404 Ref Not Found' });
    expect((await api.call('GET', `${base}/compare?from=main`)).body).toEqual({ error: 'to is missing' });
  });

  it("creates commits with every action kind and GitLab's errors", async () => {
    const post = (body: Record<string, unknown>) => api.call('POST', `${base}/commits`, body);
    const created = await post({
      branch: 'actions',
      start_branch: 'main',
      commit_message: 'All actions',
      actions: [
        { action: 'create', file_path: 'new.sh', content: '#!/bin/sh\n', execute_filemode: true },
        { action: 'update', file_path: 'README.md', content: 'IyBuZXcK', encoding: 'base64' },
        { action: 'delete', file_path: 'img.bin' },
        { action: 'move', previous_path: 'src/renamed.txt', file_path: 'docs/moved.txt' },
      ],
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ title: 'All actions', project_id: p.project.id, stats: expect.any(Object) });
    const tree = await api.get(`${base}/tree?ref=actions&recursive=true`);
    expect(tree.map((t: Json) => `${t.mode} ${t.type} ${t.path}`).sort()).toEqual([
      '040000 tree docs',
      '100644 blob README.md',
      '100644 blob docs/moved.txt',
      '100755 blob new.sh',
    ]);
    const chmod = await post({
      branch: 'actions',
      commit_message: 'chmod',
      actions: [{ action: 'chmod', file_path: 'new.sh', execute_filemode: false }],
    });
    expect(chmod.status).toBe(201);
    expect(
      await post({
        branch: 'actions',
        commit_message: 'x',
        actions: [{ action: 'create', file_path: 'new.sh', content: '' }],
      }),
    ).toMatchObject({
      status: 400,
      body: { message: 'A file with this name already exists' },
    });
    expect(
      await post({
        branch: 'actions',
        commit_message: 'x',
        actions: [{ action: 'update', file_path: 'nope', content: '' }],
      }),
    ).toMatchObject({
      status: 400,
      body: { message: "A file with this name doesn't exist" },
    });
    expect(
      await post({
        branch: 'ghost',
        commit_message: 'x',
        actions: [{ action: 'create', file_path: 'f', content: '' }],
      }),
    ).toMatchObject({
      status: 400,
      body: { message: 'You can only create or edit files when you are on a branch' },
    });
    expect(
      await post({ branch: 'main', commit_message: 'x', actions: [{ action: 'explode', file_path: 'f' }] }),
    ).toMatchObject({
      status: 400,
      body: { error: 'actions[0][action] does not have a valid value' },
    });
    expect((await post({})).body).toEqual({
      error: 'branch is missing, commit_message is missing, actions is missing',
    });
  });

  it('serves the tree (offset and keyset pages), files as JSON and raw, and raw blobs', async () => {
    const first = await api.call('GET', `${base}/tree?recursive=true&per_page=2&pagination=keyset`);
    expect(first.body).toHaveLength(2);
    const next = /<([^>]+)>; rel="next"/.exec(first.headers.get('link') ?? '')?.[1] as string;
    expect(next.startsWith(sim.apiUrl)).toBe(true);
    const second = await api.call('GET', next.slice(sim.apiUrl.length));
    expect(second.body[0].path).not.toBe(first.body[1].path);
    const file = await api.get(`${base}/files/${enc('src/renamed.txt')}?ref=main`);
    expect(file).toMatchObject({ file_name: 'renamed.txt', encoding: 'base64', ref: 'main', execute_filemode: false });
    expect(Buffer.from(file.content, 'base64').toString()).toBe('alpha\nBETA\ngamma\n');
    const raw = await api.call('GET', `${base}/files/${enc('src/renamed.txt')}/raw?ref=main`);
    expect(raw.body).toBe('alpha\nBETA\ngamma\n');
    expect(raw.headers.get('x-gitlab-blob-id')).toBe(file.blob_id);
    const blob = await api.call('GET', `${base}/blobs/${file.blob_id}/raw`);
    expect(blob.body).toBe('alpha\nBETA\ngamma\n');
    expect((await api.call('GET', `${base}/files/${enc('src/renamed.txt')}`)).body).toEqual({
      error: 'ref is missing',
    });
    expect((await api.call('GET', `${base}/files/nope.txt?ref=main`)).body).toEqual({ message: '404 File Not Found' });
    expect((await api.call('GET', `${base}/tree?ref=nope`)).body).toEqual({ message: '404 Tree Not Found' });
  });
});

describe('commitTitle', () => {
  it('returns the first line, and cuts titles of 100+ characters at a word boundary with "..." as GitLab does', () => {
    expect(commitTitle('Fix it\n\nbody')).toBe('Fix it');
    const long = `${'word '.repeat(25)}end`;
    const title = commitTitle(long);
    expect(title.endsWith('...')).toBe(true);
    expect(title.length).toBeLessThanOrEqual(81);
    expect(long.startsWith(title.slice(0, -3))).toBe(true);
    expect(commitTitle('x'.repeat(99))).toHaveLength(99);
  });
});
