import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { demoScenarioInfo as demo, type GitLabSim, startGitLabSim } from '@hotfix-release/gitlab-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitLabClient, type GitLabClient } from '../gitlab-client.js';
import { parseRunbookConfig } from '../runbook-config.js';
import {
  labelValidated,
  neutralizeQuickActions,
  renderValidationNote,
  writeValidationNote,
} from './record-validation.js';
import { runSmokeChecks, type SmokeCheckResult } from './run-smoke-checks.js';

const SHA = 'a'.repeat(40);

describe('runSmokeChecks', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/health')
        return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ build: { sha: SHA } }));
      if (req.url === '/slow') return setTimeout(() => res.end('late'), 500);
      res.writeHead(500).end('boom');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('records pass, fail, time-out and script results with durations and output digests (E6)', async () => {
    const cfg = parseRunbookConfig({
      services: [
        {
          project: 'a/b',
          smokeChecks: [
            { name: 'version', url: `${base}/health`, jsonPath: 'build.sha' },
            { name: 'wrong version', url: `${base}/health`, jsonPath: 'build.sha', equals: 'other' },
            { name: 'broken', url: `${base}/broken` },
            { name: 'slow', url: `${base}/slow`, timeoutMs: 100 },
          ],
        },
      ],
    })._unsafeUnwrap();
    const results = (
      await runSmokeChecks(
        cfg.services[0]!.smokeChecks,
        [
          { name: 'script ok', run: async ({ expectedSha }) => ({ ok: expectedSha === SHA, output: 'fine' }) },
          { name: 'script throws', run: async () => Promise.reject(new Error('no db')) },
        ],
        { expectedSha: SHA },
      )
    )._unsafeUnwrap();
    expect(results.map((r) => [r.name, r.result])).toEqual([
      ['version', 'passed'],
      ['wrong version', 'failed'],
      ['broken', 'failed'],
      ['slow', 'timed_out'],
      ['script ok', 'passed'],
      ['script throws', 'error'],
    ]);
    for (const r of results) expect(r.outputDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(results[1]?.message).toContain('expected "other"');
  });
});

describe('writeValidationNote and labelValidated', () => {
  let sim: GitLabSim;
  let client: GitLabClient;
  const { project, iid } = demo.mergeRequests.cleanPick;
  const passed: SmokeCheckResult[] = [
    {
      name: 'health',
      kind: 'http',
      result: 'passed',
      startedAt: '2026-11-30T00:00:00.000Z',
      durationMs: 12,
      outputDigest: `sha256:${'0'.repeat(64)}`,
      message: 'HTTP 200',
    },
  ];
  beforeAll(async () => {
    sim = await startGitLabSim({ scenario: 'demo' });
    client = createGitLabClient({ gitlabUrl: sim.url, token: sim.token })._unsafeUnwrap();
  });
  afterAll(() => sim.close());

  it('neutralises quick actions so GitLab runs none of them', async () => {
    expect(neutralizeQuickActions('ok\n/label ~x\n  /merge')).toBe('ok\n&#47;label ~x\n  &#47;merge');
    const hostile: SmokeCheckResult = { ...passed[0]!, name: 'x\n/label ~"Validated in Staging"', message: '/close' };
    const body = renderValidationNote({
      promotionId: 'p1',
      project,
      iid,
      service: project,
      environment: 'staging',
      deployedSha: SHA,
      checks: [hostile],
    });
    expect(body.split('\n').some((l) => /^\s*\//.test(l))).toBe(false);
    const note = (
      await writeValidationNote(client, {
        promotionId: 'hostile',
        project,
        iid,
        service: project,
        environment: 'staging',
        deployedSha: SHA,
        checks: [hostile],
      })
    )._unsafeUnwrap();
    expect(note.reused).toBe(false);
    const mr = (await client.mergeRequest(project, iid))._unsafeUnwrap();
    expect(mr.labels).not.toContain('Validated in Staging');
    expect(mr.state).toBe('merged');
  });

  it('writes the note once per promotion and target, finding it again on a rerun (E7)', async () => {
    const input = {
      promotionId: 'p2',
      project,
      iid,
      service: project,
      environment: 'staging',
      deployedSha: SHA,
      checks: passed,
      pipelineUrl: `${sim.url}/evenergi/develop/-/pipelines/1`,
    };
    const first = (await writeValidationNote(client, input))._unsafeUnwrap();
    const second = (await writeValidationNote(client, input))._unsafeUnwrap();
    expect(second).toMatchObject({ id: first.id, reused: true, bodyDigest: first.bodyDigest });
    expect(first.body).toContain(project);
    expect(
      sim.controls
        .find('POST', '/projects/:id/merge_requests/:merge_request_iid/notes')
        .filter((r) => r.path.includes(`/merge_requests/${iid}/`)),
    ).toHaveLength(2);
  });

  it('reconciles a lost note POST by listing notes: no duplicate note', async () => {
    sim.fault({ method: 'POST', route: '/projects/:id/merge_requests/:merge_request_iid/notes', kind: 'drop-after' });
    const note = (
      await writeValidationNote(client, {
        promotionId: 'p3',
        project,
        iid,
        service: project,
        environment: 'staging',
        deployedSha: SHA,
        checks: passed,
      })
    )._unsafeUnwrap();
    expect(sim.controls.requests.filter((r) => r.fault === 'drop-after')).toHaveLength(1);
    const notes = (await client.mergeRequestNotes(project, iid))
      ._unsafeUnwrap()
      .items.filter((n) => n.body.includes('hotfix-release:validation p3 '));
    expect(notes.map((n) => n.id)).toEqual([note.id]);
  });

  it('refuses to label when a check failed or none ran (S7)', async () => {
    const failed = [{ ...passed[0]!, result: 'failed' as const }];
    expect(
      (
        await labelValidated(client, { project, iid, label: 'Validated in Staging', checks: failed })
      )._unsafeUnwrapErr(),
    ).toMatchObject({ code: 'validation-failed', runbookRef: 'S7' });
    expect(
      (await labelValidated(client, { project, iid, label: 'Validated in Staging', checks: [] }))._unsafeUnwrapErr()
        .code,
    ).toBe('validation-failed');
    expect((await client.mergeRequest(project, iid))._unsafeUnwrap().labels).not.toContain('Validated in Staging');
  });

  it('refuses a label that does not exist instead of letting GitLab create a misspelt one (E8)', async () => {
    const r = await labelValidated(client, { project, iid, label: 'Validated in Stagign', checks: passed });
    expect(r._unsafeUnwrapErr()).toMatchObject({ code: 'label-missing', runbookRef: 'E8' });
    const labels = (await client.labels(project))._unsafeUnwrap().items.map((l) => l.name);
    expect(labels).not.toContain('Validated in Stagign');
  });

  it('adds the label after validation and reads it back with when it was added (E8)', async () => {
    const r = (
      await labelValidated(client, { project, iid, label: 'Validated in Staging', checks: passed })
    )._unsafeUnwrap();
    expect(r).toMatchObject({ name: 'Validated in Staging', present: true, alreadyPresent: false });
    expect(r.addedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    const again = (
      await labelValidated(client, { project, iid, label: 'Validated in Staging', checks: passed })
    )._unsafeUnwrap();
    expect(again.alreadyPresent).toBe(true);
  });
});
