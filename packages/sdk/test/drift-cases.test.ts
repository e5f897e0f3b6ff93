/**
 * Drift cases against the simulator, with native git pushing to release behind the SDK's back
 * (issue 21): each kind of drift is reported with the commit and the path named, and a clean
 * pick reports nothing. Every case works on its own branch cut from release, so the cases
 * share one simulator and one clone.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoScenarioInfo as demo, type GitLabSim, startGitLabSim } from '@hotfix-release/gitlab-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitLabClient, type GitLabClient } from '../src/gitlab-client.js';
import { assertNoDrift, type DriftReport } from '../src/primitives/assert-no-drift.js';
import { gitOk } from './support/native-git.js';

const { project, iid } = demo.mergeRequests.cleanPick;

describe('assertNoDrift on drift pushed with native git', () => {
  let sim: GitLabSim;
  let client: GitLabClient;
  let dir: string;
  /** The clean-pick MR's merge commit (picked with mainline 1). */
  let original: string;
  /** A commit on main adding a file whose patch passes GitLab's 200 KB diff limit. */
  let bigOriginal: string;
  /** A commit on main changing a binary file. */
  let binaryOriginal: string;
  let caseNo = 0;

  const git = (...args: string[]) => gitOk(dir, args).trim();
  const write = (path: string, data: string | Buffer) => writeFileSync(join(dir, path), data);
  /** A fresh branch from release, pushed; returns its name and head. */
  const branchFromRelease = () => {
    const name = `drift-case-${++caseNo}`;
    git('checkout', '-q', '-B', name, 'origin/release');
    return { name, before: git('rev-parse', 'HEAD') };
  };
  // Clone and push talk to the in-process simulator: they must not block the event loop.
  const remote = (cwd: string, args: string[]) =>
    new Promise<void>((resolve, reject) =>
      execFile('git', args, { cwd, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } }, (e, _out, stderr) =>
        e ? reject(new Error(`git ${args[0]} failed: ${stderr}`)) : resolve(),
      ),
    );
  const push = (name: string, force = false) => remote(dir, ['push', '-q', ...(force ? ['-f'] : []), 'origin', name]);
  const check = async (branch: string, before: string, picks: string[]): Promise<DriftReport> =>
    (await assertNoDrift(client, { project, branch, releaseBefore: before, intendedPicks: picks }))._unsafeUnwrap();
  const pick = (sha: string) => {
    const merge = git('rev-list', '--parents', '-n', '1', sha).split(' ').length > 2;
    git('cherry-pick', '-x', ...(merge ? ['-m', '1'] : []), sha);
  };

  beforeAll(async () => {
    sim = await startGitLabSim({ scenario: 'demo' });
    client = createGitLabClient({ gitlabUrl: sim.url, token: sim.token })._unsafeUnwrap();
    const mr = (await client.mergeRequest(project, iid))._unsafeUnwrap();
    original = mr.merge_commit_sha!;
    dir = join(mkdtempSync(join(tmpdir(), 'drift-cases-')), 'repo');
    const url = new URL(`${sim.url}/${project}.git`);
    url.username = 'oauth2';
    url.password = sim.token;
    await remote(tmpdir(), ['clone', '-q', url.toString(), dir]);
    git('config', 'core.autocrlf', 'false');
    git('config', 'user.name', 'Release Hand');
    git('config', 'user.email', 'hand@example.com');

    git('checkout', '-q', '-b', 'big-file', 'origin/main');
    write('big.txt', Array.from({ length: 12_000 }, (_, i) => `line ${i} of a large generated file\n`).join(''));
    git('add', 'big.txt');
    git('commit', '-q', '-m', 'add a large generated file');
    bigOriginal = git('rev-parse', 'HEAD');
    await push('big-file');

    git('checkout', '-q', '-b', 'binary-file', 'origin/main');
    write('logo.bin', Buffer.from([0, 1, 2, 3, 0, 255, 254, 10, 0]));
    git('add', 'logo.bin');
    git('commit', '-q', '-m', 'add a binary asset');
    binaryOriginal = git('rev-parse', 'HEAD');
    await push('binary-file');
  });
  afterAll(() => sim.close());

  it('reports nothing for a clean pick', async () => {
    const { name, before } = branchFromRelease();
    pick(original);
    await push(name);
    const r = await check(name, before, [original]);
    expect(r).toMatchObject({ ok: true, kinds: [], offendingShas: [] });
    expect(r.commits).toEqual([expect.objectContaining({ classification: 'intended-pick', original })]);
  });

  it('names an extra commit and the path it changes', async () => {
    const { name, before } = branchFromRelease();
    pick(original);
    write('extra.txt', 'not part of the hotfix\n');
    git('add', 'extra.txt');
    git('commit', '-q', '-m', 'extra');
    const extra = git('rev-parse', 'HEAD');
    await push(name);
    const r = await check(name, before, [original]);
    expect(r.kinds).toContain('extra-commit');
    expect(r.offendingShas).toContain(extra);
    expect(r.commits).toContainEqual(
      expect.objectContaining({ sha: extra, classification: 'unexpected', paths: ['extra.txt'] }),
    );
    expect(r.paths).toContainEqual({ path: 'extra.txt', status: 'unexpected' });
  });

  it('names an amended pick and the file it added', async () => {
    const { name, before } = branchFromRelease();
    pick(original);
    write('sneak.txt', 'slipped into the pick\n');
    git('add', 'sneak.txt');
    git('commit', '-q', '--amend', '--no-edit');
    const amended = git('rev-parse', 'HEAD');
    await push(name);
    const r = await check(name, before, [original]);
    expect(r.kinds).toContain('content-mismatch');
    expect(r.offendingShas).toContain(amended);
    expect(r.commits).toContainEqual(
      expect.objectContaining({ sha: amended, classification: 'content-mismatch', original, paths: ['sneak.txt'] }),
    );
  });

  it('names a pick re-indented on release (whitespace only), although git patch-id calls it equal', async () => {
    const { name, before } = branchFromRelease();
    pick(original);
    const changed = git('diff', '--name-only', 'HEAD^', 'HEAD').split('\n')[0]!;
    const added = git('diff', '-U0', 'HEAD^', 'HEAD', '--', changed)
      .split('\n')
      .filter((l) => l.startsWith('+') && !l.startsWith('+++'))
      .map((l) => l.slice(1));
    expect(added.length).toBeGreaterThan(0);
    let text = readFileSync(join(dir, changed), 'utf8');
    for (const line of added) text = text.replace(`${line}\n`, `  ${line}\n`);
    write(changed, text);
    git('commit', '-q', '-a', '--amend', '--no-edit');
    const reindented = git('rev-parse', 'HEAD');
    await push(name);
    const r = await check(name, before, [original]);
    expect(r.kinds).toContain('content-mismatch');
    expect(r.commits).toContainEqual(
      expect.objectContaining({ sha: reindented, classification: 'content-mismatch', paths: [changed] }),
    );
    expect(r.commits.find((c) => c.sha === reindented)?.patchId?.equal).toBe(true);
    expect(r.paths).toContainEqual({ path: changed, status: 'differs' });
  });

  it('compares the blobs of a file too large for GitLab diff: same content matches, other content is named', async () => {
    const diff = (await client.commitDiff(project, bigOriginal))._unsafeUnwrap().items;
    expect(diff).toEqual([expect.objectContaining({ new_path: 'big.txt', too_large: true, diff: '' })]);

    const same = branchFromRelease();
    pick(bigOriginal);
    await push(same.name);
    expect(await check(same.name, same.before, [bigOriginal])).toMatchObject({ ok: true, kinds: [] });

    const other = branchFromRelease();
    pick(bigOriginal);
    write('big.txt', readFileSync(join(dir, 'big.txt'), 'utf8').replace('line 5000 of', 'line 5000 in'));
    git('commit', '-q', '-a', '--amend', '--no-edit');
    const changed = git('rev-parse', 'HEAD');
    await push(other.name);
    const r = await check(other.name, other.before, [bigOriginal]);
    expect(r.kinds).toContain('content-mismatch');
    expect(r.commits).toContainEqual(
      expect.objectContaining({ sha: changed, classification: 'content-mismatch', paths: ['big.txt'] }),
    );
    expect(r.paths).toContainEqual({ path: 'big.txt', status: 'differs' });
  });

  it('compares a binary change by its blobs: the same bytes match, other bytes are named', async () => {
    const same = branchFromRelease();
    pick(binaryOriginal);
    await push(same.name);
    expect(await check(same.name, same.before, [binaryOriginal])).toMatchObject({ ok: true, kinds: [] });

    const other = branchFromRelease();
    pick(binaryOriginal);
    write('logo.bin', Buffer.from([0, 1, 2, 3, 0, 255, 254, 10, 1]));
    git('commit', '-q', '-a', '--amend', '--no-edit');
    const changed = git('rev-parse', 'HEAD');
    await push(other.name);
    const r = await check(other.name, other.before, [binaryOriginal]);
    expect(r.kinds).toContain('content-mismatch');
    expect(r.commits).toContainEqual(
      expect.objectContaining({ sha: changed, classification: 'content-mismatch', paths: ['logo.bin'] }),
    );
  });

  it('names the commits release no longer holds after its history was rewritten, with their paths', async () => {
    const { name } = branchFromRelease();
    write('release-note.txt', 'on release before the rewrite\n');
    git('add', 'release-note.txt');
    git('commit', '-q', '-m', 'release work');
    const dropped = git('rev-parse', 'HEAD');
    await push(name);
    git('reset', '-q', '--hard', 'HEAD^');
    pick(original);
    await push(name, true);
    const r = await check(name, dropped, [original]);
    expect(r.kinds).toContain('rewritten');
    expect(r.offendingShas).toContain(dropped);
    expect(r.commits).toContainEqual(
      expect.objectContaining({ sha: dropped, classification: 'rewritten', paths: ['release-note.txt'] }),
    );
  });
});
