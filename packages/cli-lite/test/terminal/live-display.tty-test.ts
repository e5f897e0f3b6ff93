/**
 * The live display in a real terminal: `hotfix promote` runs inside tmux at 70 and 120 columns,
 * and the captured screen, scrollback included, must hold each finished step once, the outcome,
 * and no spinner or wait line left behind (the status line never wraps, so erasing it is exact).
 * Needs tmux (`.ci/run` installs it); a missing tmux fails, never skips.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { demoScenarioInfo as demo } from '@hotfix-release/gitlab-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliNodeArgs } from '../support/cli.js';
import { type CliWorld, SENTINEL_TOKEN, startCliWorld } from '../support/world.js';

const socket = `hotfix-tty-${process.pid}`;
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
const SPINNER = /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/;

let w: CliWorld;
beforeAll(async () => {
  const found = spawnSync('tmux', ['-V'], { encoding: 'utf8' });
  if (found.status !== 0) throw new Error('tmux is required for the terminal tests (apt-get install tmux)');
  w = await startCliWorld();
});
afterAll(async () => {
  spawnSync('tmux', ['-L', socket, 'kill-server']);
  await w?.close();
});

/** Runs `hotfix <args>` in a detached tmux window `columns` wide and returns the whole screen and scrollback. */
async function inTmux(
  columns: number,
  args: readonly string[],
  extraEnv: Record<string, string> = {},
): Promise<{ screen: string; rows: string[] }> {
  const session = `w${columns}`;
  // The tmux server inherits this process's environment; under CI=true (as `.ci/run` runs) the CLI rightly
  // prints plain lines, so the window is told it is an operator's terminal, not a CI job.
  const env = { ...w.env, NO_COLOR: '', FORCE_COLOR: '0', TERM: 'xterm-256color', CI: '', GITLAB_CI: '', ...extraEnv };
  const line = [process.execPath, ...cliNodeArgs(), ...args].map(quote).join(' ');
  tmux(
    'new-session',
    '-d',
    '-s',
    session,
    '-x',
    String(columns),
    '-y',
    '30',
    '-c',
    w.dir,
    ...Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]),
    `${line}; echo "EXIT=$?"; sleep 600`,
  );
  tmux('set-option', '-t', session, 'history-limit', '5000');
  const deadline = Date.now() + 120_000;
  let screen = '';
  while (Date.now() < deadline) {
    screen = tmux('capture-pane', '-p', '-J', '-S', '-', '-t', session);
    if (/EXIT=\d+/.test(screen)) break;
    await sleep(250);
  }
  const rows = tmux('capture-pane', '-p', '-S', '-', '-t', session).split('\n');
  tmux('kill-session', '-t', session);
  return { screen, rows };
}

describe('hotfix promote in a real terminal', () => {
  for (const [columns, mr] of [
    [70, demo.mergeRequests.cleanPick],
    [120, demo.mergeRequests.squashMerged],
  ] as const) {
    it(`leaves each finished step once and no spinner remnant at ${columns} columns`, async () => {
      if (!mr) throw new Error('demo scenario lacks the merge request');
      const { screen, rows } = await inTmux(columns, [
        'promote',
        '--mr',
        `${mr.project}!${mr.iid}`,
        '--evidence',
        `tty-${columns}.json`,
      ]);
      expect(screen).toContain('EXIT=0');
      expect(screen).toContain(`✓ ${mr.project}: promoted`);
      expect(screen).not.toMatch(SPINNER);
      expect(screen).not.toContain('waiting for');
      expect(screen).not.toContain(' start: ');
      for (const step of ['pick', 'drift', 'trigger', 'deploy'])
        expect([
          step,
          screen.match(new RegExp(`✓ \\d\\d:\\d\\d ${step} ${mr.project} done`, 'g'))?.length ?? 0,
        ]).toEqual([step, 1]);
      expect(screen.match(/pipeline #\d+ created/g)).toHaveLength(1);
      for (const row of rows) expect(row.length).toBeLessThanOrEqual(columns);
      expect(screen).not.toContain(SENTINEL_TOKEN);
    });
  }

  it('prints plain timestamped lines, never a spinner, when CI=true even in a terminal', async () => {
    const mr = demo.mergeRequests.fastForward;
    const { screen } = await inTmux(100, ['promote', '--mr', `${mr.project}!${mr.iid}`, '--evidence', 'tty-ci.json'], {
      CI: 'true',
    });
    expect(screen).toContain('EXIT=0');
    expect(screen).not.toMatch(SPINNER);
    expect(screen).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z pick \S+ start: /m);
    expect(screen).not.toMatch(/✓ \d\d:\d\d pick/);
    expect(screen).not.toContain(SENTINEL_TOKEN);
  });
});
