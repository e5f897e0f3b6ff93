/**
 * The operator's terminal: live progress under a pseudo-terminal, and Ctrl-C (SIGINT) during a
 * wait stopping cleanly with the resume command, which then finishes the promotion.
 */
import { join } from 'node:path';
import { demoScenarioInfo as demo } from '@hotfix-release/gitlab-sim';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { itWithRealisticFailures } from '../../../test-support/sim-mode.js';
import { allOutput, runCli, runInPty } from './support/cli.js';
import { type CliWorld, SENTINEL_TOKEN, startCliWorld } from './support/world.js';

/** Runs in both simulator modes (HOTFIX_SIM_MODE); no test is expected to fail in realistic mode. */
const it = itWithRealisticFailures([]);

let w: CliWorld;
const mrRef = (m: { project: string; iid: number }) => `${m.project}!${m.iid}`;

beforeAll(async () => {
  w = await startCliWorld();
});
afterAll(async () => {
  expect(allOutput.join('\n')).not.toContain(SENTINEL_TOKEN);
  await w?.close();
});

describe.concurrent('hotfix on a terminal (two targets at once)', () => {
  it('shows live progress (spinner, elapsed time, steps, links) on a TTY, without colour under NO_COLOR', async () => {
    const r = await runInPty(['promote', '--mr', mrRef(demo.mergeRequests.squashMerged), '--evidence', 'tty.json'], {
      cwd: w.dir,
      env: w.env,
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('\r\x1b[2K');
    expect(r.stdout).toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] \d\d:\d\d /);
    expect(r.stdout).toMatch(/✓ \d\d:\d\d pick evenergi\/fleet-portal done/);
    expect(r.stdout).toMatch(/pipeline #\d+ created http:\/\/127\.0\.0\.1:\d+\/evenergi\/develop\/-\/pipelines\/\d+/);
    expect(r.stdout).toContain('✓ evenergi/fleet-portal: promoted');
    expect(r.stdout).not.toMatch(new RegExp(`${String.fromCharCode(27)}\\[3\\dm`));
    expect(r.stdout).not.toMatch(/^\d{4}-\d\d-\d\dT/m);
  });

  it('stops cleanly on Ctrl-C during the wait (130), says how to resume, and resume finishes it', async () => {
    const journal = join(w.dir, 'ff.journal.json');
    let sent = false;
    const r = await runCli(['promote', '--mr', mrRef(demo.mergeRequests.fastForward), '--evidence', 'ff.json'], {
      cwd: w.dir,
      env: w.env,
      onStderr: (text, child) => {
        if (!sent && /pipeline #\d+ created/.test(text)) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    });
    expect(sent).toBe(true);
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('Stopping at the next safe point');
    expect(`${r.stdout}${r.stderr}`).toContain(`hotfix resume ${journal}`);
    const resumed = await runCli(['resume', journal, '--json'], { cwd: w.dir, env: w.env });
    expect(resumed.stderr).toContain(`Resuming ${mrRef(demo.mergeRequests.fastForward)}`);
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({
      command: 'resume',
      ok: true,
      exitCode: 0,
      evidence: join(w.dir, 'ff.json'),
      promotedTargets: [demo.mergeRequests.fastForward.project],
    });
    const again = await runCli(['resume', journal], { cwd: w.dir, env: w.env });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('already complete');
  });
});
