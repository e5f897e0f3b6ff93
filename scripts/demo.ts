/**
 * `pnpm demo`: the main job on the embedded default. Starts the bundled GitLab
 * simulator with the demo scenario and runs what the toolkit can do against it.
 */
import { scenarioNames, startGitLabSim } from '@hotfix-release/gitlab-sim';

const scenario = scenarioNames().includes('demo') ? 'demo' : 'empty';
const sim = await startGitLabSim({ scenario });
try {
  console.log(`GitLab simulator at ${sim.url} (scenario "${scenario}")`);
  const res = await fetch(`${sim.apiUrl}/user`, { headers: { 'PRIVATE-TOKEN': sim.token } });
  if (!res.ok) throw new Error(`GET /user answered ${res.status}`);
  const user = (await res.json()) as { username: string };
  console.log(`authenticated as ${user.username}; projects: ${sim.projects.join(', ') || '(none yet)'}`);
} finally {
  await sim.close();
}
