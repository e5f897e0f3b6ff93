/**
 * A simulator on real time (its CI scaled so a deployment takes a few seconds) with a sentinel
 * token, and a working directory holding a hotfix.config.json for it.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoScenarioInfo, type GitLabSim, startGitLabSim } from '@hotfix-release/gitlab-sim';
import { simModeOptions } from '../../../../test-support/sim-mode.js';

/** A token that must never appear in any output. */
export const SENTINEL_TOKEN = 'glpat-SENTINEL-e2e-9f8e7d6c5b4a';

/** The simulator, the working directory and the environment to run the CLI with. */
export interface CliWorld {
  readonly sim: GitLabSim;
  readonly dir: string;
  readonly env: Record<string, string>;
  /** GitLab REST as the admin. */
  api(method: string, path: string): Promise<unknown>;
  close(): Promise<void>;
}

/** Starts the demo scenario and writes the config every service of it needs. */
export async function startCliWorld(): Promise<CliWorld> {
  const sim = await startGitLabSim({ scenario: 'demo', token: SENTINEL_TOKEN, ...simModeOptions });
  await fetch(`${sim.url}/-/sim/ci/settings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ realTimeScale: 0.015 }),
  });
  const dir = await mkdtemp(join(tmpdir(), 'hotfix-cli-e2e-'));
  const services = demoScenarioInfo.services.map((project) => {
    const health = `${sim.url}/-/sim/services/${project}/staging/health`;
    return {
      project,
      health: { url: health },
      smokeChecks: [{ name: 'staging reports the hotfix', url: health, jsonPath: 'version', equals: '{sha}' }],
    };
  });
  await writeFile(
    join(dir, 'hotfix.config.json'),
    JSON.stringify(
      {
        gitlab: { url: sim.url },
        wait: { maxWaitMs: 60_000, minDelayMs: 200, maxDelayMs: 800 },
        runbook: { services },
      },
      null,
      2,
    ),
  );
  return {
    sim,
    dir,
    // The host comes from the environment: a project's hotfix.config.json never chooses where the token goes (issue 22).
    env: { GITLAB_URL: sim.url, GITLAB_TOKEN: SENTINEL_TOKEN, NO_COLOR: '1' },
    async api(method, path) {
      const res = await fetch(`${sim.apiUrl}${path}`, { method, headers: { 'private-token': sim.token } });
      return res.json();
    },
    async close() {
      await sim.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
