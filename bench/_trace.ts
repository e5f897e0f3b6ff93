import { startGitLabSim } from '@hotfix-release/gitlab-sim';
import { createGitLabClient, resolveConflict } from '@hotfix-release/sdk';
import { generateWorld, startCountingProxy, TARGET, targetText } from '/work/wt-bench/bench/cherry-pick-world.ts';
import { linkProfile } from '/work/wt-bench/bench/link.ts';
const sim = await startGitLabSim({ scenario: 'empty' });
const proxy = await startCountingProxy(sim.url, linkProfile(process.argv[2] ?? 'wan'));
const world = await generateWorld(sim, 2000);
const client = createGitLabClient({ gitlabUrl: proxy.url, token: sim.token })._unsafeUnwrap();
proxy.reset();
const t0 = performance.now();
const r = await resolveConflict(client, { project: world.project, commit: world.pick, releaseHead: world.releaseHead, gitToken: sim.token,
  committer: { name: 'B', email: 'b@e.com', date: '2026-11-30T00:00:00Z' }, resolver: (c) => (c.path === TARGET ? targetText('resolved') : null) });
console.log(r.isOk() ? r.value.kind : r.error, Math.round(performance.now() - t0), proxy.counters);
for (const l of proxy.log.sort((a, b) => a.start - b.start)) console.log(l.depth, Math.round(l.start), Math.round(l.end), l.method, l.path.replace(/\/api\/v4\/projects\/[^/]+/, ''));
await proxy.close(); await sim.close();
