/**
 * Replay suite, client level: every `GitLabClient` method against GitLab's own documented
 * example responses (fixtures/gitlab/replay), every documented revision of each. A field the
 * documentation leaves out never fails a call; the values the SDK derives are asserted.
 */
import type { ResultAsync } from 'neverthrow';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { inputsSupport, readInstanceMetadata } from '../../src/_internal/capabilities.js';
import type { HotfixError } from '../../src/errors.js';
import type { GitLabClient } from '../../src/gitlab-client.js';
import {
  loadReplayFixtures,
  type ReplayExample,
  type ReplayServer,
  replayClient,
  startReplayServer,
} from './server.js';

type Body = Record<string, unknown>;

/** Read when the suite is collected, so that each documented revision is its own test. */
const loadedFixtures = loadReplayFixtures();
let server: ReplayServer;
type Check = (client: GitLabClient, body: unknown, ex: ReplayExample) => Promise<void>;

async function ok<T>(r: ResultAsync<T, HotfixError>): Promise<T> {
  const v = await r;
  if (v.isErr()) throw new Error(`${v.error.code}: ${v.error.message} ${JSON.stringify(v.error.details)}`);
  return v.value;
}
const arr = (b: unknown) => b as Body[];
const obj = (b: unknown) => b as Body;

/** One check per fixture; the method(s) of the client it exercises. */
const checks: Record<string, { methods: readonly (keyof GitLabClient)[]; check: Check }> = {
  'get-user': {
    methods: ['currentUser'],
    check: async (c, b) => {
      const u = await ok(c.currentUser());
      expect(u).toMatchObject({ id: obj(b).id, username: obj(b).username });
    },
  },
  'get-project': {
    methods: ['project'],
    check: async (c, b) => {
      const p = await ok(c.project('diaspora/diaspora-project-site'));
      expect(p).toMatchObject({ id: obj(b).id, path_with_namespace: obj(b).path_with_namespace });
      expect(p.permissions?.project_access?.access_level).toBe(10);
    },
  },
  'get-merge-request': {
    methods: ['mergeRequest'],
    check: async (c, b) => {
      const mr = await ok(c.mergeRequest('group/project', 1));
      expect(mr).toMatchObject({ iid: obj(b).iid, sha: obj(b).sha, state: obj(b).state, labels: obj(b).labels });
      expect(mr.merge_commit_sha ?? null).toBe(obj(b).merge_commit_sha);
    },
  },
  'list-merge-request-commits': {
    methods: ['mergeRequestCommits'],
    check: async (c, b) => {
      const r = await ok(c.mergeRequestCommits('group/project', 1));
      expect(r.items.map((x) => x.id)).toEqual(arr(b).map((x) => x.id));
      // Documented without `parent_ids`: each commit is read on its own for them (the replay answers
      // every single-commit read with the documented commit).
      const single = obj(server.fixtures.get('get-commit')?.examples[0]?.body);
      expect(arr(b).some((x) => 'parent_ids' in x)).toBe(false);
      expect(r.items.map((x) => x.parent_ids)).toEqual(arr(b).map(() => single.parent_ids));
      expect(server.requests.filter((q) => q.slug === 'get-commit')).toHaveLength(arr(b).length);
    },
  },
  'get-merge-request-approvals': {
    methods: ['approvals'],
    check: async (c, b) => {
      const a = await ok(c.approvals('group/project', 5));
      expect(a.approved_by.map((x) => x.user.username)).toEqual(['root']);
      expect(a.approvals_left).toBe(obj(b).approvals_left);
    },
  },
  'get-branch': {
    methods: ['branch'],
    check: async (c, b) => {
      const br = await ok(c.branch('group/project', 'main'));
      expect(br).toMatchObject({ name: obj(b).name, protected: obj(b).protected, can_push: obj(b).can_push });
      expect(br.commit.id).toBe((obj(b).commit as Body).id);
    },
  },
  'get-commit': {
    methods: ['commit'],
    check: async (c, b) => {
      const cm = await ok(c.commit('group/project', String(obj(b).id)));
      expect(cm).toMatchObject({ id: obj(b).id, parent_ids: obj(b).parent_ids, title: obj(b).title });
    },
  },
  'list-commits': {
    methods: ['commits'],
    check: async (c, b) => {
      const r = await ok(c.commits('group/project', { ref_name: 'release', since: '2026-01-01T00:00:00Z' }));
      expect(r.items.map((x) => x.id)).toEqual(arr(b).map((x) => x.id));
    },
  },
  'list-commit-diff': {
    methods: ['commitDiff'],
    check: async (c, b) => {
      const r = await ok(c.commitDiff('group/project', 'abc'));
      expect(r.items.map((d) => d.new_path)).toEqual(arr(b).map((d) => d.new_path));
    },
  },
  'post-cherry-pick': {
    methods: ['cherryPick'],
    check: async (c, b, ex) => {
      const r = await c.cherryPick('group/project', 'abc', 'release', { dryRun: ex.name.includes('dry') });
      if (ex.status >= 400) {
        expect(r._unsafeUnwrapErr().details).toMatchObject({ status: 400 });
        return;
      }
      const v = r._unsafeUnwrap();
      if (ex.name.includes('dry')) expect(v).toEqual({ kind: 'dry-run-clean' });
      else expect(v).toMatchObject({ kind: 'commit', commit: { id: obj(b).id } });
    },
  },
  'post-revert': {
    methods: ['revert'],
    check: async (c, b, ex) => {
      const r = await c.revert('group/project', 'abc', 'release', { dryRun: ex.name.includes('dry') });
      if (ex.status >= 400) {
        expect(r._unsafeUnwrapErr().details).toMatchObject({ status: 400 });
        return;
      }
      const v = r._unsafeUnwrap();
      if (ex.name.includes('dry')) expect(v).toEqual({ kind: 'dry-run-clean' });
      else expect(v).toMatchObject({ kind: 'commit', commit: { id: obj(b).id } });
    },
  },
  'get-compare': {
    methods: ['compare'],
    check: async (c, b) => {
      const cmp = await ok(c.compare('group/project', 'main', 'release', { straight: true }));
      expect(cmp.commits.map((x) => x.id)).toEqual((obj(b).commits as Body[]).map((x) => x.id));
      expect(cmp.diffs.map((d) => d.new_path)).toEqual((obj(b).diffs as Body[]).map((d) => d.new_path));
    },
  },
  'list-tree': {
    methods: ['tree'],
    check: async (c, b) => {
      const r = await ok(c.tree('group/project', 'main', ''));
      expect(r.items.map((e) => `${e.type}:${e.path}`)).toEqual(arr(b).map((e) => `${e.type}:${e.path}`));
    },
  },
  'get-raw-blob': {
    methods: ['rawBlob'],
    check: async (c) => {
      expect((await ok(c.rawBlob('group/project', 'abc'))).byteLength).toBe(0);
    },
  },
  'post-graphql-blobs': {
    methods: ['repositoryBlobs'],
    check: async (c, b, ex) => {
      const r = await c.repositoryBlobs('group/project', ['main', 'release'], ['README.md', 'logo.png']);
      if (ex.name === 'blobs') {
        const blobs = r._unsafeUnwrap();
        const nodes = (((obj(b).data as Body).project as Body).repository as Record<string, Body>).r0?.nodes;
        expect(blobs.get('main')).toEqual(nodes);
        expect(blobs.get('release')).toEqual([]);
        expect(blobs.get('main')?.find((n) => n.path === 'logo.png')?.rawTextBlob).toBeNull();
      } else {
        // A project the caller cannot read and a refused query are errors the object store falls back from.
        expect(r._unsafeUnwrapErr().code).toBe(ex.name === 'project-null' ? 'gitlab-not-found' : 'response-invalid');
      }
    },
  },
  'get-metadata': {
    methods: ['request'],
    check: async (c, b) => {
      const m = (await readInstanceMetadata(c))._unsafeUnwrap();
      expect([m.version, m.enterprise]).toEqual([obj(b).version, obj(b).enterprise]);
      // 18.10's example names 18.1.1-ee (inputs GA); the 17.x revision's names 15.2-pre (no inputs).
      expect(inputsSupport(m.version)).toBe(m.version === '15.2-pre' ? 'none' : 'ga');
    },
  },
  'get-version': {
    methods: ['request'],
    check: async (c, b) => {
      const m = await ok(
        c.request({ method: 'GET', route: '/version' }, z.object({ version: z.string(), revision: z.string() })),
      );
      expect(m.version).toBe(obj(b).version);
    },
  },
  'get-file': {
    methods: ['request'],
    check: async (c, b) => {
      const meta = await ok(
        c.request(
          { method: 'GET', route: '/projects/:id/repository/files/:file_path', params: { id: 1, file_path: 'a/b.rb' } },
          z.object({ blob_id: z.string() }),
        ),
      );
      expect(meta.blob_id).toBe(obj(b).blob_id);
    },
  },
  'get-raw-file': {
    methods: ['rawFile'],
    check: async (c) => {
      expect(await ok(c.rawFile('group/project', '.gitlab-ci.yml', 'main'))).toBe('');
    },
  },
  'post-pipeline': {
    methods: ['createPipeline'],
    check: async (c, b) => {
      const p = await ok(c.createPipeline('group/orchestrator', { ref: 'main', inputs: { confirm: true } }));
      expect(p).toMatchObject({ id: obj(b).id, project_id: obj(b).project_id, status: obj(b).status });
    },
  },
  'get-pipeline': {
    methods: ['pipeline'],
    check: async (c, b) => {
      const p = await ok(c.pipeline('group/orchestrator', 287));
      expect(p).toMatchObject({ id: obj(b).id, project_id: obj(b).project_id, sha: obj(b).sha });
    },
  },
  'list-pipelines': {
    methods: ['pipelines'],
    check: async (c, b) => {
      const r = await ok(c.pipelines('group/project', { ref: 'release' }));
      expect(r.items.map((p) => [p.id, p.source])).toEqual(arr(b).map((p) => [p.id, p.source]));
    },
  },
  'list-pipeline-variables': {
    methods: ['pipelineVariables'],
    check: async (c, b) => {
      const vs = await ok(c.pipelineVariables('group/orchestrator', 46));
      expect(vs.map((v) => [v.key, v.value])).toEqual(arr(b).map((v) => [v.key, v.value]));
    },
  },
  'list-pipeline-jobs': {
    methods: ['pipelineJobs'],
    check: async (c, b) => {
      const r = await ok(c.pipelineJobs('group/project', 6));
      expect(r.items.map((j) => [j.name, j.status, j.pipeline.project_id])).toEqual(
        arr(b).map((j) => [j.name, j.status, (j.pipeline as Body).project_id]),
      );
    },
  },
  'list-pipeline-bridges': {
    methods: ['pipelineBridges'],
    check: async (c, b) => {
      const r = await ok(c.pipelineBridges('group/orchestrator', 6));
      const d = (arr(b)[0] as Body).downstream_pipeline as Body;
      expect(r.items[0]?.downstream_pipeline).toMatchObject({ id: d.id, web_url: d.web_url, sha: d.sha });
      // Documented without a project id: the SDK must derive it (see the primitives' replay).
      expect(r.items[0]?.downstream_pipeline?.project_id).toBeUndefined();
    },
  },
  'list-environments': {
    methods: ['environmentsByName'],
    check: async (c, b) => {
      const envs = await ok(c.environmentsByName('group/project', 'review/fix-foo'));
      expect(envs.map((e) => [e.id, e.name, e.state])).toEqual(arr(b).map((e) => [e.id, e.name, e.state]));
    },
  },
  'get-environment': {
    methods: ['environment'],
    check: async (c, b) => {
      const env = await ok(c.environment('group/project', 1));
      const ld = obj(b).last_deployment as Body;
      expect(env.last_deployment).toMatchObject({ id: ld.id, sha: ld.sha, status: ld.status });
      expect(env.last_deployment?.updated_at).toBeUndefined();
      expect(env.last_deployment?.deployable?.pipeline.project_id).toBeUndefined();
    },
  },
  'list-deployments': {
    methods: ['deployments'],
    check: async (c, b) => {
      const r = await ok(c.deployments('group/project', { environment: 'production', order_by: 'id', sort: 'desc' }));
      expect(r.items.map((d) => [d.id, d.sha, d.deployable?.name, d.deployable?.pipeline.id])).toEqual(
        arr(b).map((d) => [d.id, d.sha, (d.deployable as Body).name, ((d.deployable as Body).pipeline as Body).id]),
      );
      expect(r.items.every((d) => d.deployable?.pipeline.project_id === undefined)).toBe(true);
    },
  },
  'list-labels': {
    methods: ['labels'],
    check: async (c, b) => {
      const r = await ok(c.labels('group/project', 'bug'));
      expect(r.items.map((l) => l.name)).toEqual(arr(b).map((l) => l.name));
    },
  },
  'put-merge-request': {
    methods: ['editMergeRequestLabels'],
    check: async (c, b) => {
      const mr = await ok(c.editMergeRequestLabels('group/project', 1, { add: ['Validated in Staging'] }));
      expect(mr.labels).toEqual(obj(b).labels);
    },
  },
  'list-merge-request-notes': {
    methods: ['mergeRequestNotes'],
    check: async (c, b) => {
      const r = await ok(c.mergeRequestNotes('group/project', 1));
      expect(r.items.map((n) => [n.id, n.body, n.system])).toEqual(arr(b).map((n) => [n.id, n.body, n.system]));
    },
  },
  'post-merge-request-note': {
    methods: ['createMergeRequestNote'],
    check: async (c, b) => {
      const n = await ok(c.createMergeRequestNote('group/project', 1, 'Comment for MR'));
      expect(n).toMatchObject({ id: obj(b).id, body: obj(b).body });
    },
  },
  'list-merge-request-label-events': {
    methods: ['labelEvents'],
    check: async (c, b) => {
      const r = await ok(c.labelEvents('group/project', 1));
      expect(r.items.map((e) => [e.action, e.label?.name])).toEqual(
        arr(b).map((e) => [e.action, (e.label as Body).name]),
      );
    },
  },
};

describe('replay: GitLabClient against GitLab’s documented responses', () => {
  let client: GitLabClient;
  beforeAll(async () => {
    server = await startReplayServer();
    client = replayClient(server);
  });
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  it('has a check for every fixture and a fixture for every check', () => {
    expect([...server.fixtures.keys()].sort()).toEqual(Object.keys(checks).sort());
  });

  it('exercises every method of GitLabClient', () => {
    const methods = Object.entries(client)
      .filter(([, v]) => typeof v === 'function')
      .map(([k]) => k)
      .sort();
    const covered = new Set(Object.values(checks).flatMap((c) => c.methods));
    expect(methods.filter((m) => !covered.has(m as keyof GitLabClient))).toEqual([]);
  });

  const cases = () => {
    const list: { slug: string; example: string }[] = [];
    for (const [slug, f] of loadedFixtures) for (const e of f.examples) list.push({ slug, example: e.name });
    return list;
  };
  it.each(cases())('$slug ($example)', async ({ slug, example }) => {
    const f = server.fixtures.get(slug);
    const ex = f?.examples.find((e) => e.name === example);
    const check = checks[slug];
    if (!f || !ex || !check) throw new Error(`no fixture or check for ${slug}`);
    server.use(slug, example);
    await check.check(client, ex.body, ex);
    // The call reached the fixture's route, and nothing unknown was asked.
    expect(server.requests.map((r) => r.slug)).toContain(slug);
    expect(server.requests.filter((r) => r.slug === 'unmatched')).toEqual([]);
  });
});
