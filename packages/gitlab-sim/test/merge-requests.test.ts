import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScenarioBuilder, type ProjectBuilder, type ScenarioBuilder } from '../src/scenarios/builder.js';
import { type GitLabSim, startGitLabSim } from '../src/server.js';
import { ACCESS } from '../src/state.js';
import { enc, type Json, type TestApi, testApi } from './helpers.js';

describe('merge requests over REST', () => {
  let sim: GitLabSim;
  let api: TestApi;
  let b: ScenarioBuilder;
  let dev: { token: string; user: { id: number } };
  beforeAll(async () => {
    sim = await startGitLabSim();
    api = testApi(sim);
    b = createScenarioBuilder({ state: sim.state, root: sim.root, adminId: 1 });
    dev = b.user('dana');
  });
  afterAll(() => sim.close());

  async function world(path: string, method: 'merge' | 'ff' | 'rebase_merge'): Promise<ProjectBuilder> {
    const p = await b.project(path, { mergeMethod: method, files: { 'a.txt': 'a\n', 'b.txt': 'b\n' } });
    p.member(dev.user.id, ACCESS.developer);
    return p;
  }
  async function openMr(
    p: ProjectBuilder,
    source: string,
    commits: number,
    body: Record<string, unknown> = {},
    token?: string,
  ) {
    for (let i = 1; i <= commits; i++) {
      await p.commit(source, { [`${source}-${i}.txt`]: `${i}\n` }, `${source} commit ${i}\n`);
    }
    const r = await api.call(
      'POST',
      `/projects/${enc(p.project.path)}/merge_requests`,
      {
        source_branch: source,
        target_branch: 'main',
        title: `Change ${source}`,
        ...body,
      },
      token,
    );
    expect(r.status).toBe(201);
    return r.body;
  }
  const merge = (p: ProjectBuilder, iid: number, body: Record<string, unknown> = {}, token?: string) =>
    api.call('PUT', `/projects/${enc(p.project.path)}/merge_requests/${iid}/merge`, body, token);
  const head = async (p: ProjectBuilder) =>
    (await api.get(`/projects/${enc(p.project.path)}/repository/branches/main`)).commit;

  it('merge method "merge": merge_commit_sha is a two-parent commit; squash adds squash_commit_sha under it', async () => {
    const p = await world('t/merge', 'merge');
    const mr = await openMr(p, 'f1', 2);
    const merged = (await merge(p, mr.iid)).body;
    expect(merged).toMatchObject({ state: 'merged', squash_commit_sha: null, merge_user: { username: 'root' } });
    expect(merged.merged_at).toEqual(expect.any(String));
    const main = await head(p);
    expect(main.id).toBe(merged.merge_commit_sha);
    expect(main.parent_ids[1]).toBe(merged.sha);
    expect(main.message).toBe(`Merge branch 'f1' into 'main'\n\nChange f1\n\nSee merge request t/merge!${mr.iid}`);
    const sq = await openMr(p, 'f2', 2, { squash: true }, dev.token);
    const squashed = (await merge(p, sq.iid)).body;
    expect(squashed.squash_commit_sha).toMatch(/^[0-9a-f]{40}$/);
    const wrap = await head(p);
    expect(wrap.id).toBe(squashed.merge_commit_sha);
    expect(wrap.parent_ids).toEqual([main.id, squashed.squash_commit_sha]);
    const sqCommit = await api.get(`/projects/${enc(p.project.path)}/repository/commits/${squashed.squash_commit_sha}`);
    expect(sqCommit).toMatchObject({ parent_ids: [main.id], title: 'Change f2', stats: { additions: 2, total: 2 } });
    // GitLab keeps the MR author on the squash commit; the merging user commits it.
    expect([sqCommit.author_name, sqCommit.committer_name]).toEqual(['dana', 'Administrator']);
  });

  it('merge method "ff": both SHAs null and sha is the landed head; squash+ff lands only the squash commit', async () => {
    const p = await world('t/ff', 'ff');
    const mr = await openMr(p, 'f1', 2);
    const merged = (await merge(p, mr.iid)).body;
    expect([merged.merge_commit_sha, merged.squash_commit_sha]).toEqual([null, null]);
    expect((await head(p)).id).toBe(merged.sha);
    const sq = await openMr(p, 'f2', 2);
    const squashed = (await merge(p, sq.iid, { squash: true })).body;
    expect(squashed.merge_commit_sha).toBeNull();
    expect((await head(p)).id).toBe(squashed.squash_commit_sha);
    const stale = await openMr(p, 'f3', 1);
    await p.commit('main', { 'a.txt': 'moved\n' }, 'main moves\n');
    expect(await merge(p, stale.iid)).toMatchObject({ status: 422, body: { message: 'Branch cannot be merged' } });
  });

  it('merge method "rebase_merge" writes a merge commit; conflicts answer 422', async () => {
    const p = await world('t/rebase', 'rebase_merge');
    const mr = await openMr(p, 'f1', 1);
    const merged = (await merge(p, mr.iid)).body;
    expect((await head(p)).parent_ids).toHaveLength(2);
    expect(merged.merge_commit_sha).toBe((await head(p)).id);
    const m = await world('t/conflict', 'merge');
    await m.commit('c1', { 'a.txt': 'one\n' }, 'c1\n');
    const c1 = (
      await api.call('POST', `/projects/${enc('t/conflict')}/merge_requests`, {
        source_branch: 'c1',
        target_branch: 'main',
        title: 'c1',
      })
    ).body;
    await m.commit('main', { 'a.txt': 'two\n' }, 'main two\n');
    const got = await api.get(`/projects/${enc('t/conflict')}/merge_requests/${c1.iid}`);
    expect(got).toMatchObject({
      has_conflicts: true,
      detailed_merge_status: 'conflict',
      merge_status: 'cannot_be_merged',
    });
    expect((await merge(m, c1.iid)).status).toBe(422);
  });

  it('refuses to merge closed, draft or unapproved MRs (405), with a stale sha (409), or without merge rights (401)', async () => {
    const p = await world('t/refuse', 'merge');
    const mr = await openMr(p, 'r1', 1);
    expect(await merge(p, mr.iid, { sha: '0'.repeat(40) })).toMatchObject({ status: 409 });
    expect(await merge(p, mr.iid, {}, dev.token)).toMatchObject({ status: 401, body: { message: '401 Unauthorized' } });
    await api.call('PUT', `/projects/${enc('t/refuse')}/merge_requests/${mr.iid}`, { title: 'Draft: wip' });
    expect(await merge(p, mr.iid)).toMatchObject({ status: 405, body: { message: '405 Method Not Allowed' } });
    await api.call('PUT', `/projects/${enc('t/refuse')}/merge_requests/${mr.iid}`, {
      title: 'ready',
      state_event: 'close',
    });
    expect((await merge(p, mr.iid)).status).toBe(405);
    const p2 = p.project.mergeRequests.find((m) => m.iid === mr.iid);
    if (p2) {
      p2.state = 'opened';
      p2.approvalsRequired = 1;
    }
    expect((await merge(p, mr.iid)).status).toBe(405);
    const approve = await api.call(
      'POST',
      `/projects/${enc('t/refuse')}/merge_requests/${mr.iid}/approve`,
      {},
      dev.token,
    );
    expect(approve.status).toBe(201);
    expect(approve.body).toMatchObject({ approved: true, approvals_required: 1, approvals_left: 0 });
    const twice = await api.call(
      'POST',
      `/projects/${enc('t/refuse')}/merge_requests/${mr.iid}/approve`,
      {},
      dev.token,
    );
    expect(twice.status).toBe(401);
    expect((await merge(p, mr.iid)).status).toBe(200);
  });

  it('edits labels (add_labels auto-creates), records label events, and lists with label filters', async () => {
    const p = await world('t/labels', 'merge');
    p.label('existing');
    const mr = await openMr(p, 'l1', 1, { labels: 'existing' });
    const path = `/projects/${enc('t/labels')}/merge_requests/${mr.iid}`;
    const missing = await api.call('PUT', path, {});
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatch(/are missing, at least one parameter must be provided$/);
    const added = await api.call('PUT', path, { add_labels: 'Validated in Staging,extra' });
    expect(added.body.labels).toEqual(['existing', 'Validated in Staging', 'extra']);
    const label = await api.get(`/projects/${enc('t/labels')}/labels/${encodeURIComponent('Validated in Staging')}`);
    expect(label.color).toBe('#6699cc');
    const removed = await api.call('PUT', path, { remove_labels: 'extra' });
    expect(removed.body.labels).toEqual(['existing', 'Validated in Staging']);
    const events = await api.get(`${path}/resource_label_events`);
    expect(events.map((e: Json) => [e.action, e.label.name])).toEqual([
      ['add', 'existing'],
      ['add', 'Validated in Staging'],
      ['add', 'extra'],
      ['remove', 'extra'],
    ]);
    expect(events[1].created_at).toEqual(expect.any(String));
    const byLabel = await api.get(
      `/projects/${enc('t/labels')}/merge_requests?labels=Validated%20in%20Staging&state=opened`,
    );
    expect(byLabel.map((m: Json) => m.iid)).toEqual([mr.iid]);
    expect(await api.get(`/projects/${enc('t/labels')}/merge_requests?labels=None`)).toEqual([]);
  });

  it('executes quick actions from notes: only commands → 202 NoteCommands; mixed → 201 note without the commands', async () => {
    const p = await world('t/notes', 'merge');
    p.label('Validated in Staging');
    p.label('bug');
    const mr = await openMr(p, 'n1', 1);
    const notes = `/projects/${enc('t/notes')}/merge_requests/${mr.iid}/notes`;
    const only = await api.call('POST', notes, { body: '/label ~"Validated in Staging" ~bug' });
    expect(only.status).toBe(202);
    expect(only.body.summary).toEqual(['Added ~"Validated in Staging" ~bug labels.']);
    expect(only.body.commands_changes.add_label_ids).toHaveLength(2);
    const mixed = await api.call('POST', notes, { body: 'Deployed to staging.\n/unlabel ~bug' });
    expect(mixed.status).toBe(201);
    expect(mixed.body.body).toBe('Deployed to staging.');
    const fenced = await api.call('POST', notes, { body: '```\n/label ~bug\n```' });
    expect(fenced.status).toBe(201);
    const mrNow = await api.get(`/projects/${enc('t/notes')}/merge_requests/${mr.iid}`);
    expect(mrNow.labels).toEqual(['Validated in Staging']);
    const updated = await api.call('PUT', `${notes}/${mixed.body.id}`, { body: 'Deployed and verified.' });
    expect(updated.body.body).toBe('Deployed and verified.');
    const asc = await api.get(`${notes}?sort=asc&order_by=created_at`);
    expect(asc.map((n: Json) => n.id)).toEqual([mixed.body.id, fenced.body.id]);
    expect((await api.call('POST', notes, {})).body).toEqual({ error: 'body is missing' });
    expect((await api.call('GET', `${notes}/999999`)).body).toEqual({ message: '404 Note Not Found' });
  });

  it('lists MR commits newest first, changes and diffs; validates create errors', async () => {
    const p = await world('t/mr', 'merge');
    const mr = await openMr(p, 'c', 2);
    const base = `/projects/${enc('t/mr')}/merge_requests/${mr.iid}`;
    expect((await api.get(`${base}/commits`)).map((c: Json) => c.title)).toEqual(['c commit 2', 'c commit 1']);
    const changes = await api.get(`${base}/changes`);
    expect(changes.changes.map((d: Json) => d.new_path)).toEqual(['c-1.txt', 'c-2.txt']);
    expect((await api.get(`${base}/diffs`))[0]).toMatchObject({ new_file: true, diff: '@@ -0,0 +1 @@\n+1\n' });
    const pushed = await p.commit('c', { 'c-3.txt': '3\n' }, 'c commit 3\n');
    expect((await api.get(base)).sha).toBe(pushed);
    expect((await api.get(`${base}/commits`))[0].id).toBe(pushed);
    const path = `/projects/${enc('t/mr')}/merge_requests`;
    expect((await api.call('POST', path, {})).body).toEqual({
      error: 'source_branch is missing, target_branch is missing, title is missing',
    });
    expect((await api.call('POST', path, { source_branch: 'c', target_branch: 'main', title: 'dup' })).status).toBe(
      409,
    );
    expect((await api.call('POST', path, { source_branch: 'zz', target_branch: 'main', title: 'x' })).status).toBe(400);
    expect((await api.call('GET', `${path}/999`)).body).toEqual({ message: '404 Merge Request Not Found' });
  });
});
