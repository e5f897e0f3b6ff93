/**
 * Crash matrix (issue 12): the `hotfix` CLI is killed with SIGKILL at every step boundary
 * of a promotion and in the middle of each side-effecting request (after GitLab acted,
 * before the answer arrived); `hotfix resume <journal>` must then complete the promotion
 * with no side effect repeated (one pick, one pipeline, one note, one label edit).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { demoScenarioInfo as demo, type LoggedRequest } from '@hotfix-release/gitlab-sim';
import { describe, expect } from 'vitest';
import { itWithRealisticFailures } from '../../../test-support/sim-mode.js';
import { cliNodeArgs, runCli } from './support/cli.js';
import { type CliWorld, SENTINEL_TOKEN, startCliWorld } from './support/world.js';

/** Tests expected to fail in realistic mode (HOTFIX_SIM_MODE=realistic), and the issue that fixes them: none left. */
const it = itWithRealisticFailures([]);

const MR = demo.mergeRequests.cleanPick;
const SIDE_EFFECTS: Record<string, RegExp> = {
  pick: /\/cherry_pick$/,
  pipeline: /^\/projects\/:id\/pipeline$/,
  note: /\/notes$/,
  label: /^\/projects\/:id\/merge_requests\/:merge_request_iid$/,
};

function counts(log: readonly LoggedRequest[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, re] of Object.entries(SIDE_EFFECTS)) {
    out[name] = log.filter(
      (r) =>
        r.method !== 'GET' &&
        r.handled &&
        r.status > 0 &&
        r.status < 400 &&
        re.test(r.route) &&
        !(r.body as { dry_run?: boolean } | undefined)?.dry_run,
    ).length;
  }
  return out;
}

/** Starts `hotfix promote` and SIGKILLs it when `killWhen` says so; resolves when it is gone. */
function promoteUntilKilled(
  w: CliWorld,
  killWhen: (stderr: string) => boolean,
): Promise<{ killed: boolean; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...cliNodeArgs(), 'promote', '--mr', `${MR.project}!${MR.iid}`, '--evidence', 'ev.json'],
      {
        cwd: w.dir,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...w.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    let killed = false;
    const check = () => {
      if (!killed && killWhen(stderr)) {
        killed = true;
        child.kill('SIGKILL');
      }
    };
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      check();
    });
    const poll = setInterval(check, 20);
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(poll);
      expect(stderr).not.toContain(SENTINEL_TOKEN);
      resolve({ killed, code });
    });
  });
}

const BOUNDARIES = [
  /pick \S+ done/,
  /drift \S+ done/,
  /trigger \S+ done/,
  /deploy \S+ done/,
  /smoke \S+ done/,
  /note \S+ done/,
  /label done/,
];
const MID_REQUEST = [
  { name: 'pick', method: 'POST', route: '/projects/:id/repository/commits/:sha/cherry_pick' },
  { name: 'pipeline', method: 'POST', route: '/projects/:id/pipeline' },
  { name: 'note', method: 'POST', route: '/projects/:id/merge_requests/:merge_request_iid/notes' },
  { name: 'label', method: 'PUT', route: '/projects/:id/merge_requests/:merge_request_iid' },
];

async function resumeAndCheck(w: CliWorld): Promise<void> {
  const resumed = await runCli(['resume', join(w.dir, 'ev.journal.json')], { cwd: w.dir, env: w.env });
  expect(resumed.stdout + resumed.stderr).not.toContain(SENTINEL_TOKEN);
  expect({ code: resumed.code, out: resumed.code === 0 ? '' : resumed.stdout + resumed.stderr }).toEqual({
    code: 0,
    out: '',
  });
  expect(counts(w.sim.controls.requests)).toEqual({ pick: 1, pipeline: 1, note: 1, label: 1 });
}

describe('crash matrix: SIGKILL, then hotfix resume', () => {
  for (const boundary of BOUNDARIES) {
    it.concurrent(`at the step boundary ${boundary.source}`, async () => {
      const w = await startCliWorld();
      try {
        const run = await promoteUntilKilled(w, (s) => boundary.test(s));
        expect(run.killed).toBe(true);
        await resumeAndCheck(w);
      } finally {
        await w.close();
      }
    }, 90_000);
  }
  for (const req of MID_REQUEST) {
    it.concurrent(`in the middle of the ${req.name} request, after GitLab acted`, async () => {
      const w = await startCliWorld();
      try {
        w.sim.fault({ method: req.method, route: req.route, kind: 'delay-after', delayMs: 3_000 });
        const acted = () =>
          w.sim.controls.requests.some(
            (r) => r.method === req.method && r.route === req.route && r.handled && r.fault === 'delay-after',
          );
        const run = await promoteUntilKilled(w, acted);
        expect(run.killed).toBe(true);
        await resumeAndCheck(w);
      } finally {
        await w.close();
      }
    }, 90_000);
  }
});
