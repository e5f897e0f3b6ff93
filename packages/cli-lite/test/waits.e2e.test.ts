/**
 * A wait that passes its maximum ends with exit 4 and the resume command; resuming with a longer
 * wait finishes the same promotion without repeating the pick or the pipeline. A deployment behind
 * an approval gate ends with exit 5 and what the operator must do.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { demoScenarioInfo as demo } from '@hotfix-release/gitlab-sim';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { itWithRealisticFailures } from '../../../test-support/sim-mode.js';
import { allOutput, runCli } from './support/cli.js';
import { type CliWorld, SENTINEL_TOKEN, startCliWorld } from './support/world.js';

/** Runs in both simulator modes (HOTFIX_SIM_MODE); no test is expected to fail in realistic mode. */
const it = itWithRealisticFailures([]);

let w: CliWorld;
const MR = demo.mergeRequests.squashMerged;

beforeAll(async () => {
  w = await startCliWorld();
  const config = JSON.parse(await readFile(join(w.dir, 'hotfix.config.json'), 'utf8')) as { wait: object };
  config.wait = { maxWaitMs: 300, minDelayMs: 100, maxDelayMs: 200 };
  await writeFile(join(w.dir, 'impatient.json'), JSON.stringify(config));
});
afterAll(async () => {
  expect(allOutput.join('\n')).not.toContain(SENTINEL_TOKEN);
  await w?.close();
});

describe('hotfix promote with a wait that times out', () => {
  it('exits 4 with the resume command, and resume finishes without a second pick or pipeline', async () => {
    const journal = join(w.dir, 'slow.journal.json');
    const first = await runCli(
      ['promote', '--mr', `${MR.project}!${MR.iid}`, '--evidence', 'slow.json', '--config', 'impatient.json', '--json'],
      { cwd: w.dir, env: w.env },
    );
    expect(first.code).toBe(4);
    expect(JSON.parse(first.stdout)).toMatchObject({
      command: 'promote',
      ok: false,
      exitCode: 4,
      resume: `hotfix resume ${journal}`,
      targets: [{ target: MR.project, outcome: 'pending', reason: 'timeout' }],
    });
    const resumed = await runCli(['resume', journal], { cwd: w.dir, env: w.env });
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain(`✓ ${MR.project}: promoted`);
    const enc = encodeURIComponent;
    const pipelines = (await w.api('GET', `/projects/${enc(demo.orchestrator)}/pipelines`)) as unknown[];
    expect(pipelines).toHaveLength(1);
    const commits = (await w.api(
      'GET',
      `/projects/${enc(MR.project)}/repository/commits?ref_name=release&per_page=100`,
    )) as {
      message: string;
    }[];
    expect(commits.filter((c) => c.message.includes('cherry picked from commit'))).toHaveLength(1);
  });
});

describe('hotfix promote behind an approval gate', () => {
  it('exits 5 (awaiting a human) with the instruction and the resume command', async () => {
    const MRB = demo.mergeRequests.fastForward;
    const enc = encodeURIComponent(MRB.project);
    const headers = { 'private-token': w.sim.token, 'content-type': 'application/json' };
    const ci = await (
      await fetch(`${w.sim.apiUrl}/projects/${enc}/repository/files/.gitlab-ci.yml/raw?ref=release`, { headers })
    ).text();
    const gated = ci.replace(
      /(deploy-staging:[\s\S]*?SIM_DURATION_SECONDS: "30"\n)/,
      '$1    SIM_APPROVAL_REQUIRED: "true"\n',
    );
    expect(gated).not.toBe(ci);
    const commit = await fetch(`${w.sim.apiUrl}/projects/${enc}/repository/commits`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        branch: 'release',
        commit_message: 'ci: staging deployments need approval\n',
        actions: [{ action: 'update', file_path: '.gitlab-ci.yml', content: gated }],
      }),
    });
    expect(commit.status).toBe(201);
    const r = await runCli(['promote', '--mr', `${MRB.project}!${MRB.iid}`, '--evidence', 'gate.json'], {
      cwd: w.dir,
      env: w.env,
    });
    expect(r.code).toBe(5);
    expect(r.stdout).toContain(`✗ ${MRB.project}: pending (awaiting-human)`);
    expect(r.stdout).toMatch(
      /(Approve the deployment|Run the manual job) of job "deploy-staging" at http|job "deploy-staging"/,
    );
    expect(r.stdout).toContain(`Resume with: hotfix resume ${join(w.dir, 'gate.journal.json')}`);
  });
});
