/**
 * `hotfix doctor` against the simulator in the run's mode (HOTFIX_SIM_MODE): the table with a fix
 * per finding, exit 1 while a finding fails and 0 once a deploy ran, `--json`, exit 3 without a
 * token, and not one write to GitLab.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { demoScenarioInfo as demo } from '@hotfix-release/gitlab-sim';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { itWithRealisticFailures } from '../../../test-support/sim-mode.js';
import { allOutput, runCli } from './support/cli.js';
import { type CliWorld, SENTINEL_TOKEN, startCliWorld } from './support/world.js';

/** Runs in both simulator modes; no test is expected to fail in realistic mode. */
const it = itWithRealisticFailures([]);

const TARGET = demo.services[0];
let w: CliWorld;
const cli = (args: string[], env: Record<string, string> = w.env) => runCli(args, { cwd: w.dir, env });
const writes = () =>
  w.sim.controls.requests
    .filter((q) => q.route !== 'control' && q.route !== 'git' && q.method !== 'GET')
    .map((q) => `${q.method} ${q.path}`);

/** Runs the orchestrator once for TARGET (as an operator would by hand) and waits for staging to report it. */
async function deployOnce(): Promise<void> {
  const res = await fetch(`${w.sim.apiUrl}/projects/${encodeURIComponent(demo.orchestrator)}/pipeline`, {
    method: 'POST',
    headers: { 'private-token': w.sim.token, 'content-type': 'application/json' },
    body: JSON.stringify({
      ref: 'main',
      inputs: { action: 'deploy-release-branch-to-staging', project: TARGET, confirm: true },
    }),
  });
  expect(res.status).toBe(201);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const h = await fetch(`${w.sim.url}/-/sim/services/${TARGET}/staging/health`);
    if (h.status === 200) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('the deploy did not finish within a minute');
}

beforeAll(async () => {
  w = await startCliWorld();
});
afterAll(async () => {
  expect(allOutput.join('\n')).not.toContain(SENTINEL_TOKEN);
  await w?.close();
});

describe('hotfix doctor', () => {
  it('prints the table with a fix per failing finding and exits 1 before any deploy, changing nothing', async () => {
    w.sim.controls.clearLog();
    const r = await cli(['doctor', '--target', TARGET]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FINDING\s+STATUS\s+REF\s+WHAT \/ FIX/);
    expect(r.stdout).toMatch(/✓ gitlab-version\s+ok/);
    expect(r.stdout).toMatch(new RegExp(`✗ service-environment ${TARGET}\\s+fail`));
    expect(r.stdout).toContain('fix: ');
    expect(r.stdout).toContain('nothing was changed');
    expect(writes()).toEqual([]);
  });

  it('exits 0 with every finding ok once a deploy ran; --json carries the report', async () => {
    await deployOnce();
    w.sim.controls.clearLog();
    const [table, json] = await Promise.all([
      cli(['doctor', '--target', TARGET]),
      cli(['doctor', '--target', TARGET, '--json']),
    ]);
    expect(table.stderr).toBe('');
    expect(table.code).toBe(0);
    expect(table.stdout).not.toMatch(/✗|!/);
    expect(table.stdout).toMatch(/✓ observed-deploy/);
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout) as {
      command: string;
      ok: boolean;
      gitlab: { version: string };
      findings: { id: string; status: string; fix: string; runbookRef: string }[];
    };
    expect(doc).toMatchObject({ command: 'doctor', ok: true, exitCode: 0, gitlab: { version: '18.6.0' } });
    expect(doc.findings.map((f) => f.id)).toEqual(
      expect.arrayContaining(['token-scopes', 'inputs-transport', 'orchestration-ref', 'release-push', 'deploy-jobs']),
    );
    expect(writes()).toEqual([]);
  });

  it('fails release-push for a developer (release takes only maintainers) in pick mode push and names the fix', async () => {
    const config = JSON.parse(await readFile(join(w.dir, 'hotfix.config.json'), 'utf8')) as {
      runbook: { services: { pickMode?: string }[] };
    };
    for (const s of config.runbook.services) s.pickMode = 'push';
    await writeFile(join(w.dir, 'push-mode.json'), JSON.stringify(config));
    const env = { ...w.env, GITLAB_TOKEN: demo.users.developer.token };
    const r = await cli(['doctor', '--target', TARGET, '--no-health', '--config', 'push-mode.json'], env);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`✗ release-push ${TARGET}\\s+fail`));
    expect(r.stdout).toMatch(/fix: Ask a maintainer/);
    // Pick mode auto (the default): the pick goes through a merge request, a warning (issue 19).
    const auto = await cli(['doctor', '--target', TARGET, '--no-health'], env);
    expect(auto.stdout).toMatch(new RegExp(`release-push ${TARGET}\\s+warn`));
    expect(auto.stdout).toContain('accepts merge requests');
  });

  it('exits 3 without a token and 64 for an unknown flag', async () => {
    const { GITLAB_TOKEN: _, ...noToken } = w.env;
    const [missing, usage] = await Promise.all([cli(['doctor'], noToken), cli(['doctor', '--frobnicate'])]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('GITLAB_TOKEN');
    expect(usage.code).toBe(64);
  });
});
