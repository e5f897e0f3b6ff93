/**
 * Test support for the examples: the runbook configuration a simulator needs (its health
 * endpoint per service), and extra service projects for D4 (copies of a demo service with the
 * same history, so the same hotfix commit can be picked there too).
 */
import { spawnSync } from 'node:child_process';
import type { GitLabSim } from '@hotfix-release/gitlab-sim';
import type { RunbookConfigInput } from '@hotfix-release/sdk';

/** The simulator's health endpoint of a service in staging. */
export const healthUrl = (sim: GitLabSim, project: string) => `${sim.url}/-/sim/services/${project}/staging/health`;

/** Runbook configuration for these services on the simulator: health endpoint and one HTTP smoke check each. */
export function simConfig(sim: GitLabSim, services: readonly string[]): RunbookConfigInput {
  return {
    services: services.map((project) => ({
      project,
      health: { url: healthUrl(sim, project), versionPath: 'version' },
      smokeChecks: [{ name: 'staging reports the hotfix commit', url: healthUrl(sim, project), jsonPath: 'version' }],
    })),
  };
}

/** Fast polling for the simulator, whose CI runs at 1/20 of real durations. */
export const SIM_WAIT = { maxWaitMs: 120_000, minDelayMs: 200, maxDelayMs: 1_000 } as const;

async function api(sim: GitLabSim, method: string, path: string, body: unknown): Promise<number> {
  const res = await fetch(`${sim.apiUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json', 'private-token': sim.token },
    body: JSON.stringify(body),
  });
  await res.arrayBuffer();
  return res.status;
}

/** Creates `to` as a copy of the demo service `from`: same history, members, labels, protected release. */
export async function copyService(sim: GitLabSim, from: string, to: string): Promise<void> {
  const [namespace, path] = to.split('/') as [string, string];
  const created = await api(sim, 'POST', '/projects', { path, namespace_id: namespace, name: path });
  if (created !== 201) throw new Error(`creating ${to}: HTTP ${created}`);
  const src = sim.state.findProject(from);
  const dst = sim.state.findProject(to);
  if (!src || !dst) throw new Error(`no project ${src ? to : from}`);
  const push = spawnSync('git', ['push', '--quiet', '--mirror', dst.repoDir], { cwd: src.repoDir });
  if (push.status !== 0) throw new Error(`git push --mirror: ${push.stderr}`);
  for (const [id, level] of src.members) dst.members.set(id, level);
  for (const l of src.labels) dst.labels.push({ ...l });
  const protect = await api(sim, 'POST', `/projects/${encodeURIComponent(to)}/protected_branches`, {
    name: 'release',
    push_access_level: 40,
    merge_access_level: 40,
  });
  if (protect !== 201) throw new Error(`protecting ${to}:release: HTTP ${protect}`);
}
