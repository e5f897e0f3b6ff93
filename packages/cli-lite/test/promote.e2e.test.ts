/**
 * promote (full, conflict), status, policy check --live and rollback end to end
 * as child processes against the simulator on real time, asserting output, exit codes and the
 * shape of every --json document; and that the token never appears in any output.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseBundle } from '@hotfix-release/evidence';
import { demoScenarioInfo as demo } from '@hotfix-release/gitlab-sim';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { itWithRealisticFailures } from '../../../test-support/sim-mode.js';
import { allOutput, runCli } from './support/cli.js';
import { type CliWorld, SENTINEL_TOKEN, startCliWorld } from './support/world.js';

/** Runs in both simulator modes (HOTFIX_SIM_MODE); no test is expected to fail in realistic mode. */
const it = itWithRealisticFailures([]);

const MAIN = demo.mergeRequests.cleanPick.project;
const mrRef = (m: { project: string; iid: number }) => `${m.project}!${m.iid}`;
let w: CliWorld;
const cli = (args: string[]) => runCli(args, { cwd: w.dir, env: w.env });

beforeAll(async () => {
  w = await startCliWorld();
});
afterAll(async () => {
  expect(allOutput.join('\n')).not.toContain(SENTINEL_TOKEN);
  await w?.close();
});

describe('hotfix promote, status, policy check --live, rollback', () => {
  it('promotes, reads the state live, passes the policy against GitLab, and rolls back (R2)', async () => {
    const r = await cli(['promote', '--mr', mrRef(demo.mergeRequests.cleanPick), '--evidence', 'main.json', '--json']);
    expect(r.stderr).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z pick evenergi\/charging-api start/m);
    expect(r.stderr).toMatch(/pipeline #\d+ created http/);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(doc).toMatchObject({
      command: 'promote',
      ok: true,
      exitCode: 0,
      mr: mrRef(demo.mergeRequests.cleanPick),
      evidence: join(w.dir, 'main.json'),
      journal: join(w.dir, 'main.journal.json'),
      promotedTargets: [MAIN],
      targets: [{ target: MAIN, outcome: 'promoted', pipeline: { id: expect.any(Number) } }],
    });
    expect(parseBundle(JSON.parse(await readFile(join(w.dir, 'main.json'), 'utf8'))).isOk()).toBe(true);
    expect(existsSync(join(w.dir, 'main.journal.json'))).toBe(true);
    // The gate's own expectations (what this world set up), never the bundle's settings.
    await writeFile(
      join(w.dir, 'policy.json'),
      JSON.stringify({
        version: 1,
        gitlab: { url: w.sim.url },
        orchestration: { project: 'evenergi/develop', ref: 'main' },
        release: { branch: 'release', environment: 'staging', label: 'Validated in Staging' },
        governedProjects: [MAIN],
      }),
    );

    const [status, policy] = await Promise.all([
      cli(['status', '--evidence', 'main.json', '--json']),
      cli([
        'policy',
        'check',
        'main.json',
        '--policy',
        'policy.json',
        '--mr',
        mrRef(demo.mergeRequests.cleanPick),
        '--live',
        '--json',
      ]),
    ]);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({
      command: 'status',
      label: { present: true },
      targets: [
        {
          target: MAIN,
          release: { state: expect.stringMatching(/^as promoted/) },
          pipeline: { status: 'success' },
          deployment: { status: 'success', matchesRelease: true },
        },
      ],
    });
    expect(policy.code).toBe(0);
    const report = JSON.parse(policy.stdout) as { controls: { id: string; status: string }[] };
    expect(report.controls.find((c) => c.id === 'live-facts')?.status).toBe('pass');

    const back = await cli(['rollback', '--evidence', 'main.json']);
    expect(back.code).toBe(0);
    expect(back.stdout).toMatch(/✓ evenergi\/charging-api: rolled back \(R2\): reverted as [0-9a-f]{12}/);
    const bundle = JSON.parse(await readFile(join(w.dir, 'main.json'), 'utf8'));
    const parsed = parseBundle(bundle);
    expect(parsed.isOk() && parsed.value.targets[0]?.rollbacks[0]).toMatchObject({
      runbookRef: 'R2',
      revalidation: { passed: true },
    });
    expect(parsed.isOk() && parsed.value.promotedTargets).toEqual([]);
    const after = await cli(['status', '--evidence', 'main.json']);
    expect(after.stdout).toMatch(/release release @ [0-9a-f]{12}: reverted/);
  });

  it('stops a conflicting pick with exit 6, the paths and how to continue (D3)', async () => {
    const r = await cli(['promote', '--mr', mrRef(demo.mergeRequests.conflictingPick), '--evidence', 'conflict.json']);
    expect(r.code).toBe(6);
    expect(r.stdout).toContain('✗ evenergi/charging-api: pending (conflict)');
    expect(r.stdout).toContain('conflict: src/tariff.ts');
    expect(r.stdout).toContain(
      `hotfix promote --mr ${mrRef(demo.mergeRequests.conflictingPick)} --resolve <dir> --evidence ${join(w.dir, 'conflict.json')}`,
    );
  });
});
