/**
 * The read-only commands against the simulator: preflight (0 and 1 with every finding) and
 * promote --dry-run (clean, conflicting, already applied), which must change nothing.
 */
import { demoScenarioInfo as demo } from '@hotfix-release/gitlab-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allOutput, runCli } from './support/cli.js';
import { type CliWorld, SENTINEL_TOKEN, startCliWorld } from './support/world.js';

const MAIN = demo.mergeRequests.cleanPick.project;
const mrRef = (m: { project: string; iid: number }) => `${m.project}!${m.iid}`;
let w: CliWorld;
const cli = (args: string[]) => runCli(args, { cwd: w.dir, env: w.env });
const enc = encodeURIComponent;

beforeAll(async () => {
  w = await startCliWorld();
});
afterAll(async () => {
  expect(allOutput.join('\n')).not.toContain(SENTINEL_TOKEN);
  await w?.close();
});

describe('hotfix preflight', () => {
  it('passes a merged, approved MR (0) and lists every problem of an open one (1, --json)', async () => {
    const [ok, open] = await Promise.all([
      cli(['preflight', '--mr', mrRef(demo.mergeRequests.cleanPick)]),
      cli(['preflight', '--mr', mrRef(demo.mergeRequests.open), '--json']),
    ]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('Preflight passed');
    expect(open.code).toBe(1);
    const doc = JSON.parse(open.stdout) as { command: string; ok: boolean; findings: { runbookRef: string }[] };
    expect(doc).toMatchObject({ command: 'preflight', ok: false, exitCode: 1 });
    expect(doc.findings.map((f) => f.runbookRef)).toContain('D1');
  });
});

describe('hotfix preflight of several merge requests (D4 across repositories)', () => {
  it('checks every MR, lists the problems of all of them, exits 0 only when none blocks, and writes nothing', async () => {
    const since = w.sim.controls.requests.length;
    const api = mrRef(demo.mergeRequests.cleanPick);
    const portal = mrRef(demo.mergeRequests.squashMerged);
    const open = mrRef(demo.mergeRequests.open);
    const [good, bad] = await Promise.all([
      cli(['preflight', '--mr', api, '--mr', portal]),
      cli(['preflight', '--mr', api, '--mr', open, '--json']),
    ]);
    expect([good.code, good.stderr]).toEqual([0, '']);
    expect(good.stdout).toContain(`${api} `);
    expect(good.stdout).toContain(`${portal} `);
    expect(good.stdout).toContain(`target ${demo.mergeRequests.squashMerged.project}: release`);
    expect(good.stdout).toContain('Preflight passed');
    expect(bad.code).toBe(1);
    const doc = JSON.parse(bad.stdout) as {
      ok: boolean;
      hotfixes: { ok: boolean; mr: { project: string; iid: number }; findings: { runbookRef: string }[] }[];
    };
    expect(doc).toMatchObject({ command: 'preflight', ok: false, exitCode: 1 });
    expect(doc.hotfixes.map((h) => [`${h.mr.project}!${h.mr.iid}`, h.ok])).toEqual([
      [api, true],
      [open, false],
    ]);
    expect(doc.hotfixes[1]?.findings.map((f) => f.runbookRef)).toContain('D1');
    const writes = w.sim.controls.requests.slice(since).filter((r) => !['GET', 'HEAD'].includes(r.method));
    expect(writes).toEqual([]);
  });
});

describe('hotfix promote --dry-run', () => {
  it('prints the plan, clean or conflicting, and changes nothing', async () => {
    const before = (await w.api('GET', `/projects/${enc(MAIN)}/repository/branches/release`)) as {
      commit: { id: string };
    };
    const [clean, conflicting, applied] = await Promise.all([
      cli(['promote', '--mr', mrRef(demo.mergeRequests.cleanPick), '--dry-run', '--json']),
      cli(['promote', '--mr', mrRef(demo.mergeRequests.conflictingPick), '--dry-run']),
      cli(['promote', '--mr', mrRef(demo.mergeRequests.alreadyApplied), '--dry-run', '--json']),
    ]);
    expect(JSON.parse(applied.stdout)).toMatchObject({ targets: [{ pick: { state: 'already-applied' } }] });
    expect(clean.code).toBe(0);
    const plan = JSON.parse(clean.stdout) as {
      targets: { target: string; pick: { state: string }; pipeline: unknown }[];
    };
    expect(plan).toMatchObject({ command: 'promote', dryRun: true, ok: true, exitCode: 0 });
    expect(plan.targets[0]).toMatchObject({
      target: MAIN,
      pick: { state: 'clean' },
      pipeline: {
        method: 'POST',
        project: demo.orchestrator,
        body: { ref: 'main', inputs: { action: 'deploy-release-branch-to-staging', project: MAIN, confirm: true } },
      },
    });
    expect(conflicting.code).toBe(6);
    expect(conflicting.stdout).toMatch(/conflicting\n\s+conflict: src\/tariff\.ts/);
    expect(conflicting.stdout).toContain('action=deploy-release-branch-to-staging');
    const after = (await w.api('GET', `/projects/${enc(MAIN)}/repository/branches/release`)) as {
      commit: { id: string };
    };
    expect(after.commit.id).toBe(before.commit.id);
    expect(await w.api('GET', `/projects/${enc(demo.orchestrator)}/pipelines`)).toEqual([]);
  });
});
