import { demoScenarioInfo as demo, type GitLabSim, startGitLabSim } from '@hotfix-release/gitlab-sim';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGitLabClient, type GitLabClient } from '../gitlab-client.js';
import { parseRunbookConfig } from '../runbook-config.js';
import { cherryPickToRelease } from './cherry-pick-to-release.js';
import { revertFromRelease } from './revert-from-release.js';

const { project } = demo.mergeRequests.cleanPick;
const REVERT_ROUTE = '/projects/:id/repository/commits/:sha/revert';

describe('revertFromRelease', () => {
  let sim: GitLabSim;
  let client: GitLabClient;
  let picked: string;
  let afterPick: string;
  beforeEach(async () => {
    sim = await startGitLabSim({ scenario: 'demo' });
    client = createGitLabClient({ gitlabUrl: sim.url, token: sim.token })._unsafeUnwrap();
    const r = (
      await cherryPickToRelease(client, parseRunbookConfig({})._unsafeUnwrap(), { mr: demo.mergeRequests.cleanPick })
    )._unsafeUnwrap();
    if (r.kind !== 'picked') throw new Error(r.kind);
    picked = r.picks[0]!.picked;
    afterPick = r.releaseAfter;
  });
  afterEach(() => sim.close());
  const posts = () =>
    sim.controls.requests.filter(
      (r) => r.method === 'POST' && r.path.endsWith('/revert') && !(r.body as { dry_run?: boolean })?.dry_run,
    );

  it('reverts the pick and restores the tree of release before the pick (R1)', async () => {
    const r = (await revertFromRelease(client, { project, picked: [picked] }))._unsafeUnwrap();
    expect(r.kind).toBe('reverted');
    if (r.kind !== 'reverted') return;
    expect(r.releaseBefore).toBe(afterPick);
    const cmp = (await client.compare(project, `${picked}~1`, r.releaseAfter, { straight: true }))._unsafeUnwrap();
    expect(cmp.diffs).toEqual([]);
  });

  it('is idempotent and never sends a second revert', async () => {
    (await revertFromRelease(client, { project, picked: [picked] }))._unsafeUnwrap();
    const again = (await revertFromRelease(client, { project, picked: [picked] }))._unsafeUnwrap();
    expect(again.kind).toBe('already_reverted');
    expect(posts()).toHaveLength(1);
  });

  it('reconciles a lost response by reading release (one POST)', async () => {
    sim.fault({ method: 'POST', route: REVERT_ROUTE, kind: 'drop-after' });
    const r = (await revertFromRelease(client, { project, picked: [picked] }))._unsafeUnwrap();
    expect(r.kind).toBe('reverted');
    expect(posts()).toHaveLength(1);
  });

  it('plans with dry_run and changes nothing', async () => {
    const r = (await revertFromRelease(client, { project, picked: [picked], dryRun: true }))._unsafeUnwrap();
    expect(r).toMatchObject({ kind: 'planned', clean: true, releaseHead: afterPick });
    expect(posts()).toHaveLength(0);
  });
});
