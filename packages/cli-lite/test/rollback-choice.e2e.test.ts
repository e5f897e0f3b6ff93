/**
 * Rollback on failure is the operator's visible choice (issue 23, D6): off by default, a failed
 * validation changes nothing after the checks and the summary says so; `--rollback-on-failure` (or
 * `"rollbackOnFailure": true` in hotfix.config.json) reverts and redeploys (R2).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { demoScenarioInfo as demo } from '@hotfix-release/gitlab-sim';
import { afterEach, describe, expect } from 'vitest';
import { itWithRealisticFailures } from '../../../test-support/sim-mode.js';
import { runCli } from './support/cli.js';
import { type CliWorld, SENTINEL_TOKEN, startCliWorld } from './support/world.js';

/** Runs in both simulator modes (HOTFIX_SIM_MODE); no test is expected to fail in realistic mode. */
const it = itWithRealisticFailures([]);

const MR = demo.mergeRequests.cleanPick;
const MR_REF = `${MR.project}!${MR.iid}`;

/** A world whose smoke check of the target can never pass (staging reports its SHA, the check wants another). */
async function failingWorld(extra: Record<string, unknown> = {}): Promise<CliWorld> {
  const w = await startCliWorld();
  const path = join(w.dir, 'hotfix.config.json');
  const config = JSON.parse(await readFile(path, 'utf8'));
  for (const s of config.runbook.services) s.smokeChecks[0].equals = 'not-the-deployed-sha';
  await writeFile(path, JSON.stringify({ ...config, ...extra }));
  return w;
}

/** Writes after the smoke checks started, from the simulator's request log. */
function writesAfterSmoke(w: CliWorld, at: number): string[] {
  return w.sim.controls.requests
    .slice(at)
    .filter((r) => r.method !== 'GET' && r.handled && r.status > 0 && r.status < 400 && r.route !== 'control')
    .map((r) => `${r.method} ${r.route}`);
}

describe('rollback on failure: the operator’s choice', () => {
  let w: CliWorld | undefined;
  afterEach(async () => {
    await w?.close();
    w = undefined;
  });

  it('off by default: a failed validation reverts nothing, writes nothing more, and the summary says so', async () => {
    w = await failingWorld();
    const r = await runCli(['promote', '--mr', MR_REF, '--evidence', 'ev.json', '--json'], {
      cwd: w.dir,
      env: w.env,
    });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({
      rollbackOnFailure: false,
      targets: [{ target: MR.project, outcome: 'failed', reason: 'validation-failed' }],
    });
    const bundle = JSON.parse(await readFile(join(w.dir, 'ev.json'), 'utf8'));
    expect(bundle.targets[0].rollbacks).toEqual([]);
    const human = await runCli(['resume', 'ev.journal.json'], { cwd: w.dir, env: w.env });
    expect(human.stdout).toContain('Rollback on failure is off: nothing was reverted.');
    expect(human.stdout + human.stderr).not.toContain(SENTINEL_TOKEN);
    // No revert was ever sent.
    expect(w.sim.controls.requests.filter((q) => q.method === 'POST' && q.route.endsWith('/revert'))).toEqual([]);
  }, 120_000);

  it('--rollback-on-failure reverts and redeploys (R2); the config file can say the same', async () => {
    w = await failingWorld();
    const r = await runCli(['promote', '--mr', MR_REF, '--evidence', 'ev.json', '--rollback-on-failure', '--json'], {
      cwd: w.dir,
      env: w.env,
    });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({
      rollbackOnFailure: true,
      targets: [{ target: MR.project, outcome: 'rolled_back', reason: 'validation-failed' }],
    });
    const bundle = JSON.parse(await readFile(join(w.dir, 'ev.json'), 'utf8'));
    expect(bundle.targets[0].rollbacks).toMatchObject([{ runbookRef: 'R2' }]);
    await w.close();
    w = await failingWorld({ rollbackOnFailure: true });
    const before = w.sim.controls.requests.length;
    const fromConfig = await runCli(['promote', '--mr', MR_REF, '--evidence', 'ev.json', '--json'], {
      cwd: w.dir,
      env: w.env,
    });
    expect(JSON.parse(fromConfig.stdout)).toMatchObject({
      rollbackOnFailure: true,
      targets: [{ outcome: 'rolled_back' }],
    });
    expect(writesAfterSmoke(w, before).some((x) => x.endsWith('/revert'))).toBe(true);
  }, 180_000);
});
