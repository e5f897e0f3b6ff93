import { spawn } from 'node:child_process';
import { demoScenarioInfo as demo, type GitLabSim, startGitLabSim } from '@hotfix-release/gitlab-sim';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGitLabClient, type GitLabClient } from '../gitlab-client.js';
import { parseRunbookConfig } from '../runbook-config.js';
import { assertNoDrift } from './assert-no-drift.js';
import { cherryPickToRelease } from './cherry-pick-to-release.js';

const { project } = demo.mergeRequests.cleanPick;

function gitIn(dir: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = spawn('git', args, { cwd: dir });
    let out = '';
    c.stdout.on('data', (d) => (out += d));
    c.on('close', (code) =>
      code === 0 ? resolve(out.trim()) : reject(new Error(`git ${args.join(' ')} exited ${code}`)),
    );
  });
}

describe('assertNoDrift', () => {
  let sim: GitLabSim;
  let client: GitLabClient;
  let before: string;
  let original: string;
  let after: string;
  beforeEach(async () => {
    sim = await startGitLabSim({ scenario: 'demo' });
    client = createGitLabClient({ gitlabUrl: sim.url, token: sim.token })._unsafeUnwrap();
    const r = (
      await cherryPickToRelease(client, parseRunbookConfig({})._unsafeUnwrap(), { mr: demo.mergeRequests.cleanPick })
    )._unsafeUnwrap();
    if (r.kind !== 'picked') throw new Error(`expected a pick, got ${r.kind}`);
    before = r.releaseBefore;
    after = r.releaseAfter;
    original = r.picks[0]!.original;
  });
  afterEach(() => sim.close());

  const commitToRelease = async (message: string, path: string, content: string) => {
    const res = await fetch(`${sim.apiUrl}/projects/${encodeURIComponent(project)}/repository/commits`, {
      method: 'POST',
      headers: { 'PRIVATE-TOKEN': sim.token, 'content-type': 'application/json' },
      body: JSON.stringify({
        branch: 'release',
        commit_message: message,
        actions: [{ action: 'create', file_path: path, content }],
      }),
    });
    expect(res.status).toBe(201);
    return ((await res.json()) as { id: string }).id;
  };

  it('reports no drift after a clean promotion', async () => {
    const r = (
      await assertNoDrift(client, {
        project,
        releaseBefore: before,
        intendedPicks: [original],
        releaseAfterPick: after,
      })
    )._unsafeUnwrap();
    expect(r).toMatchObject({ ok: true, kinds: [], missing: [], releaseNow: after, runbookRef: 'R3' });
    expect(r.commits).toEqual([expect.objectContaining({ classification: 'intended-pick', original })]);
    expect(r.commits[0]?.patchId).toMatchObject({ equal: true });
    expect(r.commits[0]?.patchId?.pick).toMatch(/^[0-9a-f]{40}$/);
    expect(r.paths.every((p) => p.status === 'match')).toBe(true);
  });

  it('reports an extra commit pushed to release after the pick, with its author and SHA', async () => {
    const extra = await commitToRelease('sneaky change', 'sneaky.txt', 'x\n');
    const r = (
      await assertNoDrift(client, {
        project,
        releaseBefore: before,
        intendedPicks: [original],
        releaseAfterPick: after,
      })
    )._unsafeUnwrap();
    expect(r.ok).toBe(false);
    expect(r.kinds).toEqual(expect.arrayContaining(['extra-commit', 'moved-since-pick']));
    expect(r.commits.find((c) => c.sha === extra)).toMatchObject({
      classification: 'unexpected',
      title: 'sneaky change',
      author: 'Administrator',
    });
    expect(r.offendingShas).toContain(extra);
    expect(r.paths).toContainEqual({ path: 'sneaky.txt', status: 'unexpected' });
  });

  it('reports release being rewritten (the old head is no longer an ancestor)', async () => {
    const repo = sim.state.findProject(project)!.repoDir;
    const parent = await gitIn(repo, ['rev-parse', `${before}^`]);
    await gitIn(repo, ['update-ref', 'refs/heads/release', parent]);
    const r = (
      await assertNoDrift(client, { project, releaseBefore: before, intendedPicks: [original] })
    )._unsafeUnwrap();
    expect(r.kinds).toEqual(expect.arrayContaining(['rewritten', 'missing-pick']));
    expect(r.offendingShas).toContain(before);
  });

  it('catches a pick whose content differs from the original even though its trailer matches', async () => {
    const repo = sim.state.findProject(project)!.repoDir;
    await gitIn(repo, ['update-ref', 'refs/heads/release', before]);
    const forged = await commitToRelease(
      `Hotfix, amended\n\n(cherry picked from commit ${original})`,
      'other.txt',
      'not the fix\n',
    );
    const r = (
      await assertNoDrift(client, { project, releaseBefore: before, intendedPicks: [original] })
    )._unsafeUnwrap();
    expect(r.kinds).toContain('content-mismatch');
    expect(r.commits).toEqual([expect.objectContaining({ sha: forged, classification: 'content-mismatch', original })]);
    expect(r.commits[0]?.patchId?.equal).toBe(false);
  });

  it('reports a missing pick when release did not move', async () => {
    const r = (
      await assertNoDrift(client, { project, releaseBefore: after, intendedPicks: [original] })
    )._unsafeUnwrap();
    expect(r.kinds).toEqual(['missing-pick']);
    expect(r.missing).toEqual([original]);
  });

  it('reports staging deployed from another SHA and a health endpoint that disagrees, by how many commits', async () => {
    const r = (
      await assertNoDrift(client, {
        project,
        releaseBefore: before,
        intendedPicks: [original],
        environment: { deployedSha: before, healthSha: after },
      })
    )._unsafeUnwrap();
    expect(r.kinds).toEqual(['deployed-other-sha']);
    expect(r.environment?.disagreements).toEqual([{ source: 'deployment', sha: before, commitsBehind: 1 }]);
    const h = (
      await assertNoDrift(client, {
        project,
        releaseBefore: before,
        intendedPicks: [original],
        environment: { deployedSha: after, healthSha: before },
      })
    )._unsafeUnwrap();
    expect(h.kinds).toEqual(['health-disagrees']);
  });

  it('refuses bad options naming the field', async () => {
    const r = await assertNoDrift(client, { project, releaseBefore: 'abc', intendedPicks: [] });
    expect(r._unsafeUnwrapErr()).toMatchObject({ code: 'invalid-input' });
    expect(r._unsafeUnwrapErr().message).toMatch(/releaseBefore/);
  });
});
