/**
 * Issue 24 end to end through the CLI, as child processes against the simulator: one fix split over
 * two services (charging-api!1 and its client fleet-portal!1), planned, promoted together, judged by
 * the gate with `--mr` repeated, the second deployment failing, then rolled back per target (R2, R1).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseBundle } from '@hotfix-release/evidence';
import { demoScenarioInfo as demo } from '@hotfix-release/gitlab-sim';
import { afterEach, describe, expect } from 'vitest';
import { itWithRealisticFailures } from '../../../test-support/sim-mode.js';
import { allOutput, runCli } from './support/cli.js';
import { type CliWorld, SENTINEL_TOKEN, startCliWorld } from './support/world.js';

/** Runs in both simulator modes (HOTFIX_SIM_MODE); no test is expected to fail in realistic mode. */
const it = itWithRealisticFailures([]);

const API = demo.mergeRequests.cleanPick;
const PORTAL = demo.mergeRequests.squashMerged;
const ref = (m: { project: string; iid: number }) => `${m.project}!${m.iid}`;
let w: CliWorld | undefined;
const cli = (args: string[]) => {
  if (!w) throw new Error('no world');
  return runCli(args, { cwd: w.dir, env: w.env });
};

afterEach(async () => {
  expect(allOutput.join('\n')).not.toContain(SENTINEL_TOKEN);
  await w?.close();
  w = undefined;
});

async function writePolicy(world: CliWorld): Promise<void> {
  await writeFile(
    join(world.dir, 'policy.json'),
    JSON.stringify({
      version: 1,
      gitlab: { url: world.sim.url },
      orchestration: { project: 'evenergi/develop', ref: 'main' },
      release: { branch: 'release', environment: 'staging', label: 'Validated in Staging' },
      governedProjects: [API.project, PORTAL.project],
    }),
  );
}

describe('hotfix promote with several merge requests (D4 across repositories)', () => {
  it('dry run shows the plan of every MR and target; --mrs-file is validated as hostile input', async () => {
    w = await startCliWorld();
    const plan = await cli(['promote', '--mr', ref(API), '--mr', ref(PORTAL), '--dry-run']);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain(`Plan for ${ref(API)}, ${ref(PORTAL)} (dry run: nothing was changed)`);
    expect(plan.stdout).toContain(`${ref(API)} into ${API.project}:`);
    expect(plan.stdout).toContain(`${ref(PORTAL)} into ${PORTAL.project}:`);
    expect(plan.stdout).toMatch(new RegExp(`${API.project}: then run evenergi/develop@main with inputs`));
    expect(plan.stdout).toMatch(new RegExp(`${PORTAL.project}: then run evenergi/develop@main with inputs`));
    await writeFile(
      join(w.dir, 'mrs.json'),
      JSON.stringify([{ mr: ref(PORTAL), dependsOn: [API.project] }, { mr: ref(API) }]),
    );
    const json = await cli(['promote', '--mrs-file', 'mrs.json', '--dry-run', '--json']);
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout) as {
      mrs: { mr: string; targets: string[] }[];
      targets: { target: string; hotfix: string; dependsOn?: string[] }[];
    };
    expect(doc.mrs.map((m) => [m.mr, m.targets])).toEqual([
      [ref(PORTAL), [PORTAL.project]],
      [ref(API), [API.project]],
    ]);
    // In promotion order: the portal waits for the API it depends on.
    expect(doc.targets.map((t) => [t.target, t.hotfix, t.dependsOn])).toEqual([
      [API.project, ref(API), undefined],
      [PORTAL.project, ref(PORTAL), [API.project]],
    ]);
    const hostile: [string, string, RegExp][] = [
      ['extra.json', JSON.stringify([{ mr: ref(API), run: 'rm -rf /' }]), /Unrecognized key/],
      ['bad-mr.json', JSON.stringify([{ mr: 'evenergi/api!0; curl evil' }]), /expected <group\/project>!<iid>/],
      ['huge.json', `[${' '.repeat(70 * 1024)}]`, /larger than 65536 bytes/],
      ['not.json', '{not json', /not JSON/],
    ];
    for (const [name, text, why] of hostile) {
      await writeFile(join(w.dir, name), text);
      const r = await cli(['promote', '--mrs-file', name, '--dry-run', '--json']);
      expect([name, r.code]).toEqual([name, 64]);
      const problem = JSON.parse(r.stdout || r.stderr) as { code: string; detail: string };
      expect([name, problem.code]).toEqual([name, 'invalid-mrs-file']);
      expect(problem.detail).toMatch(why);
    }
    const dir = await cli(['promote', '--mrs-file', '.', '--dry-run']);
    expect(dir.code).toBe(64);
    expect(dir.stderr).toContain('not a regular file');
    const mixed = await cli(['promote', '--mr', ref(API), '--mr', ref(PORTAL), '--target', 'evenergi/x', '--dry-run']);
    expect(mixed.code).toBe(64);
  });

  it('promotes both together, the gate admits exactly these MRs, and status shows each MR', async () => {
    w = await startCliWorld();
    await writePolicy(w);
    const r = await cli(['promote', '--mr', ref(API), '--mr', ref(PORTAL), '--evidence', 'fix.json', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      ok: true,
      mrs: [ref(API), ref(PORTAL)],
      promotedTargets: [API.project, PORTAL.project],
      targets: [
        { target: API.project, hotfix: ref(API), outcome: 'promoted' },
        { target: PORTAL.project, hotfix: ref(PORTAL), outcome: 'promoted' },
      ],
    });
    const gate = (mrs: string[]) =>
      cli(['policy', 'check', 'fix.json', '--policy', 'policy.json', ...mrs.flatMap((m) => ['--mr', m]), '--json']);
    const [both, one, status] = await Promise.all([
      gate([ref(API), ref(PORTAL)]),
      gate([ref(API)]),
      cli(['status', '--evidence', 'fix.json', '--json']),
    ]);
    expect(both.code).toBe(0);
    expect(one.code).not.toBe(0);
    const claims = (JSON.parse(one.stdout) as { controls: { id: string; status: string; message: string }[] }).controls;
    expect(claims.find((c) => c.id === 'bundle-claims')).toMatchObject({
      status: 'fail',
      message: expect.stringContaining(`${ref(PORTAL)}, which the gate did not ask for`),
    });
    expect(JSON.parse(status.stdout)).toMatchObject({
      mrs: [
        { mr: ref(API), label: { present: true }, targets: [API.project] },
        { mr: ref(PORTAL), label: { present: true }, targets: [PORTAL.project] },
      ],
    });
  });

  it('with the second deployment failing: only the first is promoted and labelled; rollback reverts and redeploys the first (R2) and only reverts the second (R1)', async () => {
    w = await startCliWorld();
    await fetch(`${w.sim.url}/-/sim/jobs/outcome`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ project: PORTAL.project, job: 'deploy-staging', status: 'failed' }),
    });
    const r = await cli(['promote', '--mr', ref(API), '--mr', ref(PORTAL), '--evidence', 'split.json']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`✓ ${API.project} [${ref(API)}]: promoted`);
    expect(r.stdout).toContain(`✗ ${PORTAL.project} [${ref(PORTAL)}]: failed (deploy-failed)`);
    const bundle = parseBundle(JSON.parse(await readFile(join(w.dir, 'split.json'), 'utf8')))._unsafeUnwrap();
    expect(bundle.promotedTargets).toEqual([API.project]);
    const status = JSON.parse((await cli(['status', '--evidence', 'split.json', '--json'])).stdout) as {
      mrs: { mr: string; label: { present: boolean } }[];
    };
    expect(status.mrs.map((m) => [m.mr, m.label.present])).toEqual([
      [ref(API), true],
      [ref(PORTAL), false],
    ]);
    await fetch(`${w.sim.url}/-/sim/jobs/outcome`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ project: PORTAL.project, job: 'deploy-staging', status: 'success' }),
    });
    const back = await cli(['rollback', '--evidence', 'split.json', '--reason', 'the fix is wrong']);
    expect(back.code).toBe(0);
    expect(back.stdout).toMatch(new RegExp(`✓ ${API.project}: rolled back \\(R2\\)`));
    expect(back.stdout).toMatch(new RegExp(`✓ ${PORTAL.project}: rolled back \\(R1\\)`));
    const after = parseBundle(JSON.parse(await readFile(join(w.dir, 'split.json'), 'utf8')))._unsafeUnwrap();
    const rb = (p: string) => after.targets.find((t) => t.project === p)?.rollbacks[0];
    expect(rb(API.project)).toMatchObject({ runbookRef: 'R2', revalidation: { passed: true } });
    expect(rb(PORTAL.project)).toMatchObject({ runbookRef: 'R1', rerunPipeline: null });
  });
});
