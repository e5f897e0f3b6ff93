/**
 * Hostile workspaces (issue 22), SDK human mode: between resolveConflict({ workspaceDir }) and
 * continueConflictResolution the folder is the operator's, and anything on the machine may have
 * changed it. An untouched file, a symlink, a tampered state file, a state naming a push URL or
 * claiming a push that GitLab does not show: none of them reaches a push (the simulator's
 * request log shows no receive-pack), and release does not move.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { contentDigest } from '@hotfix-release/evidence';
import { demoScenarioInfo as demo, type GitLabSim, startGitLabSim } from '@hotfix-release/gitlab-sim';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGitLabClient, type GitLabClient } from '../../src/gitlab-client.js';
import { cherryPickToRelease, type PickOutcome } from '../../src/primitives/cherry-pick-to-release.js';
import { continueConflictResolution, resolveConflict } from '../../src/primitives/resolve-conflict.js';
import { parseRunbookConfig } from '../../src/runbook-config.js';

const { project } = demo.mergeRequests.conflictingPick;
const PATH = 'src/tariff.ts';
const STATE = '.hotfix-resolution/state.json';
const committer = { name: 'Hotfix Bot', email: 'bot@example.com' };

function git(cwd: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = spawn('git', args, { cwd });
    const out: Buffer[] = [];
    c.stdout.on('data', (d: Buffer) => out.push(d));
    c.on('close', (code) =>
      code === 0 ? resolve(Buffer.concat(out).toString('utf8').trim()) : reject(new Error(`git ${code}`)),
    );
  });
}

describe('hostile workspaces against continueConflictResolution', () => {
  let sim: GitLabSim;
  let client: GitLabClient;
  let repo: string;
  let conflict: Extract<PickOutcome, { kind: 'conflict' }>;
  let sandbox: string;
  beforeAll(async () => {
    sim = await startGitLabSim({ scenario: 'demo' });
    client = createGitLabClient({ gitlabUrl: sim.url, token: sim.token })._unsafeUnwrap();
    repo = sim.state.findProject(project)?.repoDir ?? '';
    const config = parseRunbookConfig({})._unsafeUnwrap();
    const pick = (
      await cherryPickToRelease(client, config, { mr: demo.mergeRequests.conflictingPick })
    )._unsafeUnwrap();
    if (pick.kind !== 'conflict') throw new Error(`expected a conflict, got ${pick.kind}`);
    conflict = pick;
    sandbox = await mkdtemp(join(tmpdir(), 'hostile-ws-'));
  });
  beforeEach(() => git(repo, ['update-ref', 'refs/heads/release', conflict.releaseHead]));
  afterAll(async () => {
    await sim.close();
    await rm(sandbox, { recursive: true, force: true });
  });

  /** A fresh workspace holding the conflict; returns its folder and where the request log stood. */
  async function start(): Promise<{ ws: string; logged: number }> {
    const ws = await mkdtemp(join(sandbox, 'ws-'));
    const r = await resolveConflict(client, { project, conflict, gitToken: sim.token, committer, workspaceDir: ws });
    expect(r._unsafeUnwrap().kind).toBe('awaiting-resolution');
    return { ws, logged: sim.controls.requests.length };
  }
  const pushes = (since: number) =>
    sim.controls.requests.slice(since).filter((r) => r.method === 'POST' && r.path.endsWith('/git-receive-pack'));
  const resolveFile = async (ws: string) => {
    const text = await readFile(join(ws, '.hotfix-resolution/sides/ours', PATH), 'utf8');
    await writeFile(join(ws, PATH), text.replace('tariff line 5', 'const night = rates.night * 0.8;'));
  };
  /** Rewrites the state file and recomputes its digest, as an attacker who read the code would. */
  const forge = async (ws: string, change: (s: Record<string, unknown>) => Record<string, unknown>) => {
    const { digest: _old, ...state } = JSON.parse(await readFile(join(ws, STATE), 'utf8')) as Record<string, unknown>;
    const next = change(state);
    await writeFile(join(ws, STATE), JSON.stringify({ ...next, digest: contentDigest(next)._unsafeUnwrap() }));
  };
  const cont = (ws: string, extra: { accept?: string[] } = {}) =>
    continueConflictResolution(client, { workspaceDir: ws, gitToken: sim.token, committer, ...extra });

  it('returns resolution-invalid when the conflicted file is untouched since the tool wrote it', async () => {
    const { ws, logged } = await start();
    const r = await cont(ws);
    expect(r._unsafeUnwrapErr()).toMatchObject({
      code: 'resolution-invalid',
      details: { reason: 'unchanged', paths: [PATH] },
    });
    expect(pushes(logged)).toEqual([]);
  });

  it('returns resolution-invalid when a symlink was planted in the workspace', async () => {
    const { ws, logged } = await start();
    await resolveFile(ws);
    await symlink('/etc/passwd', join(ws, 'src/passwd'));
    const r = await cont(ws);
    expect(r._unsafeUnwrapErr()).toMatchObject({
      code: 'resolution-invalid',
      details: { reason: 'symlink', paths: ['src/passwd'] },
    });
    expect(pushes(logged)).toEqual([]);
  });

  it('returns resolution-invalid when the state file was edited (digest) or names a push URL (schema)', async () => {
    const { ws, logged } = await start();
    await resolveFile(ws);
    const text = await readFile(join(ws, STATE), 'utf8');
    await writeFile(join(ws, STATE), text.replace(conflict.releaseHead, '0'.repeat(40)));
    expect((await cont(ws))._unsafeUnwrapErr()).toMatchObject({
      code: 'resolution-invalid',
      details: { reason: 'state-invalid' },
    });
    await writeFile(join(ws, STATE), text);
    await forge(ws, (s) => ({ ...s, gitUrl: 'http://127.0.0.1:9/evil.git' }));
    expect((await cont(ws))._unsafeUnwrapErr()).toMatchObject({
      code: 'resolution-invalid',
      details: { reason: 'state-invalid' },
    });
    expect(pushes(logged)).toEqual([]);
  });

  it('does not believe a forged pushed record that GitLab does not show, and pushes nothing unreviewed', async () => {
    const { ws, logged } = await start();
    await forge(ws, (s) => ({
      ...s,
      pushed: { kind: 'resolved', commit: 'f'.repeat(40), releaseAfter: 'f'.repeat(40) },
    }));
    const r = await cont(ws);
    expect(r._unsafeUnwrapErr()).toMatchObject({ code: 'resolution-invalid', details: { reason: 'unchanged' } });
    expect(pushes(logged)).toEqual([]);
    expect(await git(repo, ['rev-parse', 'refs/heads/release'])).toBe(conflict.releaseHead);
  });

  it('refuses a workspace that is not empty (a stale file would pass for an answer)', async () => {
    const ws = await mkdtemp(join(sandbox, 'stale-'));
    await writeFile(join(ws, 'stale.ts'), 'old answer');
    const r = await resolveConflict(client, { project, conflict, gitToken: sim.token, committer, workspaceDir: ws });
    expect(r._unsafeUnwrapErr()).toMatchObject({ code: 'invalid-input', details: { pointer: '/workspaceDir' } });
  });

  it('takes a file the operator names with accept as the answer, and still verifies it (markers left: no push)', async () => {
    const { ws, logged } = await start();
    // The written file holds markers: accepting it as is must still fail verification, not push.
    const r = await cont(ws, { accept: [PATH] });
    expect(r._unsafeUnwrapErr()).toMatchObject({ code: 'resolution-invalid', details: { reason: 'markers' } });
    expect(pushes(logged)).toEqual([]);
  });
});
