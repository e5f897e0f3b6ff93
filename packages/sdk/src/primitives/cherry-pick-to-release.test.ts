import { demoScenarioInfo as demo, type GitLabSim, startGitLabSim } from '@hotfix-release/gitlab-sim';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGitLabClient, type GitLabClient } from '../gitlab-client.js';
import { parseRunbookConfig, type RunbookConfig } from '../runbook-config.js';
import { cherryPickToRelease } from './cherry-pick-to-release.js';

const PICK_ROUTE = '/projects/:id/repository/commits/:sha/cherry_pick';

describe('cherryPickToRelease', () => {
  let sim: GitLabSim;
  let client: GitLabClient;
  const config: RunbookConfig = parseRunbookConfig({})._unsafeUnwrap();
  beforeEach(async () => {
    sim = await startGitLabSim({ scenario: 'demo' });
    client = createGitLabClient({ gitlabUrl: sim.url, token: sim.token })._unsafeUnwrap();
  });
  afterEach(() => sim.close());
  const head = async (project: string) => (await client.branch(project, 'release'))._unsafeUnwrap().commit.id;
  const posts = () =>
    sim.controls.find('POST', PICK_ROUTE).filter((r) => !(r.body as { dry_run?: boolean } | undefined)?.dry_run);

  it('picks a merge-commit MR with the trailer and records release before and after', async () => {
    const { project, iid } = demo.mergeRequests.cleanPick;
    const before = await head(project);
    const r = (await cherryPickToRelease(client, config, { mr: { project, iid } }))._unsafeUnwrap();
    expect(r.kind).toBe('picked');
    if (r.kind !== 'picked') return;
    expect(r.releaseBefore).toBe(before);
    expect(r.releaseAfter).toBe(await head(project));
    expect(r.picks).toHaveLength(1);
    const picked = (await client.commit(project, r.picks[0]!.picked))._unsafeUnwrap();
    expect(picked.message).toContain(`(cherry picked from commit ${r.picks[0]!.original})`);
    expect(picked.parent_ids).toEqual([before]);
  });

  it('is idempotent: a second run is already_applied with the same commit and sends no second POST', async () => {
    const mr = demo.mergeRequests.cleanPick;
    const first = (await cherryPickToRelease(client, config, { mr }))._unsafeUnwrap();
    const second = (await cherryPickToRelease(client, config, { mr }))._unsafeUnwrap();
    expect(second.kind).toBe('already_applied');
    if (first.kind !== 'picked' || second.kind !== 'already_applied') return;
    expect(second.picks[0]?.picked).toBe(first.picks[0]?.picked);
    expect(posts()).toHaveLength(1);
  });

  it('reports the seeded already-applied MR as already_applied without a POST', async () => {
    const r = (await cherryPickToRelease(client, config, { mr: demo.mergeRequests.alreadyApplied }))._unsafeUnwrap();
    expect(r.kind).toBe('already_applied');
    expect(posts()).toHaveLength(0);
  });

  it('picks every fast-forwarded commit in order, and the squash commit of a squash merge', async () => {
    const ff = (await cherryPickToRelease(client, config, { mr: demo.mergeRequests.fastForward }))._unsafeUnwrap();
    expect(ff.kind).toBe('picked');
    if (ff.kind === 'picked') expect(ff.picks.map((p) => p.original)).toEqual(ff.plan.picks.map((p) => p.sha));
    const sq = (await cherryPickToRelease(client, config, { mr: demo.mergeRequests.squashMerged }))._unsafeUnwrap();
    expect(sq.kind).toBe('picked');
    expect(sq.kind === 'picked' && sq.plan.method).toBe('squash');
  });

  it('returns conflict with paths and base/ours/theirs blob ids, leaving release untouched', async () => {
    const { project } = demo.mergeRequests.conflictingPick;
    const before = await head(project);
    const r = (await cherryPickToRelease(client, config, { mr: demo.mergeRequests.conflictingPick }))._unsafeUnwrap();
    expect(r.kind).toBe('conflict');
    if (r.kind !== 'conflict') return;
    expect(r.conflicts.length).toBeGreaterThan(0);
    for (const c of r.conflicts)
      expect([c.base, c.ours, c.theirs].every((b) => b === null || /^[0-9a-f]{40}$/.test(b))).toBe(true);
    expect(await head(project)).toBe(before);
  });

  it('plans with GitLab dry_run and changes nothing', async () => {
    const { project } = demo.mergeRequests.conflictingPick;
    const before = await head(project);
    const clean = (
      await cherryPickToRelease(client, config, { mr: demo.mergeRequests.cleanPick, dryRun: true })
    )._unsafeUnwrap();
    expect(clean).toMatchObject({ kind: 'planned', clean: true, conflicts: [] });
    const conflicting = (
      await cherryPickToRelease(client, config, { mr: demo.mergeRequests.conflictingPick, dryRun: true })
    )._unsafeUnwrap();
    expect(conflicting).toMatchObject({ kind: 'planned', clean: false });
    expect(await head(project)).toBe(before);
    expect(posts()).toHaveLength(0);
  });

  it('reconciles a lost response by reading release: one POST, outcome picked', async () => {
    sim.fault({ method: 'POST', route: PICK_ROUTE, kind: 'drop-after' });
    const r = (await cherryPickToRelease(client, config, { mr: demo.mergeRequests.cleanPick }))._unsafeUnwrap();
    expect(r.kind).toBe('picked');
    expect(posts()).toHaveLength(1);
  });

  it('retries once, after reading release, when the POST failed before GitLab acted', async () => {
    sim.fault({ method: 'POST', route: PICK_ROUTE, kind: 'status', status: 502 });
    const r = (await cherryPickToRelease(client, config, { mr: demo.mergeRequests.cleanPick }))._unsafeUnwrap();
    expect(r.kind).toBe('picked');
    expect(posts().map((p) => p.handled)).toEqual([false, true]);
  });

  it('returns denied (P3) for a token that may not push to protected release', async () => {
    const dev = createGitLabClient({ gitlabUrl: sim.url, token: demo.users.developer.token })._unsafeUnwrap();
    const r = (await cherryPickToRelease(dev, config, { mr: demo.mergeRequests.cleanPick }))._unsafeUnwrap();
    expect(r.kind).toBe('denied');
    if (r.kind === 'denied') expect(r.error.runbookRef).toBe('P3');
  });

  it('returns mr-not-merged (D1) for an open MR and invalid-input for bad options', async () => {
    expect(
      (await cherryPickToRelease(client, config, { mr: demo.mergeRequests.open }))._unsafeUnwrapErr(),
    ).toMatchObject({ code: 'mr-not-merged', runbookRef: 'D1' });
    expect(
      (await cherryPickToRelease(client, config, { mr: { project: 'x/y', iid: 0 } }))._unsafeUnwrapErr(),
    ).toMatchObject({ code: 'invalid-input', details: { pointer: '/mr/iid' } });
  });
});
