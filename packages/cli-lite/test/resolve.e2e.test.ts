/**
 * The human conflict path (D3) end to end: promote --resolve writes the conflicted file with
 * markers into a workspace and exits 6; resolve --continue with markers left still exits 6; after
 * the operator edits the file, resolve --continue pushes the verified resolution and finishes the
 * promotion, with the resolution in the evidence.
 */
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

let w: CliWorld;
const MR = demo.mergeRequests.conflictingPick;
const cli = (args: string[]) => runCli(args, { cwd: w.dir, env: w.env });

beforeAll(async () => {
  w = await startCliWorld();
});
afterAll(async () => {
  expect(allOutput.join('\n')).not.toContain(SENTINEL_TOKEN);
  await w?.close();
});

describe('hotfix promote --resolve and hotfix resolve --continue', () => {
  it('writes the conflict into the workspace, waits for the edit, then pushes it and promotes', async () => {
    const ws = join(w.dir, 'ws');
    const rel = `${MR.project.replace('/', '+')}/src/tariff.ts`;
    const file = join(ws, rel);
    const first = await cli([
      'promote',
      '--mr',
      `${MR.project}!${MR.iid}`,
      '--resolve',
      'ws',
      '--evidence',
      'res.json',
    ]);
    expect(first.code).toBe(6);
    expect(first.stdout).toContain(
      `Edit ${file} (remove the conflict markers), then run: hotfix resolve --continue ${ws} --evidence ${join(w.dir, 'res.json')}`,
    );
    const conflicted = await readFile(file, 'utf8');
    expect(conflicted).toMatch(/^<{7} /m);

    const early = await cli(['resolve', '--continue', 'ws', '--evidence', 'res.json', '--json']);
    expect(early.code).toBe(6);
    expect(JSON.parse(early.stdout)).toMatchObject({ command: 'resolve', exitCode: 6, edit: [rel] });

    // The operator keeps the hotfix's side of every conflicting hunk.
    const resolved = conflicted.replace(
      /^<{7} [^\n]*\n[\s\S]*?(?:^\|{7}[^\n]*\n[\s\S]*?)?^={7}\n([\s\S]*?)^>{7} [^\n]*\n/gm,
      '$1',
    );
    expect(resolved).not.toMatch(/^(<{7}|={7}|>{7})/m);
    await writeFile(file, resolved);
    const done = await cli(['resolve', '--continue', 'ws', '--evidence', 'res.json', '--json']);
    expect(done.stderr).toMatch(/pick evenergi\/charging-api done/);
    expect(done.code).toBe(0);
    expect(JSON.parse(done.stdout)).toMatchObject({
      command: 'resolve',
      ok: true,
      promotedTargets: [MR.project],
      targets: [{ target: MR.project, outcome: 'promoted' }],
    });
    const bundle = parseBundle(JSON.parse(await readFile(join(w.dir, 'res.json'), 'utf8')));
    expect(bundle.isOk() && bundle.value.targets[0]?.conflicts.length).toBeGreaterThan(0);
  });

  it('refuses a folder that is not a resolution workspace (exit 3)', async () => {
    const r = await cli(['resolve', '--continue', '.']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^hotfix: invalid-input \[D3\]: .* is not a resolution workspace/);
  });
});
