/**
 * Claims the docs make about limitations, pinned so the docs change when the code does. Each test
 * names the page that states it; when one fails because the limitation is gone, update that page.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '@hotfix-release/cli';
import { demoScenarioInfo as demo, type GitLabSim, startGitLabSim } from '@hotfix-release/gitlab-sim';
import {
  cherryPickToRelease,
  createGitLabClient,
  parseRunbookConfig,
  promoteHotfix,
  resolveConflict,
  resumeHotfix,
} from '@hotfix-release/sdk';
import { afterAll, afterEach, beforeAll, describe, expect } from 'vitest';
import { itWithRealisticFailures, simModeOptions } from '../test-support/sim-mode.js';
import { SIM_WAIT, simConfig } from './_sim-support.js';
import { takeHotfixSide } from './resolve-conflict-in-flow.js';

/** Runs in both simulator modes (HOTFIX_SIM_MODE); no test is expected to fail in realistic mode. */
const it = itWithRealisticFailures([]);

describe('documented limitations', () => {
  let dir: string;
  let sim: GitLabSim | undefined;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'claims-'));
  });
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('docs/conflict-resolution.md: promote --resolve, edit, resolve --continue promotes, and the bundle passes the policy', async () => {
    sim = await startGitLabSim({ scenario: 'demo', ...simModeOptions });
    const mr = demo.mergeRequests.conflictingPick;
    const cwd = join(dir, 'cli');
    await mkdir(cwd, { recursive: true });
    await writeFile(
      join(cwd, 'hotfix.config.json'),
      JSON.stringify({ wait: SIM_WAIT, runbook: simConfig(sim, [mr.project]) }),
    );
    const out: string[] = [];
    const deps = {
      stdout: (t: string) => out.push(t),
      stderr: (t: string) => out.push(t),
      env: { GITLAB_URL: sim.url, GITLAB_TOKEN: sim.token },
      cwd,
    };
    const ws = join(cwd, 'workspace');
    expect(await run(['promote', '--mr', `${mr.project}!${mr.iid}`, '--resolve', ws], deps), out.join('')).toBe(6);
    const file = join(ws, `${mr.project.split('/').join('+')}/src/tariff.ts`);
    const conflicted = await readFile(file, 'utf8');
    expect(conflicted).toContain('<<<<<<< ours');
    // The operator keeps the hotfix's side of each conflict.
    await writeFile(file, conflicted.replace(/<<<<<<< ours\n[\s\S]*?=======\n([\s\S]*?)>>>>>>> theirs\n/g, '$1'));
    out.length = 0;
    expect(await run(['resolve', '--continue', ws, '--evidence', 'evidence.json'], deps), out.join('')).toBe(0);
    out.length = 0;
    await writeFile(
      join(dir, 'policy.json'),
      JSON.stringify({
        version: 1,
        gitlab: { url: sim.url },
        orchestration: { project: 'evenergi/develop', ref: 'main' },
        release: { branch: 'release', environment: 'staging', label: 'Validated in Staging' },
        governedProjects: [mr.project],
      }),
    );
    const gate = ['--policy', join(dir, 'policy.json'), '--mr', `${mr.project}!${mr.iid}`];
    expect(await run(['policy', 'check', join(cwd, 'evidence.json'), ...gate], deps), out.join('')).toBe(0);
  });

  it('docs/conflict-resolution.md: resuming after a resolution pushed outside the promotion stops with drift', async () => {
    sim = await startGitLabSim({ scenario: 'demo', ...simModeOptions });
    const mr = demo.mergeRequests.conflictingPick;
    const client = createGitLabClient({ gitlabUrl: sim.url, token: sim.token })._unsafeUnwrap();
    const config = parseRunbookConfig(simConfig(sim, [mr.project]))._unsafeUnwrap();
    const journalPath = join(dir, 'journal.json');
    const first = (await promoteHotfix(client, config, { mr, journalPath, ...SIM_WAIT }))._unsafeUnwrap();
    expect(first.targets[0]).toMatchObject({ outcome: 'pending', reason: 'conflict' });

    const pick = (await cherryPickToRelease(client, config, { mr }))._unsafeUnwrap();
    if (pick.kind !== 'conflict') throw new Error(`expected a conflict, got ${pick.kind}`);
    const resolved = await resolveConflict(client, {
      project: mr.project,
      conflict: pick,
      gitToken: sim.token,
      resolver: takeHotfixSide(['src/tariff.ts']),
    });
    expect(resolved._unsafeUnwrap().kind).toBe('resolved');

    const resumed = (await resumeHotfix(client, config, { journalPath, ...SIM_WAIT }))._unsafeUnwrap();
    expect(resumed.targets[0]).toMatchObject({ outcome: 'failed', reason: 'drift' });
    expect(resumed.bundle.targets[0]?.drift?.kinds).toContain('content-mismatch');
  });

  it('docs/policy-in-ci.md: its commands pass, as written and with CI=true, on a signed bundle of the demo', async () => {
    sim = await startGitLabSim({ scenario: 'demo' });
    const mr = demo.mergeRequests.cleanPick;
    const client = createGitLabClient({ gitlabUrl: sim.url, token: sim.token })._unsafeUnwrap();
    const config = parseRunbookConfig(simConfig(sim, [mr.project]))._unsafeUnwrap();
    const promoted = (await promoteHotfix(client, config, { mr, sentinels: [sim.token], ...SIM_WAIT }))._unsafeUnwrap();
    const checkout = join(dir, 'gate-demo', 'checkout');
    await mkdir(join(dir, 'gate-demo', 'gate'), { recursive: true });
    await mkdir(checkout, { recursive: true });
    const keys = generateKeyPairSync('ed25519');
    const publicKey = keys.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    await writeFile(join(checkout, 'evidence.json'), JSON.stringify(promoted.bundle));
    await writeFile(
      join(checkout, 'signing-key.pem'),
      keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    );
    await writeFile(join(checkout, 'signing-key.pub.pem'), publicKey);
    await writeFile(
      join(dir, 'gate-demo', 'gate', 'policy.json'),
      JSON.stringify({
        version: 1,
        orchestration: { project: config.orchestration.project, ref: config.orchestration.ref },
        release: { branch: config.releaseBranch, environment: config.environment, label: config.label },
        governedProjects: [mr.project],
        signing: { trustedKeys: [{ publicKey }] },
      }),
    );
    const page = await readFile(join(import.meta.dirname, '../docs/policy-in-ci.md'), 'utf8');
    const block = /<!-- docs-claims: policy-in-ci commands -->\s*```bash\n([\s\S]*?)```/.exec(page)?.[1] ?? '';
    const commands = block.split('\n').filter((l) => l.startsWith('hotfix '));
    expect(commands).toHaveLength(4);
    const out: string[] = [];
    const deps = {
      stdout: (t: string) => out.push(t),
      stderr: (t: string) => out.push(t),
      env: { CI: 'true', CI_SERVER_URL: sim.url, CI_PROJECT_DIR: checkout, GITLAB_TOKEN: sim.token },
      cwd: checkout,
    };
    for (const line of commands) {
      out.length = 0;
      expect(await run(line.split(/\s+/).slice(1), deps), `${line}\n${out.join('')}`).toBe(0);
    }
    expect(await readFile(join(checkout, 'policy.xml'), 'utf8')).toContain('<testsuites');
    // The same gate refuses the unsigned bundle (signed or refused).
    out.length = 0;
    const unsigned = [
      'policy',
      'check',
      'evidence.json',
      '--policy',
      '../gate/policy.json',
      '--mr',
      `${mr.project}!${mr.iid}`,
    ];
    expect(await run(unsigned, deps), out.join('')).toBe(2);
  });
  it('docs/concepts.md: with lock.wait false, a second promotion is refused at once with lock-held naming the holder', async () => {
    sim = await startGitLabSim({ scenario: 'demo', ...simModeOptions });
    const a = demo.mergeRequests.conflictingPick;
    const b = demo.mergeRequests.cleanPick;
    const client = createGitLabClient({ gitlabUrl: sim.url, token: sim.token })._unsafeUnwrap();
    const config = parseRunbookConfig(simConfig(sim, [a.project]))._unsafeUnwrap();
    const journalPath = join(dir, 'holder.journal.json');
    const first = (await promoteHotfix(client, config, { mr: a, journalPath, ...SIM_WAIT }))._unsafeUnwrap();
    expect(first.targets[0]).toMatchObject({ outcome: 'pending', reason: 'conflict' });
    const writes = () => sim?.controls.requests.filter((q) => q.method !== 'GET').length ?? 0;
    const before = writes();
    const r = await promoteHotfix(client, config, { mr: b, lock: { wait: false }, ...SIM_WAIT });
    const e = r._unsafeUnwrapErr();
    expect(e).toMatchObject({
      code: 'lock-held',
      runbookRef: 'S2',
      details: { holder: { mr: `${a.project}!${a.iid}` } },
    });
    expect(e.message).toMatch(
      /^The release lock of evenergi\/charging-api release is held by root \(promoting evenergi\/charging-api!2\)/,
    );
    expect(e.code === 'lock-held' && Date.parse(e.details.leaseExpiresAt)).toBeGreaterThan(Date.now());
    expect(writes()).toBe(before);
  });
});
