/**
 * A pick made by hand, without GitLab's `(cherry picked from commit …)` trailer, pushed to
 * release with native git: the SDK recognises it by its change (patch-id), records its real
 * SHA, sends no cherry-pick, and the promotion's evidence bundle passes E1 (issue 21).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoScenarioInfo as demo } from '@hotfix-release/gitlab-sim';
import { checkBundles } from '@hotfix-release/policy';
import { afterEach, describe, expect, it } from 'vitest';
import { promoteHotfix } from '../src/flows/promote-hotfix.js';
import { cherryPickToRelease } from '../src/primitives/cherry-pick-to-release.js';
import { parseRunbookConfig } from '../src/runbook-config.js';
import { gateExpectations, makeReleaseWorld, type ReleaseWorld } from './release-world.js';
import { gitOk } from './support/native-git.js';

const { project, iid } = demo.mergeRequests.cleanPick;
const PICK_ROUTE = '/projects/:id/repository/commits/:sha/cherry_pick';

describe('a pick made by hand without the trailer', () => {
  let w: ReleaseWorld;
  afterEach(() => w?.close());

  /**
   * Picks the MR's merge commit onto release by hand (no `-x`) and pushes it to the repository;
   * `withExtraFile` amends the pick with a file of its own.
   */
  const handPick = async (withExtraFile = false): Promise<string> => {
    const mr = (await w.client.mergeRequest(project, iid))._unsafeUnwrap();
    const bare = w.sim.state.findProject(project)!.repoDir;
    const dir = join(mkdtempSync(join(tmpdir(), 'hand-pick-')), 'repo');
    gitOk(tmpdir(), ['clone', '-q', '--branch', 'release', bare, dir]);
    gitOk(dir, ['cherry-pick', '-m', '1', mr.merge_commit_sha!]);
    expect(gitOk(dir, ['log', '-1', '--format=%B'])).not.toMatch(/cherry.picked from/);
    if (withExtraFile) {
      writeFileSync(join(dir, 'also.txt'), 'came along with the hand pick\n');
      gitOk(dir, ['add', 'also.txt']);
      gitOk(dir, ['commit', '-q', '--amend', '--no-edit']);
    }
    gitOk(dir, ['push', '-q', 'origin', 'release']);
    return gitOk(dir, ['rev-parse', 'HEAD']).trim();
  };

  it('is already_applied with its real SHA, found by patch-id, and no cherry-pick is sent', async () => {
    w = await makeReleaseWorld({ start: new Date() });
    const picked = await handPick();
    const r = (
      await cherryPickToRelease(w.client, parseRunbookConfig({})._unsafeUnwrap(), { mr: { project, iid } })
    )._unsafeUnwrap();
    expect(r).toMatchObject({ kind: 'already_applied', releaseHead: picked });
    if (r.kind !== 'already_applied') return;
    expect(r.picks).toEqual([{ original: r.plan.picks[0]!.sha, picked, via: 'patch-id' }]);
    expect(w.sim.controls.find('POST', PICK_ROUTE)).toEqual([]);
  });

  it('fails with drift (R3), never an empty SHA, when GitLab answers empty but no commit carries the change alone', async () => {
    w = await makeReleaseWorld({ start: new Date() });
    await handPick(true);
    const r = (
      await cherryPickToRelease(w.client, parseRunbookConfig({})._unsafeUnwrap(), { mr: { project, iid } })
    )._unsafeUnwrap();
    expect(r).toMatchObject({
      kind: 'failed',
      picksSoFar: [],
      error: { code: 'drift', runbookRef: 'R3', details: { kinds: ['pick-not-located'] } },
    });
  });

  it('stops with pagination-limit (S2) when release holds more commits since the merge-base than the bound', async () => {
    w = await makeReleaseWorld({ start: new Date() });
    await handPick();
    const r = await cherryPickToRelease(w.client, parseRunbookConfig({})._unsafeUnwrap(), {
      mr: { project, iid },
      maxScanCommits: 1,
    });
    expect(r._unsafeUnwrapErr()).toMatchObject({ code: 'pagination-limit', runbookRef: 'S2' });
    expect(r._unsafeUnwrapErr().message).toMatch(/more than 1 commits since its merge-base/);
  });

  it('lets the promotion complete with a bundle that passes E1', async () => {
    w = await makeReleaseWorld({ start: new Date() });
    const picked = await handPick();
    const health = `${w.sim.url}/-/sim/services/${project}/staging/health`;
    const config = parseRunbookConfig({
      services: [
        {
          project,
          health: { url: health },
          smokeChecks: [{ name: 'staging reports the hotfix', url: health, jsonPath: 'version', equals: '{sha}' }],
        },
      ],
    })._unsafeUnwrap();
    const result = (
      await promoteHotfix(w.client, config, {
        mr: { project, iid },
        targets: [project],
        journalPath: join(mkdtempSync(join(tmpdir(), 'hand-pick-journal-')), 'journal.json'),
        clock: w.clock,
        minDelayMs: 5_000,
        maxDelayMs: 20_000,
      })
    )._unsafeUnwrap();
    expect(result.targets.map((t) => t.outcome)).toEqual(['promoted']);
    const pick = result.bundle.targets[0]?.pick;
    expect(pick?.picks).toEqual([expect.objectContaining({ pickedSha: picked, via: 'patch-id', trailer: '' })]);
    const report = (
      await checkBundles([{ name: 'bundle', value: result.bundle }], {
        now: new Date(w.sim.clock.now() + 60_000).toISOString(),
        ...gateExpectations(w.sim.url, config, { project, iid }),
      })
    )._unsafeUnwrap();
    const e1 = report.bundles[0]?.results.find((c) => c.id === 'E1');
    expect(e1?.status).toBe('pass');
  });
});
