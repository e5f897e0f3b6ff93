/**
 * Issue 18 end to end, as child processes against the simulator over loopback: a job-token run is
 * refused before any request (exit 3, token-insufficient), CI_JOB_TOKEN is never used silently, and
 * a promotion whose staging is behind a header passes its health and smoke checks, passes E5 through
 * a version-to-commit pattern, and never shows the header's value in any output, event, journal or bundle.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseBundle } from '@hotfix-release/evidence';
import { demoScenarioInfo as demo } from '@hotfix-release/gitlab-sim';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { itWithRealisticFailures } from '../../../test-support/sim-mode.js';
import { allOutput, type CliRun, runCli } from './support/cli.js';
import { type CliWorld, SENTINEL_TOKEN, startCliWorld } from './support/world.js';

/** Runs in both simulator modes (HOTFIX_SIM_MODE); no test is expected to fail in realistic mode. */
const it = itWithRealisticFailures([]);

const MAIN = demo.mergeRequests.cleanPick.project;
const MR = `${MAIN}!${demo.mergeRequests.cleanPick.iid}`;
const JOB_TOKEN = 'job-SENTINEL-e2e-77aa66bb55cc';
const STAGING_SECRET = 'staging-SENTINEL-e2e-3141592653';
const SMOKE_SECRET = 'smoke-only-SENTINEL-e2e-2718281828';
let w: CliWorld;

beforeAll(async () => {
  w = await startCliWorld();
  const admin = w.sim.state.userForToken(SENTINEL_TOKEN)?.user;
  if (admin) w.sim.state.tokens.push({ value: JOB_TOKEN, userId: admin.id, kind: 'job' });
});
afterAll(async () => {
  const all = allOutput.join('\n');
  expect(all).not.toContain(SENTINEL_TOKEN);
  expect(all).not.toContain(JOB_TOKEN);
  expect(all).not.toContain(STAGING_SECRET);
  expect(all).not.toContain(SMOKE_SECRET);
  await w?.close();
});

describe('job tokens (issue 18)', () => {
  it('refuses a --job-token promotion before any request, with token-insufficient naming what a job token cannot do', async () => {
    w.sim.controls.clearLog();
    const env = { GITLAB_URL: w.sim.url, CI_JOB_TOKEN: JOB_TOKEN, NO_COLOR: '1' };
    const r = await runCli(['promote', '--mr', MR, '--job-token', '--evidence', 'job.json', '--json'], {
      cwd: w.dir,
      env,
    });
    expect(r.code).toBe(3);
    const doc = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(doc).toMatchObject({
      code: 'token-insufficient',
      exitCode: 3,
      runbookRef: 'P3',
      details: {
        tokenKind: 'job',
        command: 'hotfix promote',
        operations: expect.arrayContaining(['cherry-pick', 'create-pipeline', 'mr-note', 'mr-label']),
      },
    });
    expect(String(doc.detail)).toMatch(/CI\/CD job token \(CI_JOB_TOKEN\) cannot.*nothing was attempted/);
    expect(w.sim.controls.requests.filter((q) => q.route !== 'control')).toEqual([]);
  });

  it('never falls back to CI_JOB_TOKEN: without GITLAB_TOKEN or --job-token the command stops with exit 3', async () => {
    w.sim.controls.clearLog();
    const r = await runCli(['promote', '--mr', MR, '--evidence', 'job2.json'], {
      cwd: w.dir,
      env: { GITLAB_URL: w.sim.url, CI_JOB_TOKEN: JOB_TOKEN, NO_COLOR: '1' },
    });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(
      /No GitLab token: GITLAB_TOKEN is not set; CI_JOB_TOKEN is, but a job token is used only when asked \(--job-token\)/,
    );
    expect(w.sim.controls.requests.filter((q) => q.route !== 'control')).toEqual([]);
  });
});

describe('a staging behind auth (issue 18)', () => {
  it('promotes with the header from the user configuration, E5 through a version pattern, and the value nowhere', async () => {
    const dir = join(w.dir, 'behind-auth');
    const xdg = join(w.dir, 'xdg');
    await mkdir(dir, { recursive: true });
    await mkdir(join(xdg, 'hotfix'), { recursive: true });
    const health = `${w.sim.url}/-/sim/services/${MAIN}/staging/health`;
    const services = demo.services.map((project) => ({
      project,
      health: {
        url: `${w.sim.url}/-/sim/services/${project}/staging/health`,
        versionPattern: String.raw`\+g(?<sha>[0-9a-f]{7,40})$`,
      },
      smokeChecks: [{ name: 'staging is up', url: health, jsonPath: 'status', equals: 'ok' }],
    }));
    await writeFile(
      join(dir, 'hotfix.config.json'),
      JSON.stringify({ wait: { maxWaitMs: 60_000, minDelayMs: 200, maxDelayMs: 800 }, runbook: { services } }),
    );
    await writeFile(
      join(xdg, 'hotfix/config.json'),
      JSON.stringify({
        checks: {
          [MAIN]: { headers: { 'x-staging-auth': 'STAGING_AUTH' } },
          // A header for the one smoke check only (<target>:<check name>): its value is a secret too.
          [`${MAIN}:staging is up`]: { headers: { 'x-smoke-only': 'SMOKE_ONLY' } },
        },
      }),
    );
    await fetch(`${w.sim.url}/-/sim/health`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        project: MAIN,
        environment: 'staging',
        version: '2.7.0+g{sha7}',
        requireHeader: { name: 'x-staging-auth', value: STAGING_SECRET },
        redirect: 'same-origin',
      }),
    });
    const r = await runCli(['promote', '--mr', MR, '--evidence', 'auth.json', '--events', 'ndjson'], {
      cwd: dir,
      env: { ...w.env, XDG_CONFIG_HOME: xdg, STAGING_AUTH: STAGING_SECRET, SMOKE_ONLY: SMOKE_SECRET },
    });
    expect(r.stderr + r.stdout).not.toContain(STAGING_SECRET);
    expect(r.stderr + r.stdout).not.toContain(SMOKE_SECRET);
    expect(r.code).toBe(0);
    const bundleText = await readFile(join(dir, 'auth.json'), 'utf8');
    const journalText = await readFile(join(dir, 'auth.journal.json'), 'utf8');
    for (const secret of [STAGING_SECRET, SMOKE_SECRET]) {
      expect(bundleText).not.toContain(secret);
      expect(journalText).not.toContain(secret);
    }
    const bundle = parseBundle(JSON.parse(bundleText));
    expect(bundle.isOk()).toBe(true);
    const target = bundle.isOk() ? bundle.value.targets[0] : undefined;
    expect(target?.deployedSha?.health).toMatchObject({
      sha: null,
      version: expect.stringMatching(/^2\.7\.0\+g[0-9a-f]{7}$/),
      identity: { basis: 'pattern-sha', captured: target?.pick?.headAfter?.slice(0, 7) },
    });
    expect(target?.smokeChecks).toMatchObject([{ name: 'staging is up', result: 'passed' }]);

    // A rollback of it with a job token is refused before any write (R1 needs a revert, R2 a pipeline).
    w.sim.controls.clearLog();
    const back = await runCli(['rollback', '--evidence', 'auth.json', '--job-token', '--json'], {
      cwd: dir,
      env: {
        GITLAB_URL: w.sim.url,
        CI_JOB_TOKEN: JOB_TOKEN,
        NO_COLOR: '1',
        XDG_CONFIG_HOME: xdg,
        STAGING_AUTH: STAGING_SECRET,
        SMOKE_ONLY: SMOKE_SECRET,
      },
    });
    expect(back.code).toBe(3);
    expect(JSON.parse(back.stdout)).toMatchObject({
      code: 'token-insufficient',
      details: { command: 'hotfix rollback' },
    });
    expect(w.sim.controls.requests.filter((q) => q.method !== 'GET' && q.route !== 'control')).toEqual([]);
  });
});

describe('read-only commands with a job token (issue 18)', () => {
  const jobEnv = () => ({ GITLAB_URL: w.sim.url, CI_JOB_TOKEN: JOB_TOKEN, NO_COLOR: '1' });
  const noRequests = () => expect(w.sim.controls.requests.filter((q) => q.route !== 'control')).toEqual([]);
  const refused = (r: CliRun, command: string) => {
    expect(r.code).toBe(3);
    const doc = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(doc).toMatchObject({
      code: 'token-insufficient',
      runbookRef: 'P1',
      details: { tokenKind: 'job', command, operations: ['read-merge-request'] },
    });
    expect(String(doc.detail)).toMatch(/read the merge request \(GET \/projects\/:id\/merge_requests\/:iid\)/);
  };

  it('refuses hotfix preflight and hotfix status before any request: a job token cannot read the MR (P1)', async () => {
    w.sim.controls.clearLog();
    const pre = await runCli(['preflight', '--mr', MR, '--job-token', '--json'], { cwd: w.dir, env: jobEnv() });
    refused(pre, 'hotfix preflight');
    noRequests();
    await writeFile(join(w.dir, 'status-bundle.json'), await readFile(join(w.dir, 'behind-auth/auth.json'), 'utf8'));
    const st = await runCli(['status', '--evidence', 'status-bundle.json', '--job-token', '--json'], {
      cwd: w.dir,
      env: jobEnv(),
    });
    refused(st, 'hotfix status');
    noRequests();
  });

  it('refuses hotfix policy check --live before any request, and runs the offline check with the same token', async () => {
    await writeFile(join(w.dir, 'job-policy.json'), '{}');
    w.sim.controls.clearLog();
    const base = ['policy', 'check', 'status-bundle.json', '--policy', 'job-policy.json', '--job-token', '--json'];
    const live = await runCli([...base, '--live'], { cwd: w.dir, env: jobEnv() });
    refused(live, 'hotfix policy check --live');
    noRequests();
    // Without --live nothing is read from GitLab, so the token's kind does not matter (the policy decides).
    const offline = await runCli(base, { cwd: w.dir, env: jobEnv() });
    expect(JSON.parse(offline.stdout)).not.toMatchObject({ code: 'token-insufficient' });
    noRequests();
  });

  it('hotfix doctor reports a job token as a failing token-kind finding, without a request', async () => {
    w.sim.controls.clearLog();
    const r = await runCli(['doctor', '--job-token', '--json'], { cwd: w.dir, env: jobEnv() });
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as { ok: boolean; findings: { id: string; status: string; message: string }[] };
    expect(doc.ok).toBe(false);
    expect(doc.findings).toEqual([
      expect.objectContaining({
        id: 'token-kind',
        status: 'fail',
        runbookRef: 'P3',
        message: expect.stringMatching(
          /cannot, on GitLab.s job-token allowlist: read the current user.*read the merge request/,
        ),
        fix: expect.stringMatching(/GITLAB_TOKEN/),
      }),
    ]);
    noRequests();
    const table = await runCli(['doctor', '--job-token'], { cwd: w.dir, env: jobEnv() });
    expect(table.code).toBe(1);
    expect(table.stdout).toMatch(/✗ token-kind\s+fail\s+P3\s+A CI\/CD job token/);
    expect(table.stdout).toMatch(/fix: Use a personal, project or group access token/);
    noRequests();
  });
});
