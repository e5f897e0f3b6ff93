/**
 * One clock: a promotion on a simulator whose (virtual) clock runs years away from the wall
 * clock writes no time that did not come from that clock, and a time GitLab did not report
 * is recorded as absent with the reason, never as "now".
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoScenarioInfo as demo } from '@hotfix-release/gitlab-sim';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeReleaseWorld, type ReleaseWorld } from '../../test/release-world.js';
import { parseRunbookConfig, type RunbookConfig } from '../runbook-config.js';
import { promoteHotfix } from './promote-hotfix.js';

const MAIN = demo.mergeRequests.cleanPick.project;
const FAKE_START = new Date('2031-03-04T05:06:07.000Z');
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

function configFor(w: ReleaseWorld): RunbookConfig {
  const health = `${w.sim.url}/-/sim/services/${MAIN}/staging/health`;
  return parseRunbookConfig({
    services: [
      {
        project: MAIN,
        health: { url: health },
        smokeChecks: [{ name: 'staging reports the hotfix', url: health, jsonPath: 'version', equals: '{sha}' }],
      },
    ],
  })._unsafeUnwrap();
}

/** The demo's clean-pick MR as the simulator stores it. */
function demoMr(w: ReleaseWorld) {
  const mr = w.sim.state.findProject(MAIN)?.mergeRequests.find((m) => m.iid === demo.mergeRequests.cleanPick.iid);
  if (!mr) throw new Error('the demo MR is missing');
  return mr;
}

/** Every ISO time in a JSON value, with its JSON path. */
function timesIn(value: unknown, path = ''): [string, string][] {
  if (typeof value === 'string') return ISO.test(value) ? [[path, value]] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => timesIn(v, `${path}/${i}`));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => timesIn(v, `${path}/${k}`));
  return [];
}

describe('promoteHotfix on one clock', () => {
  let w: ReleaseWorld;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'promote-clock-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));
  afterEach(async () => {
    await w?.close();
  });

  it('stamps every time in the bundle and the journal from the injected clock', async () => {
    w = await makeReleaseWorld({ start: FAKE_START });
    // The demo scenario merges its MRs on the wall clock while seeding (gitlab-sim); put that one
    // GitLab-reported time on the fake timeline too, so any time outside it was invented by us.
    demoMr(w).mergedAt = new Date(FAKE_START.getTime() - 60_000).toISOString();
    const journalPath = join(dir, 'clock.journal.json');
    const r = (
      await promoteHotfix(w.client, configFor(w), { mr: demo.mergeRequests.cleanPick, journalPath, clock: w.clock })
    )._unsafeUnwrap();
    expect(r.targets[0]?.outcome).toBe('promoted');
    const end = w.sim.clock.now();
    const journal = JSON.parse(await readFile(journalPath, 'utf8')) as unknown;
    const times = [...timesIn(r.bundle), ...timesIn(journal, '/journal')];
    // The bundle holds the merge, pick, pipeline, deployment, checks, note and label times at least.
    expect(times.length).toBeGreaterThan(20);
    // E3's window closes one second after the clock's "now" (a pipeline created in that second counts).
    // A release lock's lease end is a deadline, not an observation: at most one lease (15 min) after the clock's now.
    const outside = times.filter(([path, t]) => {
      const latest = path.endsWith('/leaseExpiresAt') ? end + 15 * 60_000 : end + 1000;
      return Date.parse(t) < FAKE_START.getTime() - 60_000 || Date.parse(t) > latest;
    });
    expect(outside).toEqual([]);
  }, 120_000);

  it('records the merge time as absent, with the reason, when GitLab reports no merged_at', async () => {
    w = await makeReleaseWorld({ start: FAKE_START });
    demoMr(w).mergedAt = null;
    const r = (
      await promoteHotfix(w.client, configFor(w), { mr: demo.mergeRequests.cleanPick, clock: w.clock })
    )._unsafeUnwrap();
    expect(r.targets[0]?.outcome).toBe('promoted');
    expect(r.bundle.hotfixes[0]?.mr.mergedAt).toEqual({
      absent: true,
      reason: 'GitLab reported no merged_at for the merge request',
    });
    expect(r.bundle.schemaVersion).toBe('3.0.0');
  }, 120_000);
});
