import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoScenarioInfo } from '../src/scenarios/demo.js';
import type { GitLabSim } from '../src/server.js';
import { fixtureDir } from './fixtures-path.js';
import { enc, type Json, startDemo, type TestApi, testApi } from './helpers.js';

// GitLab's own RSpec response-schema fixtures, inside the repository (fixtures/README.md).
// A missing folder fails this file at load; it never skips.
const SCHEMAS = fixtureDir('gitlab/api-schemas', 'public_api/v4/merge_request.json');
const BASE = 'https://gitlab.invalid/schemas/';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const full = join(dir, n);
    return statSync(full).isDirectory() ? files(full) : n.endsWith('.json') ? [full] : [];
  });
}

/**
 * GitLab's fixtures are validated by a lenient Ruby validator. Three quirks need care here,
 * each made explicit instead of skipped:
 * - merge_requests.json uses the non-JSON-Schema types "date" and "uri": read as strings with
 *   the matching format (what GitLab's validator effectively does).
 * - label_basic.json's colour pattern `{3}{1,2}` is not a valid JS regex: read as `(?:…{3}){1,2}`.
 * - merge_request.json lists time_stats/references sub-fields without `properties`: unknown
 *   keywords, ignored (`strict: false`), exactly as GitLab's validator ignores them.
 */
function lenient(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(lenient);
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = lenient(v);
  if (out.type === 'date') Object.assign(out, { type: 'string', format: 'date-time' });
  if (out.type === 'uri') Object.assign(out, { type: 'string', format: 'uri' });
  if (typeof out.pattern === 'string')
    out.pattern = out.pattern.replace('[0-9A-Fa-f]{3}{1,2}', '(?:[0-9A-Fa-f]{3}){1,2}');
  return out;
}

function buildAjv(patch?: (id: string, schema: Record<string, unknown>) => void): Ajv {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats.default(ajv);
  for (const file of files(SCHEMAS)) {
    const id = relative(SCHEMAS, file).split('\\').join('/');
    const schema = lenient(JSON.parse(readFileSync(file, 'utf8'))) as Record<string, unknown>;
    patch?.(id, schema);
    ajv.addSchema({ ...schema, $id: `${BASE}${id}` });
  }
  return ajv;
}

/**
 * Fields current GitLab returns that the stale fixtures predate. The tests prove that the ONLY
 * violations are these names, then validate everything else strictly.
 */
const NEWER_MR_LIST_FIELDS = [
  'merged_by',
  'merge_user',
  'merged_at',
  'closed_by',
  'closed_at',
  'assignees',
  'reviewers',
  'draft',
  'imported',
  'imported_from',
  'detailed_merge_status',
  'merge_after',
  'squash_commit_sha',
  'prepared_at',
  'allow_collaboration',
  'reference',
  'references',
  'squash_on_merge',
  'task_completion_status',
  'has_conflicts',
  'blocking_discussions_resolved',
  // UserBasic gained `locked` after the fixture's inline author/assignee objects were written.
  'locked',
];
const NEWER_NOTE_FIELDS = ['project_id', 'imported', 'imported_from'];

function expectValid(validate: ValidateFunction, data: unknown): void {
  const ok = validate(data);
  expect(ok ? [] : validate.errors).toEqual([]);
}

describe('contract: simulator responses against GitLab JSON Schemas (fixtures/gitlab/api-schemas)', () => {
  let sim: GitLabSim;
  let api: TestApi;
  let ajv: Ajv;
  const schema = (id: string) => ajv.getSchema(`${BASE}public_api/v4/${id}`) as ValidateFunction;
  const charging = enc(demoScenarioInfo.mergeRequests.cleanPick.project);
  beforeAll(async () => {
    sim = await startDemo();
    api = testApi(sim);
    ajv = buildAjv();
  });
  afterAll(() => sim.close());

  it('validates every demo merge request, and create/edit/merge bodies, against merge_request.json', async () => {
    for (const ref of Object.values(demoScenarioInfo.mergeRequests)) {
      expectValid(
        schema('merge_request.json'),
        await api.get(`/projects/${enc(ref.project)}/merge_requests/${ref.iid}`),
      );
    }
    await api.call('POST', `/projects/${charging}/repository/branches`, { branch: 'contract-mr', ref: 'main' });
    await api.call('POST', `/projects/${charging}/repository/commits`, {
      branch: 'contract-mr',
      commit_message: 'contract change',
      actions: [{ action: 'create', file_path: 'contract.txt', content: 'x\n' }],
    });
    const created = await api.call('POST', `/projects/${charging}/merge_requests`, {
      source_branch: 'contract-mr',
      target_branch: 'main',
      title: 'Contract MR',
    });
    expect(created.status).toBe(201);
    expectValid(schema('merge_request.json'), created.body);
    const edited = await api.call('PUT', `/projects/${charging}/merge_requests/${created.body.iid}`, {
      add_labels: 'contract',
    });
    expectValid(schema('merge_request.json'), edited.body);
    const merged = await api.call('PUT', `/projects/${charging}/merge_requests/${created.body.iid}/merge`, {});
    expect(merged.status).toBe(200);
    expectValid(schema('merge_request.json'), merged.body);
  });

  it('notes that merge_requests.json (list) is stale: only fields newer than the fixture violate it', async () => {
    const list = await api.get(`/projects/${charging}/merge_requests?state=all`);
    const validate = schema('merge_requests.json');
    validate(list);
    const extra = new Set(
      (validate.errors ?? []).map((e) =>
        e.keyword === 'additionalProperties'
          ? (e.params as { additionalProperty: string }).additionalProperty
          : `${e.instancePath} ${e.message}`,
      ),
    );
    expect([...extra].filter((f) => !NEWER_MR_LIST_FIELDS.includes(f))).toEqual([]);
    const relaxed = buildAjv((id, s) => {
      if (id !== 'public_api/v4/merge_requests.json') return;
      const items = s.items as { properties: Record<string, { properties?: Record<string, unknown> }> };
      for (const f of NEWER_MR_LIST_FIELDS) items.properties[f] ??= {};
      for (const who of ['author', 'assignee']) (items.properties[who]?.properties ?? {}).locked = {};
    }).getSchema(`${BASE}public_api/v4/merge_requests.json`) as ValidateFunction;
    expectValid(relaxed, list);
  });

  it('validates `view=simple` list items against merge_request_simple.json', async () => {
    const list = await api.get(`/projects/${charging}/merge_requests?view=simple`);
    expect(list.length).toBeGreaterThan(0);
    for (const mr of list) expectValid(schema('merge_request_simple.json'), mr);
  });

  it('validates MR label details against label_basic.json and labels against the labels schemas', async () => {
    const list = await api.get(`/projects/${charging}/merge_requests?with_labels_details=true&labels=hotfix`);
    const labels = list.flatMap((mr: Json) => mr.labels);
    expect(labels.length).toBeGreaterThan(0);
    for (const l of labels) expectValid(schema('label_basic.json'), l);
    const projectLabels = await api.get(`/projects/${charging}/labels`);
    for (const l of projectLabels) {
      expectValid(schema('labels/project_label.json'), l);
      expectValid(schema('label/basic.json'), l);
    }
    const created = await api.call('POST', `/projects/${charging}/labels`, {
      name: 'contract-label',
      color: '#123456',
    });
    expect(created.status).toBe(201);
    expectValid(schema('labels/project_label.json'), created.body);
  });

  it('validates commits: list (commits.json), with_stats, detail, cherry-pick and revert bodies (commit/basic.json)', async () => {
    const list = await api.get(`/projects/${charging}/repository/commits?ref_name=main&per_page=5`);
    expectValid(schema('commits.json'), list);
    const withStats = await api.get(
      `/projects/${charging}/repository/commits?ref_name=main&per_page=3&with_stats=true`,
    );
    for (const c of withStats) expectValid(schema('commit/with_stats.json'), c);
    expectValid(schema('commit/detail.json'), await api.get(`/projects/${charging}/repository/commits/main`));
    const mr = await api.get(`/projects/${charging}/merge_requests/${demoScenarioInfo.mergeRequests.cleanPick.iid}`);
    const picked = await api.call(
      'POST',
      `/projects/${charging}/repository/commits/${mr.merge_commit_sha}/cherry_pick`,
      {
        branch: 'release',
      },
    );
    expect(picked.status).toBe(201);
    expectValid(schema('commit/basic.json'), picked.body);
    const reverted = await api.call('POST', `/projects/${charging}/repository/commits/${picked.body.id}/revert`, {
      branch: 'release',
    });
    expect(reverted.status).toBe(201);
    expectValid(schema('commit/basic.json'), reverted.body);
    const compare = await api.get(`/projects/${charging}/repository/compare?from=main&to=release`);
    for (const c of compare.commits) expectValid(schema('commit/basic.json'), c);
  });

  it('validates branches (branch.json, branches.json), including a created branch', async () => {
    expectValid(schema('branches.json'), await api.get(`/projects/${charging}/repository/branches`));
    expectValid(schema('branch.json'), await api.get(`/projects/${charging}/repository/branches/release`));
    const created = await api.call('POST', `/projects/${charging}/repository/branches`, {
      branch: 'contract-b',
      ref: 'main',
    });
    expectValid(schema('branch.json'), created.body);
  });

  it('validates notes against notes.json, noting the fields newer than the fixture', async () => {
    const path = `/projects/${charging}/merge_requests/1/notes`;
    await api.call('POST', path, { body: 'Evidence: deployed to staging.' });
    const notes = await api.get(path);
    expect(notes.length).toBeGreaterThan(0);
    const strict = schema('notes.json');
    strict(notes);
    const extras = new Set(
      (strict.errors ?? []).map((e) => (e.params as { additionalProperty?: string }).additionalProperty),
    );
    expect([...extras].filter((f) => !NEWER_NOTE_FIELDS.includes(f as string))).toEqual([]);
    const relaxed = buildAjv((id, s) => {
      if (id !== 'public_api/v4/notes.json') return;
      const items = s.items as { properties: Record<string, unknown> };
      for (const f of NEWER_NOTE_FIELDS) items.properties[f] = {};
    }).getSchema(`${BASE}public_api/v4/notes.json`) as ValidateFunction;
    expectValid(relaxed, notes);
  });

  it('validates projects with simple=true against project.json (the basic project entity) and MR authors against user/basic.json', async () => {
    const projects = await api.get('/projects?simple=true');
    expect(projects.length).toBeGreaterThanOrEqual(4);
    for (const p of projects) expectValid(schema('project.json'), p);
    const mr = await api.get(`/projects/${charging}/merge_requests/1`);
    expectValid(schema('user/basic.json'), mr.author);
  });
});
