/**
 * Issue 23: the release lock through the `hotfix` CLI. A promotion SIGKILLed mid-way leaves its lock
 * on GitLab: a second promotion is refused naming the holder (`--no-wait`), `hotfix doctor` shows it,
 * and once the lease runs out it is still refused unless `--break-lock` (recorded in the evidence);
 * `hotfix resume` of the killed one continues under its own lock; `hotfix abandon` releases it.
 */
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { demoScenarioInfo as demo } from '@hotfix-release/gitlab-sim';
import { afterEach, describe, expect } from 'vitest';
import { itWithRealisticFailures } from '../../../test-support/sim-mode.js';
import { cliNodeArgs, runCli } from './support/cli.js';
import { type CliWorld, SENTINEL_TOKEN, startCliWorld } from './support/world.js';

const it = itWithRealisticFailures([]);
const A = demo.mergeRequests.cleanPick;
const B = demo.mergeRequests.conflictingPick;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The shortest lease the configuration takes. */
const LEASE_MS = 10_000;
/**
 * The lease of the test that shows a lock still held: long enough for three CLI runs on a loaded
 * 2-core machine (seconds each) before it runs out; the test then waits only for what is left of it.
 */
const HELD_LEASE_MS = 40_000;

/** The demo world with a short lease, so a killed promotion's lock goes stale within the test. */
async function lockWorld(leaseMs = LEASE_MS): Promise<CliWorld> {
  const w = await startCliWorld();
  const path = join(w.dir, 'hotfix.config.json');
  const config = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  await writeFile(path, JSON.stringify({ ...config, lock: { leaseMs, pollMs: 500, maxWaitMs: 1_000 } }));
  return w;
}

/** Sleeps until `iso` has passed by `marginMs`. */
async function sleepUntil(iso: string, marginMs: number): Promise<void> {
  const left = Date.parse(iso) + marginMs - Date.now();
  if (left > 0) await sleep(left);
}

/** `hotfix promote` of A, SIGKILLed once its pick is done (after the lock was taken, mid-promotion). */
function promoteAUntilKilled(w: CliWorld): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...cliNodeArgs(), 'promote', '--mr', `${A.project}!${A.iid}`, '--evidence', 'a.json'],
      {
        cwd: w.dir,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...w.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    let killed = false;
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (!killed && /pick \S+ done/.test(stderr)) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('close', () => {
      expect(stderr).not.toContain(SENTINEL_TOKEN);
      resolve(killed);
    });
  });
}

describe('the release lock through the CLI (issue 23)', () => {
  let w: CliWorld;
  afterEach(() => w?.close());
  const cli = (args: string[]) => runCli(args, { cwd: w.dir, env: w.env });
  const doctorLock = async () => {
    const r = await cli(['doctor', '--target', A.project, '--no-health', '--json']);
    const doc = JSON.parse(r.stdout) as { findings: { id: string; status: string; message: string }[] };
    return doc.findings.find((f) => f.id === 'release-lock');
  };

  it('a SIGKILLed promotion blocks others until its lease runs out, then still without --break-lock; resume continues under it', async () => {
    w = await lockWorld(HELD_LEASE_MS);
    expect(await promoteAUntilKilled(w)).toBe(true);
    // The second operator is refused at once, told who holds the lock, for which MR, until when.
    const refused = await cli(['promote', '--mr', `${B.project}!${B.iid}`, '--evidence', 'b.json', '--no-wait']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /lock-held \[S2\].*held by \S+ \(promoting evenergi\/charging-api!1 on [^)]+\); its lease runs until \d{4}-/,
    );
    const leaseEnd = /its lease runs until (\S+?)[.;,]?\s/.exec(refused.stderr)?.[1] ?? '';
    expect(Number.isNaN(Date.parse(leaseEnd))).toBe(false);
    expect(await doctorLock()).toMatchObject({
      status: 'warn',
      message: expect.stringContaining(`promoting ${A.project}!1`),
    });
    // Waiting (bounded) does not help while the lease runs: refused after the wait, naming how long it waited.
    const waited = await cli(['promote', '--mr', `${B.project}!${B.iid}`, '--evidence', 'b.json']);
    expect([waited.code, waited.stderr]).toEqual([1, expect.stringMatching(/lock-held .*\(waited \d+ s\)/)]);
    expect(waited.stderr).toMatch(/Waiting for the release lock of evenergi\/charging-api release: held by/);
    await sleepUntil(leaseEnd, 1_000);
    // Stale: still refused without --break-lock, and doctor fails naming the holder and the expiry.
    const stale = await cli(['promote', '--mr', `${B.project}!${B.iid}`, '--evidence', 'b.json', '--no-wait']);
    expect([stale.code, stale.stderr]).toEqual([1, expect.stringMatching(/lock-stale \[R3\].*--break-lock/s)]);
    expect(await doctorLock()).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(/lease ran out at \d{4}-/),
    });
    // The killed promotion's resume re-adopts its own lock and completes, then releases it.
    const resumed = await cli(['resume', join(w.dir, 'a.journal.json')]);
    expect({ code: resumed.code, out: resumed.code === 0 ? '' : resumed.stdout + resumed.stderr }).toEqual({
      code: 0,
      out: '',
    });
    const bundle = JSON.parse(await readFile(join(w.dir, 'a.json'), 'utf8')) as {
      targets: { lock?: { releasedAt?: string; brokenFrom?: unknown } }[];
    };
    expect(bundle.targets[0]?.lock).toMatchObject({ releasedAt: expect.any(String) });
    expect(bundle.targets[0]?.lock?.brokenFrom).toBeUndefined();
    const status = await cli(['status', '--evidence', 'a.json']);
    expect(status.stdout).toContain('release lock: free');
    expect(await doctorLock()).toMatchObject({ status: 'ok' });
  }, 120_000);

  it('--break-lock takes a stale lock over (recorded in the evidence); abandon releases it, and the killed one resumes after', async () => {
    w = await lockWorld();
    expect(await promoteAUntilKilled(w)).toBe(true);
    await sleep(LEASE_MS + 500);
    // B breaks the stale lock; its pick conflicts, so it stops awaiting a resolution, still holding the lock.
    const broke = await cli(['promote', '--mr', `${B.project}!${B.iid}`, '--evidence', 'b.json', '--break-lock']);
    expect(broke.code).toBe(6);
    expect(broke.stderr).toMatch(
      /Took over the stale release lock of release \(held by \S+ for evenergi\/charging-api!1/,
    );
    const b = JSON.parse(await readFile(join(w.dir, 'b.json'), 'utf8')) as {
      targets: { lock?: { holder: { mr: string }; brokenFrom?: { holder: { mr: string }; leaseExpiresAt: string } } }[];
    };
    expect(b.targets[0]?.lock).toMatchObject({
      holder: { mr: `${B.project}!${B.iid}` },
      brokenFrom: { holder: { mr: `${A.project}!${A.iid}` }, leaseExpiresAt: expect.any(String) },
    });
    const status = await cli(['status', '--evidence', 'b.json']);
    expect(status.stdout).toMatch(/release lock: held by \S+ for evenergi\/charging-api!2 \(this promotion\) until/);
    // A's resume now waits for B's lock (bounded) and is refused naming B.
    const blocked = await cli(['resume', join(w.dir, 'a.journal.json'), '--no-wait']);
    expect([blocked.code, blocked.stderr]).toEqual([1, expect.stringContaining(`promoting ${B.project}!${B.iid}`)]);
    // B is given up: its lock is released and its journal refuses a resume.
    const abandoned = await cli(['abandon', join(w.dir, 'b.journal.json'), '--reason', 'replaced']);
    expect([abandoned.code, abandoned.stdout]).toEqual([0, expect.stringContaining('release lock released')]);
    const again = await cli(['resume', join(w.dir, 'b.journal.json')]);
    expect([again.code, again.stderr]).toEqual([1, expect.stringContaining('journal-abandoned')]);
    // A continues: the lock is free again.
    const resumed = await cli(['resume', join(w.dir, 'a.journal.json')]);
    expect({ code: resumed.code, out: resumed.code === 0 ? '' : resumed.stdout + resumed.stderr }).toEqual({
      code: 0,
      out: '',
    });
  }, 120_000);
});
