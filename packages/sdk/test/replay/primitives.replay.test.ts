/**
 * Replay suite, primitive level: the SDK's read paths (awaitEnvironment's follow of the
 * orchestration run, readLiveFacts, preflight) against GitLab's own documented example
 * responses. The documented answers do not chain into a successful release (their ids come from
 * different examples), so each test asserts what the primitive derives from them and that it ends
 * in a verdict drawn from the data, never in `response-invalid` because a field was missing.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { GitLabClient } from '../../src/gitlab-client.js';
import { projectPathOfPipelineUrl } from '../../src/primitives/await-environment/follow-downstream.js';
import { awaitEnvironment } from '../../src/primitives/await-environment.js';
import { preflight } from '../../src/primitives/preflight.js';
import { readLiveFacts } from '../../src/primitives/read-live-facts.js';
import { parseRunbookConfig, type RunbookConfig } from '../../src/runbook-config.js';
import { loadReplayFixtures, REPLAY_DIR, type ReplayServer, replayClient, startReplayServer } from './server.js';

type Body = Record<string, unknown>;
const fixtures = loadReplayFixtures();
const body = (slug: string, example?: string): Body => {
  const f = fixtures.get(slug);
  const ex = example ? f?.examples.find((e) => e.name === example) : f?.examples[0];
  if (!ex) throw new Error(`no example ${example ?? '(first)'} in ${slug}`);
  return ex.body as Body;
};
const bridgeRevisions = fixtures.get('list-pipeline-bridges')?.examples.map((e) => e.name) ?? [];
const environmentRevisions = fixtures.get('get-environment')?.examples.map((e) => e.name) ?? [];

/** The target named by the documented bridge's downstream `web_url`, so the follow can reach it. */
const TARGET = 'diaspora/diaspora-client';

function config(deployJobs: string[]): RunbookConfig {
  return parseRunbookConfig({
    orchestration: { project: 'test-group/test-project' },
    services: [{ project: TARGET, deployJobs }],
  })._unsafeUnwrap();
}

describe('replay: primitives read GitLab’s documented responses', () => {
  let server: ReplayServer;
  let client: GitLabClient;
  const clock = { now: () => Date.parse('2026-12-07T12:00:00Z'), sleep: async () => {} };
  beforeAll(async () => {
    server = await startReplayServer();
    client = replayClient(server);
  });
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  it('has a 16.x and an 18.x revision of the bridges answer', () => {
    expect(bridgeRevisions).toEqual(expect.arrayContaining(['16.x', '18.10']));
  });

  it.each(bridgeRevisions)(
    'awaitEnvironment follows a documented bridge (%s) without downstream project_id to its pipeline',
    async (revision) => {
      server.use('list-pipeline-bridges', revision);
      server.use('list-pipeline-jobs', revision === '16.x' ? '16.x' : '18.10');
      const bridge = (body('list-pipeline-bridges', revision) as unknown as Body[])[0] as Body;
      const downstream = bridge.downstream_pipeline as Body;
      expect(downstream.project_id).toBeUndefined();
      // The documented downstream URL has no `/-/` and another host than the API's.
      expect(String(downstream.web_url)).toBe('https://example.com/diaspora/diaspora-client/pipelines/5');
      const r = await awaitEnvironment(client, config(['teaspoon']), {
        pipeline: { id: Number(body('get-pipeline').id) },
        target: TARGET,
        expectedSha: 'f62a4b2fb89754372a346f24659212eb8da13601',
        maxWaitMs: 60_000,
        clock,
        random: () => 0,
      });
      const out = r._unsafeUnwrap();
      // Derived: the downstream's project from its web_url (read once), its id from the bridge.
      expect(out.observed.downstream).toMatchObject({
        id: downstream.id,
        projectId: body('get-project').id,
        reachedVia: 'bridge',
        webUrl: downstream.web_url,
      });
      expect(
        server.requests.some((q) => q.slug === 'get-project' && q.path.endsWith('diaspora%2Fdiaspora-client')),
      ).toBe(true);
      // No documented deployment belongs to pipeline 5, so the deploy job decides: "teaspoon" failed.
      expect(out).toMatchObject({ outcome: 'failure', reason: 'deployment-failed', failingJob: { name: 'teaspoon' } });
      expect(server.requests.filter((q) => q.slug === 'unmatched')).toEqual([]);
    },
  );

  it('awaitEnvironment reads the documented deployments list (no deployable.pipeline.project_id) and tells a missing deploy job', async () => {
    const r = await awaitEnvironment(client, config(['deploy']), {
      pipeline: { id: Number(body('get-pipeline').id) },
      target: TARGET,
      expectedSha: 'a91957a858320c0e17f3a0eca7cfacbff50ea29a',
      maxWaitMs: 60_000,
      clock,
      random: () => 0,
    });
    expect(server.requests.some((q) => q.slug === 'list-deployments')).toBe(true);
    // The documented deployments are of pipelines 36 and 37, not ours (5): never mistaken for ours.
    expect(r._unsafeUnwrap()).toMatchObject({ outcome: 'failure', reason: 'deploy-job-missing' });
    expect(r._unsafeUnwrap().observed.deployment).toBeUndefined();
  });

  it.each(environmentRevisions)(
    'readLiveFacts reads the deployed SHA from a documented environment (%s) whose last_deployment lacks updated_at',
    async (revision) => {
      server.use('get-environment', revision);
      server.use('list-environments', revision);
      const cfg = parseRunbookConfig({
        orchestration: { project: 'test-group/test-project', inputsVia: 'variables' },
        services: [{ project: TARGET }],
      })._unsafeUnwrap();
      const facts = await readLiveFacts(client, cfg, {
        target: TARGET,
        pipeline: { project: 'test-group/test-project', id: 287 },
        environment: 'review/fix-foo',
        mr: { project: TARGET, iid: 1 },
        noteId: Number(body('post-merge-request-note').id),
        label: 'Validated in Staging',
      });
      const v = facts._unsafeUnwrap();
      expect(v.deployedSha).toBe((body('get-environment', revision).last_deployment as Body).sha);
      expect(v.labelPresent).toBe(false);
      expect(v.note?.bodyDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
      // The documented variables carry none of the guided ones, and the name carries no inputs.
      expect(Object.keys(v.pipelineInputs ?? {})).toEqual([]);
    },
  );

  it('preflight reads every documented answer it needs and reports findings, not a shape error', async () => {
    const r = await preflight(client, config(['deploy']), { mr: { project: TARGET, iid: 1 } });
    const report = r._unsafeUnwrap();
    // The documented MR is open: preflight says so (D1) rather than failing on the answer's shape.
    expect(report.ok).toBe(false);
    expect(report.findings.map((f) => f.code)).toContain('mr-not-merged');
    expect(server.requests.filter((q) => q.slug === 'unmatched')).toEqual([]);
  });
});

describe('replay variant: a downstream whose project cannot be derived', () => {
  // NOT a documented answer: the documented bridges answer with its downstream `web_url` replaced by
  // one naming no project, to prove the degradation is recorded in the verdict, not silent.
  const dir = mkdtempSync(join(tmpdir(), 'replay-variant-'));
  let server: ReplayServer;
  beforeAll(async () => {
    cpSync(REPLAY_DIR, dir, { recursive: true });
    const file = join(dir, 'list-pipeline-bridges.json');
    const f = JSON.parse(readFileSync(file, 'utf8')) as { examples: { body: { downstream_pipeline: Body }[] }[] };
    for (const ex of f.examples) for (const b of ex.body) b.downstream_pipeline.web_url = 'https://example.com/';
    writeFileSync(file, JSON.stringify(f));
    server = await startReplayServer(dir);
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('names the unresolved downstream pipeline in the downstream-not-found verdict', async () => {
    const client = replayClient(server);
    const r = await awaitEnvironment(client, config(['teaspoon']), {
      pipeline: { id: 287 },
      target: TARGET,
      expectedSha: 'f62a4b2fb89754372a346f24659212eb8da13601',
      maxWaitMs: 60_000,
      clock: { now: () => Date.parse('2026-12-07T12:00:00Z'), sleep: async () => {} },
      random: () => 0,
    });
    const out = r._unsafeUnwrap();
    expect(out).toMatchObject({ outcome: 'failure', reason: 'downstream-not-found' });
    expect(out.outcome === 'failure' && out.message).toContain(
      'Not followed: downstream pipeline(s) 5 (https://example.com/)',
    );
    expect(out.observed.downstream).toBeUndefined();
  });
});

describe('projectPathOfPipelineUrl (the downstream project when a bridge omits project_id)', () => {
  it.each([
    ['https://example.com/diaspora/diaspora-client/pipelines/5', 'http://127.0.0.1:1', 5, 'diaspora/diaspora-client'],
    ['https://gitlab.example.com/g/sub/p/-/pipelines/7', 'https://gitlab.internal', 7, 'g/sub/p'],
    ['https://h.example/gitlab/g/p/-/pipelines/7', 'https://h.example/gitlab', 7, 'g/p'],
    ['https://h.example/g/p/-/pipelines/8', 'https://h.example', 7, undefined],
    ['https://h.example/g/p/-/jobs/7', 'https://h.example', 7, undefined],
    ['not a url', 'https://h.example', 7, undefined],
  ])('%s (API %s, id %d) → %s', (webUrl, api, id, expected) => {
    expect(projectPathOfPipelineUrl(api, webUrl, id)).toBe(expected);
  });
});
