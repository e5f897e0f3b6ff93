import { spawnSync } from 'node:child_process';
import { type GitLabSim, startGitLabSim } from '@hotfix-release/gitlab-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitLabClient, type GitLabClient } from '../gitlab-client.js';
import { rememberStableReads } from './run-reads.js';

const project = 'evenergi/charging-api';
const DIFF = '/projects/:id/repository/commits/:sha/diff';

describe('rememberStableReads (issue 27: one run reads what cannot change once)', () => {
  let sim: GitLabSim;
  let client: GitLabClient;
  let head: string;
  beforeAll(async () => {
    sim = await startGitLabSim({ scenario: 'demo' });
    client = createGitLabClient({ gitlabUrl: sim.url, token: sim.token })._unsafeUnwrap();
    const repo = sim.state.findProject(project)!.repoDir;
    head = spawnSync('git', ['rev-parse', 'refs/heads/release'], { cwd: repo }).stdout.toString().trim();
  });
  afterAll(() => sim.close());
  const count = (method: string, route: string, since: number) =>
    sim.controls.requests.slice(since).filter((r) => r.method === method && r.route === route).length;

  it('reads GET /user and a full-SHA diff once, even when asked concurrently, and answers the same', async () => {
    const since = sim.controls.requests.length;
    const run = rememberStableReads(client);
    const [a, b] = await Promise.all([run.currentUser(), run.currentUser()]);
    const c = await run.currentUser();
    expect(a._unsafeUnwrap()).toEqual(c._unsafeUnwrap());
    expect(b._unsafeUnwrap().username).toBe(a._unsafeUnwrap().username);
    const d1 = (await run.commitDiff(project, head))._unsafeUnwrap();
    const d2 = (await run.commitDiff(project, head))._unsafeUnwrap();
    expect(d2).toEqual(d1);
    expect([count('GET', '/user', since), count('GET', DIFF, since)]).toEqual([1, 1]);
    // Everything else is the client's own, read every time.
    await run.branch(project, 'release');
    await run.branch(project, 'release');
    expect(count('GET', '/projects/:id/repository/branches/:branch', since)).toBe(2);
  });

  it('never remembers a diff named by a branch, a failed read, or across runs', async () => {
    const since = sim.controls.requests.length;
    const run = rememberStableReads(client);
    await run.commitDiff(project, 'release');
    await run.commitDiff(project, 'release');
    expect(count('GET', DIFF, since)).toBe(2);
    const missing = '0'.repeat(40);
    expect((await run.commitDiff(project, missing)).isErr()).toBe(true);
    expect((await run.commitDiff(project, missing)).isErr()).toBe(true);
    expect(count('GET', DIFF, since)).toBe(4);
    await rememberStableReads(client).commitDiff(project, head);
    await rememberStableReads(client).commitDiff(project, head);
    expect(count('GET', DIFF, since)).toBe(6);
  });
});
