/**
 * E3's enumeration over HTTP against the simulator: pipelines classified by the jobs and bridges
 * they ran, the window applied to `created_at` whatever the list filters did, bounded and honest
 * pagination, and reads GitLab refuses recorded as such, never a crash.
 */
import type { EnumeratedPipeline } from '@hotfix-release/evidence';
import { demoScenarioInfo as demo } from '@hotfix-release/gitlab-sim';
import { afterEach, describe, expect, it } from 'vitest';
import { SIM_MODE } from '../../../../test-support/sim-mode.js';
import { makeReleaseWorld, type ReleaseWorld, TARGET } from '../../test/release-world.js';
import { createGitLabClient } from '../gitlab-client.js';
import { CUT_OFF_ACTION, DEPLOY_ACTION, parseRunbookConfig } from '../runbook-config.js';
import { enumerateCutOff, reportedSelection, selectsCutOff } from './_enumerate-cut-off.js';

const ORCH = encodeURIComponent(demo.orchestrator);
const OTHER = demo.services[2];
const { maintainer, developer } = demo.users;
const realistic = SIM_MODE.name === 'realistic';

let w: ReleaseWorld | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

/** Starts an orchestration pipeline as `token` (the admin by default) and returns its id. */
async function orchestrate(world: ReleaseWorld, action: string, project: string, token?: string): Promise<number> {
  const res = await fetch(`${world.sim.apiUrl}/projects/${ORCH}/pipeline`, {
    method: 'POST',
    headers: { 'private-token': token ?? world.sim.token, 'content-type': 'application/json' },
    body: JSON.stringify({ ref: 'main', inputs: { action, project, confirm: true } }),
  });
  const body = (await res.json()) as { id: number };
  expect(res.status).toBe(201);
  return body.id;
}

const now = (world: ReleaseWorld) => new Date(world.sim.clock.now()).toISOString();
const windowUntilNow = (world: ReleaseWorld, start: string) => ({
  start,
  end: new Date(world.sim.clock.now() + 1000).toISOString(),
});
const byId = (ps: readonly EnumeratedPipeline[] | undefined, id: number) => ps?.find((p) => p.id === id);

describe('enumerateCutOff', () => {
  it('classifies the window by what each pipeline ran: deploy, cut-off (offending), cut-off elsewhere', async () => {
    w = await makeReleaseWorld();
    const start = now(w);
    await w.advance(1000);
    const own = await orchestrate(w, DEPLOY_ACTION, TARGET);
    const cut = await orchestrate(w, CUT_OFF_ACTION, TARGET, maintainer.token);
    const elsewhere = await orchestrate(w, CUT_OFF_ACTION, OTHER, maintainer.token);
    const e = (await enumerateCutOff(w.client, w.config, TARGET, windowUntilNow(w, start)))._unsafeUnwrap();
    expect(e).toMatchObject({ pagesRead: 1, pagesExhausted: true, pipelinesExamined: 3, outsideWindow: 0 });
    expect(byId(e.pipelines, own)).toMatchObject({ classification: 'deploy', basis: 'observed' });
    expect(byId(e.pipelines, cut)).toMatchObject({ classification: 'cut-off', basis: 'observed' });
    expect(byId(e.pipelines, cut)?.matched).toEqual(
      expect.arrayContaining(['bring-all-code-to-release-branch', 'deploy-after-cut-off']),
    );
    // A GitLab that reports no name cannot say the other cut-off aimed elsewhere: it offends too.
    expect(byId(e.pipelines, elsewhere)).toMatchObject({ classification: 'cut-off', basis: 'observed' });
    expect(byId(e.pipelines, elsewhere)?.target).toBe(realistic ? undefined : OTHER);
    expect(e.offendingPipelineIds).toEqual(realistic ? [elsewhere, cut] : [cut]);
    // One read of the jobs and one of the bridges per pipeline; no variables (inputs travel as inputs).
    const reads = w.gitlabRequests().map((r) => r.route);
    expect(reads.filter((r) => r.endsWith('/jobs'))).toHaveLength(3);
    expect(reads.filter((r) => r.endsWith('/bridges'))).toHaveLength(3);
    expect(reads.filter((r) => r.endsWith('/variables'))).toHaveLength(0);
  });

  it('leaves out a cut-off created before the window even where GitLab ignores created_after', async () => {
    w = await makeReleaseWorld({ realistic: { ignoreCreatedFilters: true } });
    const old = await orchestrate(w, CUT_OFF_ACTION, TARGET, maintainer.token);
    await w.advance(600_000);
    const start = now(w);
    const own = await orchestrate(w, DEPLOY_ACTION, TARGET);
    const e = (await enumerateCutOff(w.client, w.config, TARGET, windowUntilNow(w, start)))._unsafeUnwrap();
    expect(e.pipelines?.map((p) => p.id)).toEqual([own]);
    expect(e.outsideWindow).toBeGreaterThanOrEqual(1);
    expect(e.offendingPipelineIds).toEqual([]);
    expect(e.offendingPipelineIds).not.toContain(old);
    const listed = w.gitlabRequests().filter((r) => r.route === '/projects/:id/pipelines');
    expect(listed[0]?.query).toContain(`created_after=${encodeURIComponent(start)}`);
  });

  it('stops reading once a whole page predates the window, and calls the list exhausted', async () => {
    w = await makeReleaseWorld({ realistic: { ignoreCreatedFilters: true } });
    for (let i = 0; i < 3; i++) await orchestrate(w, DEPLOY_ACTION, OTHER);
    await w.advance(600_000);
    const start = now(w);
    const own = await orchestrate(w, DEPLOY_ACTION, TARGET);
    const e = (
      await enumerateCutOff(w.client, w.config, TARGET, windowUntilNow(w, start), { perPage: 1, maxPages: 10 })
    )._unsafeUnwrap();
    expect(e).toMatchObject({ pagesRead: 2, pagesExhausted: true, pipelinesExamined: 1, outsideWindow: 1 });
    expect(e.pipelines?.map((p) => p.id)).toEqual([own]);
  });

  it('reads pages until exhausted, and says when a bound stopped it first', async () => {
    w = await makeReleaseWorld();
    const start = now(w);
    for (let i = 0; i < 3; i++) await orchestrate(w, DEPLOY_ACTION, TARGET);
    const win = windowUntilNow(w, start);
    const all = (await enumerateCutOff(w.client, w.config, TARGET, win, { perPage: 2 }))._unsafeUnwrap();
    expect(all).toMatchObject({ pagesRead: 2, pagesExhausted: true, pipelinesExamined: 3 });
    const pages = (await enumerateCutOff(w.client, w.config, TARGET, win, { perPage: 1, maxPages: 2 }))._unsafeUnwrap();
    expect(pages).toMatchObject({ pagesRead: 2, pagesExhausted: false, pipelinesExamined: 2 });
    const many = (await enumerateCutOff(w.client, w.config, TARGET, win, { maxPipelines: 2 }))._unsafeUnwrap();
    expect(many).toMatchObject({ pagesExhausted: false, pipelinesExamined: 2 });
  });

  it('records a pipeline whose jobs GitLab refuses as unreadable with the reason, reading its variables once', async () => {
    w = await makeReleaseWorld();
    const start = now(w);
    const id = await orchestrate(w, DEPLOY_ACTION, TARGET, maintainer.token);
    await w.control('POST', '/-/sim/faults', {
      route: '/projects/:id/pipelines/:pipeline_id/jobs',
      kind: 'status',
      status: 403,
      times: 'all',
    });
    const e = (await enumerateCutOff(w.client, w.config, TARGET, windowUntilNow(w, start)))._unsafeUnwrap();
    expect(byId(e.pipelines, id)).toMatchObject({
      classification: 'unreadable',
      basis: 'observed',
      reason: expect.stringContaining(`GET /projects/${ORCH}/pipelines/${id}/jobs answered 403`),
    });
    expect(e.offendingPipelineIds).toEqual([]);
    const vars = w.gitlabRequests().filter((r) => r.route === '/projects/:id/pipelines/:pipeline_id/variables');
    expect(vars).toHaveLength(1);
  });

  it('falls back to what GitLab reports when the jobs are unreadable: a reported cut-off still offends', async () => {
    w = await makeReleaseWorld({ realistic: { noInputName: false } });
    const start = now(w);
    const id = await orchestrate(w, CUT_OFF_ACTION, TARGET, maintainer.token);
    await w.control('POST', '/-/sim/faults', {
      route: '/projects/:id/pipelines/:pipeline_id/jobs',
      kind: 'status',
      status: 500,
      times: 'all',
    });
    const e = (await enumerateCutOff(w.client, w.config, TARGET, windowUntilNow(w, start)))._unsafeUnwrap();
    expect(byId(e.pipelines, id)).toMatchObject({
      classification: 'cut-off',
      basis: 'reported',
      target: TARGET,
      reason: expect.stringContaining('/jobs answered 500'),
    });
    expect(e.offendingPipelineIds).toEqual([id]);
  });

  it("survives a Developer's refused read of someone else's pipeline variables, classifying by the jobs", async () => {
    w = await makeReleaseWorld({ realistic: { variablesNeedMaintainer: true } });
    const start = now(w);
    const id = await orchestrate(w, CUT_OFF_ACTION, TARGET, maintainer.token);
    const alice = createGitLabClient(
      { gitlabUrl: w.sim.url, token: developer.token },
      { clock: w.client.clock },
    )._unsafeUnwrap();
    const e = (
      await enumerateCutOff(alice, w.config, TARGET, windowUntilNow(w, start), { readVariables: true })
    )._unsafeUnwrap();
    expect(byId(e.pipelines, id)).toMatchObject({ classification: 'cut-off', basis: 'observed' });
    expect(e.offendingPipelineIds).toEqual([id]);
    const vars = w.gitlabRequests().filter((r) => r.route === '/projects/:id/pipelines/:pipeline_id/variables');
    expect(vars.map((r) => r.status)).toEqual([403]);
  });
});

describe('reportedSelection', () => {
  it('reads the action and the target from a name or from variables, through the project value mapping', () => {
    const config = parseRunbookConfig({ services: [{ project: TARGET }, { project: OTHER }] })._unsafeUnwrap();
    expect(reportedSelection(config, TARGET, { name: `${CUT_OFF_ACTION} ${TARGET} confirm=true` })).toEqual({
      cutOff: true,
      target: TARGET,
    });
    expect(reportedSelection(config, TARGET, { name: `${DEPLOY_ACTION} ${OTHER} confirm=true` })).toEqual({
      cutOff: false,
      target: OTHER,
    });
    const vars = [
      { key: 'ACTION', value: 'BRING_ALL_CODE_TO_RELEASE_BRANCH' },
      { key: 'project', value: OTHER },
    ];
    expect(reportedSelection(config, TARGET, { variables: vars })).toEqual({ cutOff: true, target: OTHER });
    expect(selectsCutOff(config, TARGET, { variables: vars })).toBe(false);
    expect(selectsCutOff(config, TARGET, { name: CUT_OFF_ACTION })).toBe(true);
    expect(reportedSelection(config, TARGET, { name: null })).toEqual({ cutOff: false });
    // Short names: the orchestrator's `project` input takes the last path segment.
    const short = parseRunbookConfig({
      orchestration: { projectValue: 'short-name' },
      services: [{ project: TARGET }, { project: OTHER }],
    })._unsafeUnwrap();
    const shortName = (p: string) => p.slice(p.lastIndexOf('/') + 1);
    expect(reportedSelection(short, TARGET, { name: `${CUT_OFF_ACTION} ${shortName(OTHER)}` })).toEqual({
      cutOff: true,
      target: OTHER,
    });
    expect(reportedSelection(short, TARGET, { name: `${CUT_OFF_ACTION} unknown-service` })).toEqual({ cutOff: true });
  });
});
