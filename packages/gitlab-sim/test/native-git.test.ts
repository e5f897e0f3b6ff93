import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runGit } from '../src/_internal/git.js';
import { demoScenarioInfo as demo } from '../src/scenarios/demo.js';
import type { GitLabSim } from '../src/server.js';
import { enc, startDemo, type TestApi, testApi } from './helpers.js';

/** Native git over smart HTTP against the demo (async only: the server shares this process). */
describe('native git over smart HTTP', () => {
  let sim: GitLabSim;
  let api: TestApi;
  let work: string;
  const project = demo.mergeRequests.cleanPick.project;
  const remote = (token: string) => {
    const u = new URL(`${sim.url}/${project}.git`);
    u.username = 'oauth2';
    u.password = token;
    return u.toString();
  };
  const git = async (args: string[], cwd = work) => {
    const r = await runGit(args, { cwd });
    return { code: r.code, out: `${r.stdout.toString()}${r.stderr}` };
  };
  beforeAll(async () => {
    sim = await startDemo();
    api = testApi(sim);
    work = await mkdtemp(join(tmpdir(), 'sim-native-'));
  });
  afterAll(async () => {
    await sim.close();
    await rm(work, { recursive: true, force: true });
  });

  it('clones with a token and sees the same history as the REST API', async () => {
    expect((await git(['clone', '--quiet', remote(demo.users.developer.token), 'dev'])).code).toBe(0);
    const dir = join(work, 'dev');
    const release = await git(['rev-parse', 'origin/release'], dir);
    expect(release.out.trim()).toBe((await api.get(`/projects/${enc(project)}/repository/branches/release`)).commit.id);
    expect(await readFile(join(dir, '.gitlab-ci.yml'), 'utf8')).toContain('deploy-staging');
    const noAuth = await git(['ls-remote', `${sim.url}/${project}.git`]);
    expect(noAuth.code).not.toBe(0);
  });

  it('lets a developer push a new branch, but not to the protected release branch', async () => {
    const dir = join(work, 'dev');
    await writeFile(join(dir, 'note.txt'), 'from native git\n');
    await git(['add', 'note.txt'], dir);
    await git(['commit', '-qm', 'Native commit'], dir);
    expect((await git(['push', '-q', 'origin', 'HEAD:refs/heads/native'], dir)).code).toBe(0);
    const branch = await api.get(`/projects/${enc(project)}/repository/branches/native`);
    expect(branch.commit.title).toBe('Native commit');
    await git(['checkout', '-q', '--detach', 'origin/release'], dir);
    await git(['commit', '-q', '--allow-empty', '-m', 'Sneaky release change'], dir);
    const denied = await git(['push', '-q', 'origin', 'HEAD:release'], dir);
    expect(denied.code).not.toBe(0);
    expect(denied.out).toContain('You are not allowed to push code to protected branches on this project.');
  });

  it('lets a maintainer fast-forward release, and a REST cherry-pick is fetchable with its trailer', async () => {
    expect((await git(['clone', '--quiet', remote(demo.users.maintainer.token), 'bob'])).code).toBe(0);
    const dir = join(work, 'bob');
    await git(['checkout', '-q', 'release'], dir);
    await writeFile(join(dir, 'hotfix.txt'), 'hotfix\n');
    await git(['add', 'hotfix.txt'], dir);
    await git(['commit', '-qm', 'Direct hotfix'], dir);
    expect((await git(['push', '-q', 'origin', 'release'], dir)).code).toBe(0);
    const mr = await api.get(`/projects/${enc(project)}/merge_requests/${demo.mergeRequests.cleanPick.iid}`);
    const picked = await api.call(
      'POST',
      `/projects/${enc(project)}/repository/commits/${mr.merge_commit_sha}/cherry_pick`,
      {
        branch: 'release',
      },
    );
    expect(picked.status).toBe(201);
    expect((await git(['fetch', '-q', 'origin'], dir)).code).toBe(0);
    const log = await git(['log', '-1', '--format=%B', 'origin/release'], dir);
    expect(log.out).toContain(`(cherry picked from commit ${mr.merge_commit_sha})`);
    const reporter = await git(['push', '-q', remote(demo.users.reporter.token), 'HEAD:refs/heads/rita'], dir);
    expect(reporter.code).not.toBe(0);
  });
});
