/**
 * The plan an operator approves is the plan that runs: `hotfix promote --dry-run` prints the
 * S4 request, and the promotion that follows sends exactly that request (the simulator's
 * request log is the witness), with the guided choices as pipeline inputs and as variables.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { demoScenarioInfo as demo, demoCiFiles } from '@hotfix-release/gitlab-sim';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { type CliWorld, startCliWorld } from './support/world.js';

const mrRef = (m: { project: string; iid: number }) => `${m.project}!${m.iid}`;
const MR = demo.mergeRequests.cleanPick;
let w: CliWorld | undefined;

afterEach(async () => {
  await w?.close();
  w = undefined;
});

/** The orchestrator on branch `variables` reads the guided choices as CI variables (before 17.10). */
async function useVariables(world: CliWorld): Promise<void> {
  const enc = encodeURIComponent(demo.orchestrator);
  const res = await fetch(`${world.sim.apiUrl}/projects/${enc}/repository/commits`, {
    method: 'POST',
    headers: { 'private-token': world.sim.token, 'content-type': 'application/json' },
    body: JSON.stringify({
      branch: 'variables',
      start_branch: 'main',
      commit_message: 'ci: guided choices as variables\n',
      actions: [{ action: 'update', file_path: '.gitlab-ci.yml', content: demoCiFiles().orchestratorVariables }],
    }),
  });
  expect(res.status).toBe(201);
  const path = join(world.dir, 'hotfix.config.json');
  const config = JSON.parse(await readFile(path, 'utf8')) as { runbook: Record<string, unknown> };
  config.runbook.orchestration = { inputsVia: 'variables', ref: 'variables' };
  await writeFile(path, JSON.stringify(config, null, 2));
}

interface PlannedRequest {
  readonly method: string;
  readonly route: string;
  readonly project: string;
  readonly body: unknown;
}

async function planThenPromote(
  world: CliWorld,
): Promise<{ planned: PlannedRequest; sent: unknown[]; paths: string[] }> {
  const cli = (args: string[]) => runCli(args, { cwd: world.dir, env: world.env });
  const dry = await cli(['promote', '--mr', mrRef(MR), '--dry-run', '--json']);
  expect(dry.code).toBe(0);
  const planned = (JSON.parse(dry.stdout) as { targets: { pipeline: PlannedRequest }[] }).targets[0]?.pipeline;
  expect(planned).toBeDefined();
  expect(world.sim.controls.find('POST', '/projects/:id/pipeline')).toEqual([]);
  const run = await cli(['promote', '--mr', mrRef(MR), '--json']);
  expect(run.code).toBe(0);
  const posts = world.sim.controls.find('POST', '/projects/:id/pipeline');
  return { planned: planned as PlannedRequest, sent: posts.map((p) => p.body), paths: posts.map((p) => p.path) };
}

describe('hotfix promote --dry-run prints the request the promotion then sends', () => {
  it('sends exactly the planned request with pipeline inputs', async () => {
    w = await startCliWorld();
    const { planned, sent, paths } = await planThenPromote(w);
    expect(planned).toMatchObject({ method: 'POST', route: '/projects/:id/pipeline', project: demo.orchestrator });
    expect(planned.body).toEqual({
      ref: 'main',
      inputs: { action: 'deploy-release-branch-to-staging', project: MR.project, confirm: true },
    });
    expect(sent).toEqual([planned.body]);
    expect(paths.map(decodeURIComponent)).toEqual([expect.stringContaining(`/projects/${planned.project}/pipeline`)]);
  }, 180_000);

  it('sends exactly the planned request with CI variables', async () => {
    w = await startCliWorld();
    await useVariables(w);
    const { planned, sent, paths } = await planThenPromote(w);
    expect(planned.body).toEqual({
      ref: 'variables',
      variables: [
        { key: 'action', value: 'deploy-release-branch-to-staging' },
        { key: 'project', value: MR.project },
        { key: 'confirm', value: 'true' },
      ],
    });
    expect(sent).toEqual([planned.body]);
    expect(paths.map(decodeURIComponent)).toEqual([expect.stringContaining(`/projects/${planned.project}/pipeline`)]);
  }, 180_000);
});
