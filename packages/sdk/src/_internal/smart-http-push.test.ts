import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { demoScenarioInfo as demo, type GitLabSim, startGitLabSim } from '@hotfix-release/gitlab-sim';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { gitUsernameFor } from '../token-kinds.js';
import { encodeCommit, type GitObject, objectId } from './git-objects.js';
import { smartHttpPush } from './smart-http-push.js';

const project = 'evenergi/charging-api';
const sig = { name: 'Push Test', email: 'push@example.com', timestamp: 1_700_000_000, timezoneOffset: 0 };

function git(cwd: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = spawn('git', args, { cwd });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    c.stdout.on('data', (d: Buffer) => out.push(d));
    c.stderr.on('data', (d: Buffer) => err.push(d));
    c.on('close', (code) =>
      code === 0
        ? resolve(Buffer.concat(out).toString('utf8').trim())
        : reject(new Error(Buffer.concat(err).toString())),
    );
  });
}

describe('smartHttpPush', () => {
  let sim: GitLabSim;
  let repo: string;
  let start: string;
  beforeAll(async () => {
    sim = await startGitLabSim({ scenario: 'demo' });
    repo = sim.state.findProject(project)!.repoDir;
    start = await git(repo, ['rev-parse', 'refs/heads/release']);
  });
  beforeEach(() => git(repo, ['update-ref', 'refs/heads/release', start]));
  afterAll(() => sim.close());

  /** A commit on top of `parent` with its tree, as the only new object. */
  const child = async (parent: string, message: string): Promise<GitObject> => {
    const tree = await git(repo, ['rev-parse', `${parent}^{tree}`]);
    const data = encodeCommit({ tree, parents: [parent], author: sig, committer: sig, message });
    return { oid: objectId('commit', data), type: 'commit', data };
  };
  const push = (token: string, oldOid: string, commit: GitObject, precheck = true) =>
    smartHttpPush({
      url: `${sim.url}/${project}.git`,
      username: 'oauth2',
      token,
      ref: 'refs/heads/release',
      oldOid,
      newOid: commit.oid,
      objects: [commit],
      precheck,
    });

  it('moves release by a fast-forward, sending exactly the objects given', async () => {
    const c = await child(start, 'One commit\n');
    const r = (await push(sim.token, start, c))._unsafeUnwrap();
    expect(r.objectsSent).toBe(1);
    expect(r.bytesSent).toBeLessThan(600);
    expect(await git(repo, ['rev-parse', 'refs/heads/release'])).toBe(c.oid);
    expect(await git(repo, ['cat-file', '-p', c.oid])).toContain('One commit');
  });

  it("returns push-rejected from the server's own compare-and-swap when release moved", async () => {
    const moved = await git(repo, [
      '-c',
      'user.name=Other',
      '-c',
      'user.email=o@example.com',
      'commit-tree',
      `${start}^{tree}`,
      '-p',
      start,
      '-m',
      'Concurrent',
    ]);
    await git(repo, ['update-ref', 'refs/heads/release', moved]);
    const c = await child(start, 'Planned against the old head\n');
    const r = await push(sim.token, start, c, false);
    expect(r._unsafeUnwrapErr()).toMatchObject({ code: 'push-rejected', details: { expectedOld: start } });
    expect(await git(repo, ['rev-parse', 'refs/heads/release'])).toBe(moved);
    const early = await push(sim.token, start, c);
    expect(early._unsafeUnwrapErr().message).toContain('nothing was sent');
  });

  it("returns push-rejected with the hook's message for a developer on protected release", async () => {
    const c = await child(start, 'Not allowed\n');
    const r = await push(demo.users.developer.token, start, c);
    const e = r._unsafeUnwrapErr();
    expect(e.code).toBe('push-rejected');
    expect(e.code === 'push-rejected' && e.details.reason).toContain('not allowed to push code to protected branches');
    expect(await git(repo, ['rev-parse', 'refs/heads/release'])).toBe(start);
  });

  it('returns git for bad credentials and refuses to delete a ref', async () => {
    const c = await child(start, 'x\n');
    expect((await push('wrong', start, c))._unsafeUnwrapErr()).toMatchObject({ code: 'git' });
    const del = await smartHttpPush({
      url: `${sim.url}/${project}.git`,
      username: 'u',
      token: sim.token,
      ref: 'refs/heads/release',
      oldOid: start,
      newOid: '0'.repeat(40),
      objects: [],
    });
    expect(del._unsafeUnwrapErr()).toMatchObject({ code: 'git' });
  });

  it('returns git and follows no redirect: the credentials never reach the redirect target', async () => {
    // A real HTTP server in front of the simulator that answers every request with 307 to the simulator.
    const seen: string[] = [];
    const proxy = createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      res.writeHead(307, { location: `${sim.url}/${project}.git${req.url?.replace(/^\/[^?]*?\.git/, '') ?? ''}` });
      res.end();
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
    const port = (proxy.address() as AddressInfo).port;
    const logged = sim.controls.requests.length;
    try {
      const c = await child(start, 'Redirected\n');
      const r = await smartHttpPush({
        url: `http://127.0.0.1:${port}/${project}.git`,
        username: 'oauth2',
        token: sim.token,
        ref: 'refs/heads/release',
        oldOid: start,
        newOid: c.oid,
        objects: [c],
      });
      expect(r._unsafeUnwrapErr()).toMatchObject({ code: 'git', details: { operation: 'push' } });
      expect(r._unsafeUnwrapErr().message).toMatch(/HTTP 307 .*redirects are not followed/);
      expect(seen).toHaveLength(1);
      expect(sim.controls.requests.slice(logged)).toEqual([]);
      expect(await git(repo, ['rev-parse', 'refs/heads/release'])).toBe(start);
    } finally {
      await new Promise<void>((r) => proxy.close(() => r()));
    }
  });

  it('returns git when an answer exceeds the size cap, and moves nothing', async () => {
    const c = await child(start, 'Capped\n');
    const r = await smartHttpPush({
      url: `${sim.url}/${project}.git`,
      username: 'oauth2',
      token: sim.token,
      ref: 'refs/heads/release',
      oldOid: start,
      newOid: c.oid,
      objects: [c],
      maxResponseBytes: 16,
    });
    expect(r._unsafeUnwrapErr().message).toMatch(/ref advertisement exceeds 16 bytes/);
    expect(await git(repo, ['rev-parse', 'refs/heads/release'])).toBe(start);
  });

  it('pushes with a job token only as gitlab-ci-token, the user name gitUsernameFor gives a job token', async () => {
    const jobToken = 'job-token-SENTINEL-push-1a2b3c';
    const admin = sim.state.userForToken(sim.token)!.user;
    sim.state.tokens.push({ value: jobToken, userId: admin.id, kind: 'job' });
    const c = await child(start, 'Pushed with a job token\n');
    const as = (username: string) =>
      smartHttpPush({
        url: `${sim.url}/${project}.git`,
        username,
        token: jobToken,
        ref: 'refs/heads/release',
        oldOid: start,
        newOid: c.oid,
        objects: [c],
      });
    expect(gitUsernameFor('private')).toBe('oauth2');
    expect(gitUsernameFor('oauth')).toBe('oauth2');
    const refused = (await as(gitUsernameFor('private')))._unsafeUnwrapErr();
    expect(refused).toMatchObject({ code: 'git', details: { reason: 'HTTP 401 on the ref advertisement' } });
    expect(await git(repo, ['rev-parse', 'refs/heads/release'])).toBe(start);
    (await as(gitUsernameFor('job')))._unsafeUnwrap();
    expect(await git(repo, ['rev-parse', 'refs/heads/release'])).toBe(c.oid);
  });

  describe('when a connection drops (the simulator cuts it): never resent blindly, the ref read back first', () => {
    beforeEach(() => sim.controls.clearFaults());
    afterAll(() => sim.controls.clearFaults());
    /** The git requests of one push, as the simulator logged them: method, what, whether git ran. */
    const since = (n: number) =>
      sim.controls.requests
        .slice(n)
        .filter((r) => r.route === 'git')
        .map(
          (r) =>
            `${r.method} ${r.path.endsWith('/info/refs') ? 'info/refs' : 'receive-pack'} ${r.handled ? 'handled' : 'dropped'}`,
        );
    const fault = (kind: 'drop-before' | 'drop-after', method: 'GET' | 'POST', times = 1) =>
      sim.fault({ kind, method, route: 'git', times });
    /** Pushes a new commit on release through the given fault: the result, where release is, the git requests. */
    const pushThrough = async (
      message: string,
      kind: 'drop-before' | 'drop-after',
      method: 'GET' | 'POST',
      times = 1,
    ) => {
      const c = await child(start, message);
      const n = sim.controls.requests.length;
      fault(kind, method, times);
      const r = await push(sim.token, start, c);
      return { c, r, release: await git(repo, ['rev-parse', 'refs/heads/release']), requests: since(n) };
    };

    it('asks for a dropped advertisement once more (a read) and pushes once', async () => {
      const { c, r, release, requests } = await pushThrough('Advertisement dropped\n', 'drop-before', 'GET');
      r._unsafeUnwrap();
      expect(release).toBe(c.oid);
      expect(requests).toEqual(['GET info/refs dropped', 'GET info/refs handled', 'POST receive-pack handled']);
    });

    it('a push that landed but whose answer was lost is read back as landed, and not sent again', async () => {
      const { c, r, release, requests } = await pushThrough('Answer lost\n', 'drop-after', 'POST');
      expect(r._unsafeUnwrap().messages.join(' ')).toMatch(
        /no answer to receive-pack .*shows refs\/heads\/release at .*: the push landed/,
      );
      expect(release).toBe(c.oid);
      expect(requests).toEqual(['GET info/refs handled', 'POST receive-pack handled', 'GET info/refs handled']);
    });

    it('a push that never reached git is sent once more after the read-back shows release unmoved', async () => {
      const { c, r, release, requests } = await pushThrough('Dropped before git\n', 'drop-before', 'POST');
      r._unsafeUnwrap();
      expect(release).toBe(c.oid);
      expect(requests).toEqual([
        'GET info/refs handled',
        'POST receive-pack dropped',
        'GET info/refs handled',
        'POST receive-pack handled',
      ]);
    });

    it('stops after a second lost send, saying nothing landed', async () => {
      const { r, release, requests } = await pushThrough('Dropped twice\n', 'drop-before', 'POST', 2);
      const twice = r._unsafeUnwrapErr();
      expect(twice).toMatchObject({ code: 'git', runbookRef: 'D3' });
      expect(twice.message).toMatch(
        /no answer to receive-pack .* twice; refs\/heads\/release is still at .*: nothing landed/,
      );
      expect(release).toBe(start);
      expect(requests.filter((x) => x.startsWith('POST'))).toEqual([
        'POST receive-pack dropped',
        'POST receive-pack dropped',
      ]);
    });

    it('refuses, without sending again, when someone else moved release while the answer was lost', async () => {
      // Another pusher's commit, already in the repository; it becomes release while our first send is lost.
      const tree = await git(repo, ['rev-parse', `${start}^{tree}`]);
      const other = await git(repo, ['commit-tree', tree, '-p', start, '-m', 'Someone else']);
      const c = await child(start, 'Mine\n');
      const n = sim.controls.requests.length;
      fault('drop-before', 'POST');
      let posts = 0;
      const r = await smartHttpPush({
        url: `${sim.url}/${project}.git`,
        username: 'oauth2',
        token: sim.token,
        ref: 'refs/heads/release',
        oldOid: start,
        newOid: c.oid,
        objects: [c],
        // Real HTTP throughout; the other push lands just before our first send reaches the (dropping) server.
        fetch: async (input, init) => {
          if (init?.method === 'POST' && posts++ === 0) await git(repo, ['update-ref', 'refs/heads/release', other]);
          return fetch(input, init);
        },
      });
      const refused = r._unsafeUnwrapErr();
      expect(refused).toMatchObject({ code: 'push-rejected', runbookRef: 'D3' });
      expect(refused.message).toContain(other);
      expect(await git(repo, ['rev-parse', 'refs/heads/release'])).toBe(other);
      expect(since(n)).toEqual(['GET info/refs handled', 'POST receive-pack dropped', 'GET info/refs handled']);
    });
  });
});
