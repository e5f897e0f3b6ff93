/**
 * A wait that passes its maximum ends with exit 4 and the resume command; resuming with a longer
 * wait finishes the same promotion without repeating the pick or the pipeline.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { demoScenarioInfo as demo } from '@hotfix-release/gitlab-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allOutput, runCli } from './support/cli.js';
import { type CliWorld, SENTINEL_TOKEN, startCliWorld } from './support/world.js';

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
