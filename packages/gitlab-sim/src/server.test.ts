import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject } from './_internal/repo.js';
import { type GitLabSim, startGitLabSim } from './server.js';

function gitAsync(args: string[], cwd: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn('git', args, {
      cwd,
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1' },
    });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    child.on('close', (code) => resolve({ code: code ?? 1, out }));
  });
}

describe('startGitLabSim', () => {
  let sim: GitLabSim;
  let work: string;
  beforeAll(async () => {
    sim = await startGitLabSim({ token: 'glpat-sentinel-server-test' });
    await createProject(sim.state, sim.root, { path: 'acme/service', creatorId: 1, defaultBranch: 'main' });
    work = await mkdtemp(join(tmpdir(), 'sim-test-'));
  });
  afterAll(async () => {
    await sim.close();
    await rm(work, { recursive: true, force: true });
  });

  it('answers GET /user for a valid token, with rate-limit headers', async () => {
    const res = await fetch(`${sim.apiUrl}/user`, { headers: { 'PRIVATE-TOKEN': sim.token } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { username: string }).username).toBe('root');
    expect(res.headers.get('ratelimit-limit')).toBe('2000');
    const bearer = await fetch(`${sim.apiUrl}/user`, { headers: { authorization: `Bearer ${sim.token}` } });
    expect(bearer.status).toBe(200);
  });

  it('answers 401 for a bad token and 404 for an unencoded project path, as GitLab does', async () => {
    const bad = await fetch(`${sim.apiUrl}/user`, { headers: { 'PRIVATE-TOKEN': 'nope' } });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toEqual({ message: '401 Unauthorized' });
    const unencoded = await fetch(`${sim.apiUrl}/projects/acme/service`, { headers: { 'PRIVATE-TOKEN': sim.token } });
    expect(unencoded.status).toBe(404);
    expect(await unencoded.json()).toEqual({ error: '404 Not Found' });
    const encoded = await fetch(`${sim.apiUrl}/projects/acme%2Fservice`, { headers: { 'PRIVATE-TOKEN': sim.token } });
    expect(((await encoded.json()) as { path_with_namespace: string }).path_with_namespace).toBe('acme/service');
    const anonymous = await fetch(`${sim.apiUrl}/projects/acme%2Fservice`);
    expect(anonymous.status).toBe(404);
    expect(await anonymous.json()).toEqual({ message: '404 Project Not Found' });
  });

  it('serves git smart HTTP with auth, and refuses force pushes to a protected branch', async () => {
    const url = new URL(`${sim.url}/acme/service.git`);
    url.username = 'oauth2';
    url.password = sim.token;
    const denied = await gitAsync(['ls-remote', `${sim.url}/acme/service.git`], work);
    expect(denied.code).not.toBe(0);
    const repo = join(work, 'clone');
    expect((await gitAsync(['clone', '--quiet', url.toString(), repo], work)).code).toBe(0);
    await writeFile(join(repo, 'a.txt'), 'one\n');
    await gitAsync(['-c', 'user.name=t', '-c', 'user.email=t@t', 'add', '.'], repo);
    await gitAsync(['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'one'], repo);
    expect((await gitAsync(['push', '-q', 'origin', 'HEAD:main'], repo)).code).toBe(0);
    await gitAsync(['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '--amend', '-m', 'rewritten'], repo);
    const force = await gitAsync(['push', '-q', '--force', 'origin', 'HEAD:main'], repo);
    expect(force.code).not.toBe(0);
    expect(force.out).toContain('not allowed to force push code to a protected branch');
    expect(sim.controls.requests.some((r) => r.route === 'git' && r.status === 200)).toBe(true);
  });

  it('serves a blobless partial clone (uploadpack.allowFilter) and fetches missing blobs on demand', async () => {
    const url = new URL(`${sim.url}/acme/service.git`);
    url.username = 'oauth2';
    url.password = sim.token;
    const repo = join(work, 'partial');
    const clone = await gitAsync(
      ['clone', '--quiet', '--filter=blob:none', '--no-checkout', url.toString(), repo],
      work,
    );
    expect(clone.out).not.toContain('filtering not recognized by server');
    expect(clone.code).toBe(0);
    expect((await gitAsync(['config', 'remote.origin.promisor'], repo)).out.trim()).toBe('true');
    // The blob of a.txt is missing locally until something needs it.
    const missing = await gitAsync(['rev-list', '--objects', '--missing=print', 'HEAD'], repo);
    expect(missing.out).toMatch(/^\?[0-9a-f]{40}$/m);
    const show = await gitAsync(['show', 'HEAD:a.txt'], repo);
    expect(show).toMatchObject({ code: 0, out: expect.stringContaining('one') });
  });

  it('injects a 429 with Retry-After once, then serves normally, and logs both', async () => {
    sim.fault({ method: 'GET', route: '/user', kind: 'status', status: 429, retryAfterSeconds: 7 });
    const limited = await fetch(`${sim.apiUrl}/user`, { headers: { 'PRIVATE-TOKEN': sim.token } });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(await limited.text()).toBe('Retry later\n');
    const ok = await fetch(`${sim.apiUrl}/user`, { headers: { 'PRIVATE-TOKEN': sim.token } });
    expect(ok.status).toBe(200);
    const log = sim.controls.find('GET', '/user').slice(-2);
    expect(log.map((r) => [r.status, r.fault, r.handled])).toEqual([
      [429, 'status', false],
      [200, undefined, true],
    ]);
    expect(JSON.stringify(sim.controls.requests)).not.toContain(sim.token);
  });
});

describe('delay-after fault', () => {
  it('runs the handler, then holds the answer', async () => {
    const sim = await startGitLabSim();
    try {
      sim.fault({ method: 'GET', route: '/user', kind: 'delay-after', delayMs: 300 });
      const started = Date.now();
      const pending = fetch(`${sim.apiUrl}/user`, { headers: { 'PRIVATE-TOKEN': sim.token } });
      await new Promise((r) => setTimeout(r, 100));
      expect(sim.controls.find('GET', '/user').map((r) => r.handled)).toEqual([true]);
      expect((await pending).status).toBe(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    } finally {
      await sim.close();
    }
  });
});
