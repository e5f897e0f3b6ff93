import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseBundle } from '@hotfix-release/evidence';
import { demoScenarioInfo as demo } from '@hotfix-release/gitlab-sim';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { itWithRealisticFailures } from '../../../../test-support/sim-mode.js';
import { makeReleaseWorld, type ReleaseWorld } from '../../test/release-world.js';
import { parseRunbookConfig, type RunbookConfig } from '../runbook-config.js';
import { promoteHotfix } from './promote-hotfix.js';

/** Runs in both simulator modes (HOTFIX_SIM_MODE); no test is expected to fail in realistic mode. */
const it = itWithRealisticFailures([]);

const { project } = demo.mergeRequests.conflictingPick;

function configFor(w: ReleaseWorld): RunbookConfig {
  const health = `${w.sim.url}/-/sim/services/${project}/staging/health`;
  return parseRunbookConfig({
    services: [
      {
        project,
        health: { url: health },
        smokeChecks: [{ name: 'staging reports the hotfix', url: health, jsonPath: 'version', equals: '{sha}' }],
      },
    ],
  })._unsafeUnwrap();
}

describe('promoteHotfix with resolveConflicts (D3)', () => {
  // One world: the give-up case leaves release untouched, so the resolving case runs on it next.
  let world: ReleaseWorld;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'promote-resolve-'));
    world = await makeReleaseWorld({ start: new Date() });
  });
  afterAll(async () => {
    await world.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('stays pending with the conflict when the resolver gives up, leaving release untouched', async () => {
    const before = await world.head(project, 'release');
    const r = await promoteHotfix(world.client, configFor(world), {
      mr: demo.mergeRequests.conflictingPick,
      clock: world.clock,
      resolveConflicts: { gitToken: world.sim.token, resolver: () => null },
    });
    const t = r._unsafeUnwrap().targets[0]!;
    expect([t.outcome, t.reason, t.error?.code]).toEqual(['pending', 'conflict', 'conflict']);
    expect(await world.head(project, 'release')).toBe(before);
  });
  it('resolves the conflicting pick, journals a conflict record and promotes the pushed head', async () => {
    const before = await world.head(project, 'release');
    const journalPath = join(dir, 'resolve.journal.json');
    const r = await promoteHotfix(world.client, configFor(world), {
      mr: demo.mergeRequests.conflictingPick,
      journalPath,
      clock: world.clock,
      minDelayMs: 5_000,
      maxDelayMs: 20_000,
      resolveConflicts: {
        gitToken: world.sim.token,
        resolvedBy: 'bob',
        committer: { name: 'Hotfix Bot', email: 'bot@example.com' },
        resolver: (c) =>
          Buffer.from(c.ours?.content ?? [])
            .toString('utf8')
            .replace('tariff line 5', 'const night = rates.night * 0.8;'),
      },
    });
    const result = r._unsafeUnwrap();
    const t = result.targets[0]!;
    expect([t.outcome, t.message]).toEqual(['promoted', expect.any(String)]);
    const head = await world.head(project, 'release');
    expect(t.record.pick).toMatchObject({ headAfter: head, picks: [{ pickedSha: head, method: 'local' }] });
    expect(t.record.conflicts).toEqual([
      expect.objectContaining({ paths: ['src/tariff.ts'], resolvedBy: 'bob', verified: true }),
    ]);
    expect(t.record.drift).toMatchObject({ ok: true, base: before });
    expect(parseBundle(result.bundle).isOk()).toBe(true);
    const journal = JSON.parse(await readFile(journalPath, 'utf8')) as { entries: { step: string }[] };
    expect(journal.entries.map((e) => e.step)).toContain('conflict');
  });
});

describe('promoteHotfix resolving a conflict reuses what the run already read (issue 27, D3)', () => {
  let world: ReleaseWorld;
  beforeAll(async () => {
    world = await makeReleaseWorld({ start: new Date() });
  });
  afterAll(async () => {
    await world.close();
  });

  it('asks GitLab once who the token is and reads the hotfix commit diff at most once', async () => {
    world.sim.controls.clearLog();
    const r = await promoteHotfix(world.client, configFor(world), {
      mr: demo.mergeRequests.conflictingPick,
      clock: world.clock,
      minDelayMs: 5_000,
      maxDelayMs: 20_000,
      // No committer: the local commit's committer comes from the token's user (GET /user).
      resolveConflicts: {
        gitToken: world.sim.token,
        resolver: (c) =>
          Buffer.from(c.ours?.content ?? [])
            .toString('utf8')
            .replace('tariff line 5', 'const night = rates.night * 0.8;'),
      },
    });
    const t = r._unsafeUnwrap().targets[0]!;
    expect(t.outcome).toBe('promoted');
    const pick = t.record.pick?.picks[0];
    expect(pick?.method).toBe('local');
    const original = pick?.originalSha ?? '';
    const log = world.sim.controls.requests.filter((q) => q.route !== 'control');
    const users = log.filter((q) => q.method === 'GET' && q.route === '/user');
    const diffs = log.filter((q) => q.method === 'GET' && q.path.endsWith(`/repository/commits/${original}/diff`));
    expect({ userReads: users.length, hotfixDiffReads: diffs.length }).toEqual({ userReads: 1, hotfixDiffReads: 1 });
    // The committer still is the token's user, as GET /user named it.
    const me = (await world.client.currentUser())._unsafeUnwrap();
    const raw = await world.api(
      'GET',
      `/projects/${encodeURIComponent(project)}/repository/commits/${pick?.pickedSha}`,
    );
    expect(raw.body).toMatchObject({
      committer_email: `${me.username}@users.noreply.${new URL(world.sim.url).hostname}`,
    });
  });
});
