/**
 * A promotion never reports success with evidence that fails (issue 17): `hotfix promote` and
 * `hotfix resume` check their own sealed bundle with the policy before they report `promoted`.
 * With a deploy fingerprint that matches nothing GitLab shows, the deployment happens but E2
 * fails: exit 1 naming E2, the evidence still written. A normal promotion's self-check passes with
 * E2 and E3 resting on `observed`. Child processes against the simulator, both modes.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseBundle } from '@hotfix-release/evidence';
import { demoScenarioInfo as demo } from '@hotfix-release/gitlab-sim';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { itWithRealisticFailures, SIM_MODE } from '../../../test-support/sim-mode.js';
import { allOutput, runCli } from './support/cli.js';
import { type CliWorld, SENTINEL_TOKEN, startCliWorld } from './support/world.js';

/** Runs in both simulator modes (HOTFIX_SIM_MODE); no test is expected to fail in realistic mode. */
const it = itWithRealisticFailures([]);

const mrRef = (m: { project: string; iid: number }) => `${m.project}!${m.iid}`;
let w: CliWorld;
const cli = (args: string[]) => runCli(args, { cwd: w.dir, env: w.env });

/** Writes a variant of the world's hotfix.config.json. */
async function variant(name: string, change: (c: { wait: object; runbook: Record<string, unknown> }) => void) {
  const config = JSON.parse(await readFile(join(w.dir, 'hotfix.config.json'), 'utf8'));
  change(config);
  await writeFile(join(w.dir, name), JSON.stringify(config));
}

const CUT_OFF = ['bring-all-code-to-release-branch', 'deploy-after-cut-off'];
/**
 * A deploy fingerprint GitLab's jobs do not match. The cooperative simulator reaches the deploy through a
 * bridge, so `["no-such-job"]` still deploys and only the evidence tells; a realistic GitLab's trigger-API
 * downstream is found through the jobs matching the fingerprint, so there one entry must match for the
 * deploy to happen at all (the other, `no-such-job`, still fails E2; `["no-such-job"]` alone stops the
 * deploy, checked below).
 */
const NO_MATCH = SIM_MODE.name === 'realistic' ? ['deploy-release-branch-to-staging', 'no-such-job'] : ['no-such-job'];
const noMatch = (c: { runbook: Record<string, unknown> }) => {
  c.runbook.orchestration = { fingerprints: { deploy: NO_MATCH, cutOff: CUT_OFF } };
};

beforeAll(async () => {
  w = await startCliWorld();
  await variant('nomatch.json', noMatch);
  await variant('nomatch-impatient.json', (c) => {
    noMatch(c);
    c.wait = { maxWaitMs: 300, minDelayMs: 100, maxDelayMs: 200 };
  });
});
afterAll(async () => {
  expect(allOutput.join('\n')).not.toContain(SENTINEL_TOKEN);
  await w?.close();
});

describe('a promotion checks its own evidence before it reports promoted', () => {
  it('promote: a deploy fingerprint that matches nothing exits 1 naming E2, and the evidence is written', async () => {
    const mr = demo.mergeRequests.cleanPick;
    const r = await cli([
      'promote',
      '--mr',
      mrRef(mr),
      '--evidence',
      'nomatch-evidence.json',
      '--config',
      'nomatch.json',
    ]);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/✗ self-check: E2 failed \[E2\] for evenergi\/charging-api: .*deploy fingerprint/);
    expect(r.stdout).toContain(`✗ ${mr.project}: deployed, not reported as promoted`);
    expect(r.stdout).not.toMatch(/✓ evenergi\/charging-api: promoted/);
    expect(r.stdout).toContain(`Evidence: ${join(w.dir, 'nomatch-evidence.json')}`);
    expect(r.stderr).toMatch(/hotfix: self-check-failed \[E2\]: self-check: E2 failed for evenergi\/charging-api/);
    // The evidence is the proof of what happened: written, valid, the target deployed.
    const bundle = parseBundle(JSON.parse(await readFile(join(w.dir, 'nomatch-evidence.json'), 'utf8')));
    expect(bundle.isOk() && bundle.value.promotedTargets).toEqual([mr.project]);
    // The same bundle through the already-complete resume: the self-check still refuses it, as JSON (RFC 9457).
    const again = await cli([
      'resume',
      'nomatch-evidence.journal.json',
      '--evidence',
      'again.json',
      '--config',
      'nomatch.json',
      '--json',
    ]);
    expect(again.code, again.stdout + again.stderr).toBe(1);
    const problem = JSON.parse(again.stdout) as Record<string, unknown>;
    expect(problem).toMatchObject({
      type: 'https://hotfix-release.dev/problems/self-check-failed',
      code: 'self-check-failed',
      runbookRef: 'E2',
      exitCode: 1,
      status: 422,
      command: 'resume',
      ok: false,
      complete: true,
      // E3 refuses it too: the promotion's own pipeline, judged by the same fingerprint, is not a deploy.
      selfCheck: {
        status: 'fail',
        failed: [
          { control: 'E2', runbookRef: 'E2', target: mr.project, status: 'fail' },
          { control: 'E3', runbookRef: 'E3', target: mr.project, status: 'fail' },
        ],
      },
    });
    expect(existsSync(join(w.dir, 'again.json'))).toBe(true);
    // With the runbook's own fingerprints the same finished promotion passes its self-check.
    const fine = await cli(['resume', 'nomatch-evidence.journal.json', '--evidence', 'again.json', '--json']);
    expect(fine.code, fine.stdout).toBe(0);
    expect(JSON.parse(fine.stdout)).toMatchObject({ ok: true, selfCheck: { status: 'pass', failed: [] } });
  });

  it('resume: the resumed promotion with that fingerprint exits 1 naming E2 (JSON and ndjson carry it)', async () => {
    const mr = demo.mergeRequests.squashMerged;
    const journal = join(w.dir, 'slow.journal.json');
    const first = await cli([
      'promote',
      '--mr',
      mrRef(mr),
      '--evidence',
      'slow.json',
      '--config',
      'nomatch-impatient.json',
    ]);
    expect(first.code, first.stdout + first.stderr).toBe(4);
    const resumed = await cli(['resume', journal, '--config', 'nomatch.json', '--events', 'ndjson']);
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(1);
    const lines = resumed.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toContainEqual(
      expect.objectContaining({
        type: 'step',
        step: 'self-check',
        status: 'failed',
        message: expect.stringMatching(/E2 failed/),
      }),
    );
    expect(lines.at(-1)).toMatchObject({
      code: 'self-check-failed',
      runbookRef: 'E2',
      exitCode: 1,
      command: 'resume',
      evidence: join(w.dir, 'slow.json'),
      targets: [{ target: mr.project, outcome: 'promoted' }],
      selfCheck: {
        failed: [
          { control: 'E2', target: mr.project },
          { control: 'E3', target: mr.project },
        ],
      },
    });
    expect(existsSync(join(w.dir, 'slow.json'))).toBe(true);
  });

  it('a normal promotion exits 0: its self-check passes with E2 resting on observed', async () => {
    const mr = demo.mergeRequests.fastForward;
    const r = await cli(['promote', '--mr', mrRef(mr), '--evidence', 'normal.json', '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      ok: true,
      exitCode: 0,
      selfCheck: {
        status: 'pass',
        policyExitCode: 0,
        failed: [],
        unjudged: [],
        // Both rest on what GitLab observably ran: the pipeline's jobs, and each window pipeline's jobs.
        restsOn: [{ target: mr.project, E2: 'observed', E3: 'observed' }],
      },
    });
    const human = await cli(['resume', 'normal.journal.json']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(
      /✓ self-check: E1–E8 pass against this promotion's own configuration \(evenergi\/billing-service: E2 observed, E3 observed\)/,
    );
  });

  it('a deploy fingerprint of only "no-such-job": never reported as promoted (realistic: the deploy is not even reached)', async () => {
    const own = await startCliWorld();
    try {
      const config = JSON.parse(await readFile(join(own.dir, 'hotfix.config.json'), 'utf8'));
      config.runbook.orchestration = { fingerprints: { deploy: ['no-such-job'], cutOff: CUT_OFF } };
      await writeFile(join(own.dir, 'nothing.json'), JSON.stringify(config));
      const mr = demo.mergeRequests.cleanPick;
      const r = await runCli(['promote', '--mr', mrRef(mr), '--evidence', 'e.json', '--config', 'nothing.json'], {
        cwd: own.dir,
        env: own.env,
      });
      expect(r.code, r.stdout + r.stderr).toBe(1);
      expect(r.stdout).not.toContain(`✓ ${mr.project}: promoted`);
      expect(r.stdout).toMatch(
        SIM_MODE.name === 'realistic'
          ? /✗ evenergi\/charging-api: failed \(deploy-failed\)/
          : /✗ self-check: E2 failed \[E2\]/,
      );
      // Rollback on failure is off by default (D6): nothing was reverted, and the summary says so.
      if (SIM_MODE.name === 'realistic')
        expect(r.stdout).toContain('Rollback on failure is off: nothing was reverted.');
      expect(existsSync(join(own.dir, 'e.json'))).toBe(true);
    } finally {
      await own.close();
    }
  });
});
