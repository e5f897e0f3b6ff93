import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { conflictResolutionSchema } from '@hotfix-release/evidence';
import { demoScenarioInfo as demo, type GitLabSim, startGitLabSim } from '@hotfix-release/gitlab-sim';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGitLabClient, type GitLabClient } from '../gitlab-client.js';
import { parseRunbookConfig } from '../runbook-config.js';
import { cherryPickToRelease, type PickOutcome } from './cherry-pick-to-release.js';
import { continueConflictResolution, resolveConflict } from './resolve-conflict.js';

const { project } = demo.mergeRequests.conflictingPick;
const PATH = 'src/tariff.ts';
const committer = { name: 'Hotfix Bot', email: 'bot@example.com' };

/** Native git on the simulator's bare repository: the oracle (async: the server runs in this process). */
function git(cwd: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = spawn('git', args, { cwd });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    c.stdout.on('data', (d: Buffer) => out.push(d));
    c.stderr.on('data', (d: Buffer) => err.push(d));
    c.on('close', (code) =>
      code === 0 ? resolve(Buffer.concat(out).toString('utf8')) : reject(new Error(Buffer.concat(err).toString())),
    );
  });
}

/** The hotfix's intent on release: release's file with the hotfix's night discount. */
function resolve(ours: Uint8Array | undefined): string {
  return Buffer.from(ours ?? new Uint8Array())
    .toString('utf8')
    .replace('tariff line 5', 'const night = rates.night * 0.8;');
}

describe('resolveConflict', () => {
  let sim: GitLabSim;
  let client: GitLabClient;
  let repo: string;
  let conflict: Extract<PickOutcome, { kind: 'conflict' }>;
  // One seeded simulator; each test puts release back where the conflict was planned.
  beforeAll(async () => {
    sim = await startGitLabSim({ scenario: 'demo' });
    client = createGitLabClient({ gitlabUrl: sim.url, token: sim.token })._unsafeUnwrap();
    repo = sim.state.findProject(project)!.repoDir;
    const config = parseRunbookConfig({})._unsafeUnwrap();
    const pick = (
      await cherryPickToRelease(client, config, { mr: demo.mergeRequests.conflictingPick })
    )._unsafeUnwrap();
    if (pick.kind !== 'conflict') throw new Error(`expected a conflict, got ${pick.kind}`);
    conflict = pick;
  });
  beforeEach(() => git(repo, ['update-ref', 'refs/heads/release', conflict.releaseHead]));
  afterAll(() => sim.close());
  const head = async () => (await git(repo, ['rev-parse', 'refs/heads/release'])).trim();
  const base = () => ({ project, conflict, gitToken: sim.token, committer });

  it('resolves with a resolver and pushes only the new objects; native git sees the intended tree', async () => {
    const before = await head();
    const seen: string[] = [];
    const r = await resolveConflict(client, {
      ...base(),
      resolvedBy: 'bob',
      resolver: (c) => {
        seen.push(c.path);
        expect(Buffer.from(c.merged ?? []).toString()).toContain('<<<<<<< ours');
        return resolve(c.ours?.content);
      },
    });
    const out = r._unsafeUnwrap();
    expect(out.kind).toBe('resolved');
    if (out.kind !== 'resolved') return;
    expect(seen).toEqual([PATH]);
    expect(out).toMatchObject({ releaseBefore: before, releaseAfter: out.commit, resolvedPaths: [PATH] });
    expect(await head()).toBe(out.commit);
    // Native git: parent, trailer, author kept, tree, and the only path changed.
    const raw = await git(repo, ['cat-file', '-p', out.commit]);
    expect(raw).toContain(`parent ${before}\n`);
    expect(raw).toContain(`(cherry picked from commit ${conflict.original})`);
    const author = await git(repo, ['log', '-1', '--format=%an <%ae> %ad', '--date=raw', conflict.original]);
    expect(await git(repo, ['log', '-1', '--format=%an <%ae> %ad', '--date=raw', out.commit])).toBe(author);
    expect((await git(repo, ['rev-parse', `${out.commit}^{tree}`])).trim()).toBe(out.tree);
    expect(await git(repo, ['diff', '--name-only', before, out.commit])).toBe(`${PATH}\n`);
    const ours = await git(repo, ['show', `${before}:${PATH}`]);
    expect(await git(repo, ['show', `${out.commit}:${PATH}`])).toBe(resolve(Buffer.from(ours)));
    await git(repo, ['fsck', '--strict', '--no-dangling']);
    // Exactly the new objects: the blob, src/, the root tree and the commit.
    expect(out.stats.objectsSent).toBe(4);
    expect(out.stats.requests).toBeLessThan(20);
    expect(conflictResolutionSchema.safeParse(out.record).success).toBe(true);
    expect(out.record).toMatchObject({ originalSha: conflict.original, resolvedBy: 'bob', verified: true });
  });

  it('resolves to the same tree whether GitLab offers GraphQL blob batching or refuses it (REST fallback)', async () => {
    const run = async () => {
      await git(repo, ['update-ref', 'refs/heads/release', conflict.releaseHead]);
      sim.controls.clearLog();
      const out = (
        await resolveConflict(client, { ...base(), resolver: (c) => resolve(c.ours?.content) })
      )._unsafeUnwrap();
      const routes = sim.controls.requests.filter((r) => r.route !== 'control').map((r) => `${r.method} ${r.route}`);
      return { out, routes };
    };
    const batched = await run();
    sim.state.graphql = false;
    try {
      const fallback = await run();
      expect(fallback.out.kind).toBe('resolved');
      if (fallback.out.kind !== 'resolved' || batched.out.kind !== 'resolved') return;
      expect(fallback.out.tree).toBe(batched.out.tree);
      expect((await git(repo, ['rev-parse', `${fallback.out.commit}^{tree}`])).trim()).toBe(fallback.out.tree);
      // With GraphQL: no blob read by id; without: the conflicted blobs are read by id over REST.
      const blobRoute = 'GET /projects/:id/repository/blobs/:sha/raw';
      expect(batched.routes).toContain('POST /api/graphql');
      expect(batched.routes).not.toContain(blobRoute);
      expect(fallback.routes.filter((r) => r === blobRoute).length).toBeGreaterThanOrEqual(3);
    } finally {
      sim.state.graphql = true;
    }
  });

  it('round-trips a human resolution through the workspace folder', async () => {
    const ws = await mkdtemp(join(tmpdir(), 'resolve-ws-'));
    const started = (await resolveConflict(client, { ...base(), workspaceDir: ws }))._unsafeUnwrap();
    expect(started).toMatchObject({ kind: 'awaiting-resolution', conflicts: [{ path: PATH, reason: 'content' }] });
    const file = join(ws, PATH);
    expect(await readFile(file, 'utf8')).toMatch(/<<<<<<< ours[\s\S]*=======[\s\S]*>>>>>>> theirs/);
    const ours = await readFile(join(ws, '.hotfix-resolution/sides/ours', PATH));
    await writeFile(file, resolve(ours));
    const done = (
      await continueConflictResolution(client, { workspaceDir: ws, gitToken: sim.token, committer })
    )._unsafeUnwrap();
    expect(done.kind).toBe('resolved');
    if (done.kind !== 'resolved') return;
    expect(await head()).toBe(done.commit);
    expect(await git(repo, ['show', `${done.commit}:${PATH}`])).toBe(resolve(ours));
    const again = (await continueConflictResolution(client, { workspaceDir: ws, gitToken: sim.token }))._unsafeUnwrap();
    expect(again.kind === 'resolved' && again.commit).toBe(done.commit);
  });

  it('returns push-rejected when release moves between plan and push, and clobbers nothing', async () => {
    let moved = '';
    const r = await resolveConflict(client, {
      ...base(),
      resolver: async (c) => {
        await git(repo, ['update-ref', 'refs/heads/release', (await concurrentCommit(repo)).trim()]);
        moved = await head();
        return resolve(c.ours?.content);
      },
    });
    expect(r._unsafeUnwrapErr()).toMatchObject({ code: 'push-rejected', runbookRef: 'D3' });
    expect(await head()).toBe(moved);
  });

  it('returns resolution-invalid when conflict markers remain, and pushes nothing', async () => {
    const before = await head();
    const r = await resolveConflict(client, { ...base(), resolver: (c) => c.merged ?? null });
    expect(r._unsafeUnwrapErr()).toMatchObject({
      code: 'resolution-invalid',
      details: { paths: [PATH], reason: 'markers' },
    });
    expect(await head()).toBe(before);
  });

  it('returns resolution-invalid when the resolution changes a path outside the hotfix', async () => {
    const ws = await mkdtemp(join(tmpdir(), 'resolve-ws-'));
    (await resolveConflict(client, { ...base(), workspaceDir: ws }))._unsafeUnwrap();
    await writeFile(join(ws, PATH), resolve(await readFile(join(ws, '.hotfix-resolution/sides/ours', PATH))));
    await writeFile(join(ws, 'README.md'), '# sneaked in\n');
    const r = await continueConflictResolution(client, { workspaceDir: ws, gitToken: sim.token, committer });
    expect(r._unsafeUnwrapErr()).toMatchObject({
      code: 'resolution-invalid',
      details: { paths: ['README.md'], reason: 'outside-hotfix' },
    });
  });

  it('takes a commit instead of an outcome, and names mainline when a merge commit lacks it', async () => {
    const noMainline = await resolveConflict(client, {
      project,
      commit: conflict.original,
      gitToken: sim.token,
      committer,
      resolver: () => null,
    });
    expect(noMainline._unsafeUnwrapErr()).toMatchObject({ code: 'invalid-input', details: { pointer: '/mainline' } });
    const r = await resolveConflict(client, {
      project,
      commit: conflict.original,
      mainline: 1,
      gitToken: sim.token,
      committer,
      resolver: (c) => resolve(c.ours?.content),
    });
    expect(r._unsafeUnwrap()).toMatchObject({ kind: 'resolved', releaseBefore: conflict.releaseHead });
  });

  it('returns resolution-invalid when the operator removed a conflicted file from the workspace', async () => {
    const ws = await mkdtemp(join(tmpdir(), 'resolve-ws-'));
    (await resolveConflict(client, { ...base(), workspaceDir: ws }))._unsafeUnwrap();
    await rm(join(ws, PATH));
    const r = await continueConflictResolution(client, { workspaceDir: ws, gitToken: sim.token, committer });
    expect(r._unsafeUnwrapErr()).toMatchObject({
      code: 'resolution-invalid',
      details: { paths: [PATH], reason: 'missing' },
    });
  });

  it('returns conflict when the resolver gives up, and invalid-input naming the field', async () => {
    const gaveUp = await resolveConflict(client, { ...base(), resolver: () => null });
    expect(gaveUp._unsafeUnwrapErr()).toMatchObject({ code: 'conflict', details: { paths: [PATH] } });
    const bad = await resolveConflict(client, { ...base(), gitToken: '', resolver: () => null });
    expect(bad._unsafeUnwrapErr()).toMatchObject({ code: 'invalid-input', details: { pointer: '/gitToken' } });
    const both = await resolveConflict(client, { ...base(), resolver: () => null, workspaceDir: '/tmp/x' });
    expect(both._unsafeUnwrapErr()).toMatchObject({ code: 'invalid-input', details: { pointer: '/resolver' } });
  });

  it('reads the token user and the pick diff itself, or takes them as known facts without reading (issue 27)', async () => {
    const host = new URL(sim.url).hostname;
    const diffPath = `/repository/commits/${conflict.original}/diff`;
    const run = async (extra: Record<string, unknown>) => {
      await git(repo, ['update-ref', 'refs/heads/release', conflict.releaseHead]);
      sim.controls.clearLog();
      const { committer: _, ...rest } = base();
      const out = (
        await resolveConflict(client, { ...rest, ...extra, resolver: (c) => resolve(c.ours?.content) })
      )._unsafeUnwrap();
      if (out.kind !== 'resolved') throw new Error(`expected resolved, got ${out.kind}`);
      const log = sim.controls.requests.filter((q) => q.method === 'GET');
      return {
        out,
        userReads: log.filter((q) => q.route === '/user').length,
        diffReads: log.filter((q) => q.path.endsWith(diffPath)).length,
        committer: (await git(repo, ['log', '-1', '--format=%cn <%ce>', out.commit])).trim(),
      };
    };
    const me = (await client.currentUser())._unsafeUnwrap();
    const alone = await run({});
    expect([alone.userReads, alone.diffReads]).toEqual([1, 1]);
    expect(alone.committer).toBe(`${me.name ?? me.username} <${me.username}@users.noreply.${host}>`);
    const known = await run({ known: { user: { username: 'bob', name: 'Bob B' }, changedPaths: [PATH] } });
    expect([known.userReads, known.diffReads]).toEqual([0, 0]);
    expect(known.committer).toBe(`Bob B <bob@users.noreply.${host}>`);
    expect(known.out.tree).toBe(alone.out.tree);
    // The paths are only a read-ahead hint: a wrong list costs reads, never the result.
    const wrong = await run({ known: { changedPaths: ['docs/elsewhere.md'] } });
    expect([wrong.userReads, wrong.diffReads]).toEqual([1, 0]);
    expect(wrong.out.tree).toBe(alone.out.tree);
    const bad = await resolveConflict(client, { ...base(), resolver: () => null, known: { changedPaths: [''] } });
    expect(bad._unsafeUnwrapErr()).toMatchObject({
      code: 'invalid-input',
      details: { pointer: '/known/changedPaths/0' },
    });
  });
});

/** A commit on top of release made with native git plumbing (a concurrent push). */
async function concurrentCommit(repo: string): Promise<string> {
  const tip = (await git(repo, ['rev-parse', 'refs/heads/release'])).trim();
  const tree = (await git(repo, ['rev-parse', `${tip}^{tree}`])).trim();
  return git(repo, [
    '-c',
    'user.name=Other',
    '-c',
    'user.email=other@example.com',
    'commit-tree',
    tree,
    '-p',
    tip,
    '-m',
    'Concurrent change',
  ]);
}
