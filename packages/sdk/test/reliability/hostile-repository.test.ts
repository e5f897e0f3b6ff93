/**
 * Hostile repositories (issue 22): the conflict path reads trees a malicious or corrupt
 * repository (or a compromised proxy) controls. Release heads holding `..`, `.git/hooks/…`,
 * `.GIT`, control characters, invalid UTF-8, a symlink pointing out, or a blob above the cap are
 * built with native git straight into the simulator's bare repository; names git itself cannot
 * hold (NUL, `/`) come from a tree answer the simulator is told to give. Each is refused with a
 * typed error or handled, nothing is pushed, and the test looks at the filesystem around the
 * workspace to see that nothing was written outside it.
 */
import { spawn } from 'node:child_process';
import { lstat, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoScenarioInfo as demo, type GitLabSim, startGitLabSim } from '@hotfix-release/gitlab-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitLabClient, type GitLabClient } from '../../src/gitlab-client.js';
import { cherryPickToRelease, type PickOutcome } from '../../src/primitives/cherry-pick-to-release.js';
import { resolveConflict } from '../../src/primitives/resolve-conflict.js';
import { parseRunbookConfig } from '../../src/runbook-config.js';

const { project } = demo.mergeRequests.conflictingPick;
const committer = { name: 'Hotfix Bot', email: 'bot@example.com' };

/** Native git on the simulator's bare repository (async: the server runs in this process). */
function git(cwd: string, args: readonly string[], input?: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const c = spawn('git', args, { cwd });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    c.stdout.on('data', (d: Buffer) => out.push(d));
    c.stderr.on('data', (d: Buffer) => err.push(d));
    c.on('close', (code) =>
      code === 0 ? resolve(Buffer.concat(out)) : reject(new Error(Buffer.concat(err).toString())),
    );
    // A git command that does not read its input may close the pipe first: not an error.
    c.stdin.on('error', () => {});
    if (input) c.stdin.end(input);
    else c.stdin.end();
  });
}
const text = async (cwd: string, args: readonly string[], input?: Buffer) =>
  (await git(cwd, args, input)).toString('utf8').trim();

/** A raw tree entry: git's tree format is `<mode> <name>\0<20-byte id>`, any bytes in the name. */
function entry(mode: string, name: Buffer | string, oid: string): Buffer {
  return Buffer.concat([Buffer.from(`${mode} `), Buffer.from(name), Buffer.from([0]), Buffer.from(oid, 'hex')]);
}

/** Every file and folder under `dir`, relative, with `@` marking a symbolic link. */
async function listAll(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    out.push(e.isSymbolicLink() ? `${rel}@` : rel);
    if (e.isDirectory()) out.push(...(await listAll(join(dir, e.name), rel)));
  }
  return out.sort();
}

describe('hostile repositories against resolveConflict (workspace mode)', () => {
  let sim: GitLabSim;
  let client: GitLabClient;
  let repo: string;
  let conflict: Extract<PickOutcome, { kind: 'conflict' }>;
  let sandbox: string;

  beforeAll(async () => {
    sim = await startGitLabSim({ scenario: 'demo' });
    client = createGitLabClient({ gitlabUrl: sim.url, token: sim.token, retry: { maxAttempts: 1 } })._unsafeUnwrap();
    repo = sim.state.findProject(project)?.repoDir ?? '';
    const config = parseRunbookConfig({})._unsafeUnwrap();
    const pick = (
      await cherryPickToRelease(client, config, { mr: demo.mergeRequests.conflictingPick })
    )._unsafeUnwrap();
    if (pick.kind !== 'conflict') throw new Error(`expected a conflict, got ${pick.kind}`);
    conflict = pick;
    sandbox = await mkdtemp(join(tmpdir(), 'hostile-repo-'));
  });
  afterAll(async () => {
    await sim.close();
    await rm(sandbox, { recursive: true, force: true });
  });

  /** A commit on top of release whose root tree also holds `extra` raw entries (not on any branch). */
  async function releaseWith(...extra: Buffer[]): Promise<string> {
    const root = await git(repo, ['cat-file', 'tree', `${conflict.releaseHead}^{tree}`]);
    const tree = await text(
      repo,
      ['hash-object', '-t', 'tree', '-w', '--literally', '--stdin'],
      Buffer.concat([root, ...extra]),
    );
    return text(repo, ['commit-tree', tree, '-p', conflict.releaseHead, '-m', 'hostile']);
  }
  const blob = (content: string) => text(repo, ['hash-object', '-w', '--stdin'], Buffer.from(content));
  const releaseRef = () => text(repo, ['rev-parse', 'refs/heads/release']);

  /** Runs the human mode in a fresh workspace beside a sentinel file; returns the result and the sandbox listing. */
  async function attempt(name: string, releaseHead: string, extra: { maxBlobBytes?: number } = {}) {
    const around = join(sandbox, name);
    await mkdir(around);
    const before = await releaseRef();
    const r = await resolveConflict(client, {
      project,
      conflict: { ...conflict, releaseHead },
      gitToken: sim.token,
      committer,
      workspaceDir: join(around, 'ws'),
      ...extra,
    });
    expect(await releaseRef()).toBe(before);
    return { r, files: await listAll(around), around };
  }

  const refused = [
    ['..', async (oid: string) => entry('100644', '..', oid)],
    ['.GIT', async (oid: string) => entry('100644', '.GIT', oid)],
    ['.git. (NTFS)', async (oid: string) => entry('100644', '.git.', oid)],
    ['git~1 (NTFS short name)', async (oid: string) => entry('100644', 'git~1', oid)],
    ['a control character', async (oid: string) => entry('100644', 'evil\u001b]0;pwned\u0007.ts', oid)],
    ['invalid UTF-8', async (oid: string) => entry('100644', Buffer.from([0x62, 0x61, 0x64, 0xff, 0xfe]), oid)],
  ] as const;

  for (const [label, make] of refused) {
    it(`returns response-invalid for a tree entry named with ${label}, and writes nothing`, async () => {
      const head = await releaseWith(await make(await blob('#!/bin/sh\necho pwned > /tmp/pwned\n')));
      const { r, files } = await attempt(label.replace(/\W+/g, '-'), head);
      expect(r._unsafeUnwrapErr()).toMatchObject({ code: 'response-invalid', runbookRef: 'D3' });
      expect(JSON.stringify(r._unsafeUnwrapErr().details)).toMatch(/unsafe/);
      expect(files).toEqual([]);
    });
  }

  it('returns response-invalid for .git/hooks/post-checkout, and writes nothing', async () => {
    const hook = await blob('#!/bin/sh\necho pwned\n');
    const hooks = await text(
      repo,
      ['hash-object', '-t', 'tree', '-w', '--literally', '--stdin'],
      entry('100755', 'post-checkout', hook),
    );
    const dotgit = await text(
      repo,
      ['hash-object', '-t', 'tree', '-w', '--literally', '--stdin'],
      entry('40000', 'hooks', hooks),
    );
    const head = await releaseWith(entry('40000', '.git', dotgit));
    const { r, files } = await attempt('dot-git-hooks', head);
    expect(r._unsafeUnwrapErr()).toMatchObject({
      code: 'response-invalid',
      details: { issues: [{ pointer: '', message: expect.stringMatching(/^"\.git": .*git-dir/) }] },
    });
    expect(files).toEqual([]);
  });

  it('writes a conflicted symlink pointing out as a plain file inside the workspace, never as a link', async () => {
    // Release adds `escape` -> ../../outside-a, the picked commit adds `escape` -> ../../outside-b: an add/add conflict on a link.
    const parent = await text(repo, ['rev-parse', `${conflict.original}^`]);
    const withLink = async (base: string, target: string, message: string) => {
      const root = await git(repo, ['cat-file', 'tree', `${base}^{tree}`]);
      const tree = await text(
        repo,
        ['hash-object', '-t', 'tree', '-w', '--literally', '--stdin'],
        Buffer.concat([root, entry('120000', 'escape', await blob(target))]),
      );
      return text(repo, ['commit-tree', tree, '-p', base, '-m', message]);
    };
    const head = await withLink(conflict.releaseHead, '../../outside-a', 'release link');
    const picked = await withLink(parent, '../../outside-b', 'picked link');
    const around = join(sandbox, 'symlink');
    await mkdir(around);
    const r = await resolveConflict(client, {
      project,
      commit: picked,
      releaseHead: head,
      gitToken: sim.token,
      committer,
      workspaceDir: join(around, 'ws'),
    });
    expect(r._unsafeUnwrap()).toMatchObject({ kind: 'awaiting-resolution', conflicts: [{ path: 'escape' }] });
    const files = await listAll(around);
    expect(files.filter((f) => f.endsWith('@'))).toEqual([]);
    expect(files.filter((f) => !f.startsWith('ws'))).toEqual([]);
    expect((await lstat(join(around, 'ws/escape'))).isFile()).toBe(true);
    // The link's target is only text in a plain file (release's side; the other sides are for reference).
    expect(await readFile(join(around, 'ws/escape'), 'utf8')).toBe('../../outside-a');
  });

  it('returns response-invalid for a conflicted blob above the configured cap, and writes nothing', async () => {
    const { r, files } = await attempt('blob-cap', conflict.releaseHead, { maxBlobBytes: 16 });
    const e = r._unsafeUnwrapErr();
    expect(e).toMatchObject({ code: 'response-invalid' });
    expect(e.message).toMatch(/more than the 16-byte cap/);
    expect(files).toEqual([]);
  });
});

describe('hostile tree answers (names git cannot hold, from a compromised proxy)', () => {
  let sim: GitLabSim;
  let client: GitLabClient;
  let sandbox: string;
  let conflict: Extract<PickOutcome, { kind: 'conflict' }>;
  beforeAll(async () => {
    sim = await startGitLabSim({ scenario: 'demo' });
    client = createGitLabClient({ gitlabUrl: sim.url, token: sim.token, retry: { maxAttempts: 1 } })._unsafeUnwrap();
    const config = parseRunbookConfig({})._unsafeUnwrap();
    const pick = (
      await cherryPickToRelease(client, config, { mr: demo.mergeRequests.conflictingPick })
    )._unsafeUnwrap();
    if (pick.kind !== 'conflict') throw new Error(`expected a conflict, got ${pick.kind}`);
    conflict = pick;
    sandbox = await mkdtemp(join(tmpdir(), 'hostile-proxy-'));
  });
  afterAll(async () => {
    await sim.close();
    await rm(sandbox, { recursive: true, force: true });
  });

  for (const name of ['a\u0000b', '../../../etc/cron.d/x', 'src\\..\\..\\x', '']) {
    it(`returns response-invalid for a listed name ${JSON.stringify(name)}, and writes nothing`, async () => {
      const oid = 'e69de29bb2d1d6434b8b29ae775ad8c2e48c5391';
      sim.router.on('GET', '/projects/:id/repository/tree', () => ({
        status: 200,
        body: [{ id: oid, name, type: 'blob', path: name, mode: '100644' }],
      }));
      const around = await mkdtemp(join(sandbox, 'case-'));
      const r = await resolveConflict(client, {
        project,
        conflict,
        gitToken: sim.token,
        committer,
        workspaceDir: join(around, 'ws'),
      });
      expect(r._unsafeUnwrapErr()).toMatchObject({ code: 'response-invalid', runbookRef: 'D3' });
      expect(await listAll(around)).toEqual([]);
    });
  }
});
