import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type PromotionBundle, parseBundle, signBundle } from '@hotfix-release/evidence';
import { demoScenarioInfo as demo, type GitLabSim, startGitLabSim } from '@hotfix-release/gitlab-sim';
import { afterAll, afterEach, beforeAll, describe, expect } from 'vitest';
import { itWithRealisticFailures, SIM_MODE, simModeOptions } from '../test-support/sim-mode.js';
import { copyService, healthUrl, SIM_WAIT, simConfig } from './_sim-support.js';
import { main as customSmokeCheck, respondsFastWithSha } from './custom-smoke-check.js';
import { main as policyCheck } from './policy-check-ci.js';
import { main as promoteAcross } from './promote-across-repositories.js';
import { main as promoteAndSelfCheck } from './promote-and-self-check.js';
import { main as promoteOne } from './promote-one-mr.js';
import { main as promoteThree } from './promote-to-three-services.js';
import { main as resolveInFlow } from './resolve-conflict-in-flow.js';

/** Runs in both simulator modes (HOTFIX_SIM_MODE); no test is expected to fail in realistic mode. */
const it = itWithRealisticFailures([]);

const MR = demo.mergeRequests.cleanPick;
const SERVICE = MR.project;
const keys = generateKeyPairSync('ed25519');
const mrRef = (m: { project: string; iid: number }) => `${m.project}!${m.iid}`;

/** The gate's own policy file for the simulator world (what the test set up) and the key it trusts. */
async function gateFor(sim: GitLabSim, dir: string, mr: { project: string }): Promise<string> {
  const path = join(dir, 'policy.json');
  const policy = {
    version: 1,
    gitlab: { url: sim.url },
    orchestration: { project: 'evenergi/develop', ref: 'main' },
    release: { branch: 'release', environment: 'staging', label: 'Validated in Staging' },
    governedProjects: [mr.project],
    signing: { trustedKeys: [{ publicKey: keys.publicKey.export({ type: 'spki', format: 'pem' }).toString() }] },
  };
  await writeFile(path, JSON.stringify(policy));
  return path;
}

/** Signs a bundle file as the promote template does; returns the envelope's path. */
async function sign(bundlePath: string): Promise<string> {
  const bundle = JSON.parse(await readFile(bundlePath, 'utf8')) as PromotionBundle;
  const path = bundlePath.replace(/\.json$/, '.dsse.json');
  await writeFile(path, JSON.stringify(signBundle(bundle, { privateKey: keys.privateKey })._unsafeUnwrap()));
  return path;
}

describe('examples against the simulator', () => {
  let dir: string;
  let sim: GitLabSim | undefined;
  const lines: string[] = [];
  const log = (line: string) => lines.push(line);
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'examples-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));
  afterEach(async () => {
    lines.length = 0;
    await sim?.close();
    sim = undefined;
  });

  it('promote-one-mr promotes one MR and writes a bundle the policy passes', async () => {
    sim = await startGitLabSim({ scenario: 'demo', ...simModeOptions });
    const evidencePath = join(dir, 'one.json');
    const code = await promoteOne({
      gitlabUrl: sim.url,
      token: sim.token,
      config: simConfig(sim, [SERVICE]),
      mr: MR,
      evidencePath,
      journalPath: join(dir, 'one.journal.json'),
      wait: SIM_WAIT,
      log,
    });
    expect(code, lines.join('\n')).toBe(0);
    const bundle = JSON.parse(await readFile(evidencePath, 'utf8')) as PromotionBundle;
    expect(parseBundle(bundle).isOk()).toBe(true);
    expect(bundle.promotedTargets).toEqual([SERVICE]);
    expect(lines.some((l) => l.startsWith('✓ trigger'))).toBe(true);

    // policy-check-ci as in GitLab CI on the signed bundle: 0; the same bundle unsigned: 2 (signed or
    // refused); a tampered copy: 2 (the digest no longer matches); a bad waiver file: 3.
    const gate = { policyPath: await gateFor(sim, dir, MR), mr: mrRef(MR), ci: true, log };
    const signed = await sign(evidencePath);
    expect(
      await policyCheck({ ...gate, bundlePath: signed, junitPath: join(dir, 'junit.xml') }),
      lines.join('\n'),
    ).toBe(0);
    expect(await readFile(join(dir, 'junit.xml'), 'utf8')).toContain('<testsuites');
    expect(await policyCheck({ ...gate, bundlePath: evidencePath })).toBe(2);
    const tampered = join(dir, 'tampered.json');
    await writeFile(tampered, JSON.stringify({ ...bundle, promotedTargets: [] }));
    expect(await policyCheck({ ...gate, ci: false, bundlePath: tampered })).toBe(2);
    const waivers = join(dir, 'waivers.json');
    await writeFile(waivers, JSON.stringify({ version: 1, waivers: [{ control: 'E1' }] }));
    expect(await policyCheck({ ...gate, bundlePath: signed, waiversPath: waivers })).toBe(3);
  });

  it('promote-and-self-check passes its own check, and refuses evidence whose deploy fingerprint matches nothing', async () => {
    sim = await startGitLabSim({ scenario: 'demo', ...simModeOptions });
    const base = { gitlabUrl: sim.url, token: sim.token, wait: SIM_WAIT, log };
    const code = await promoteAndSelfCheck({
      ...base,
      config: simConfig(sim, [SERVICE]),
      mr: MR,
      evidencePath: join(dir, 'self.json'),
    });
    expect(code, lines.join('\n')).toBe(0);
    expect(lines).toContainEqual(
      expect.stringMatching(/^evenergi\/charging-api: promoted; self-check passed \(E2 observed, E3 \w+\)$/),
    );

    lines.length = 0;
    const other = demo.mergeRequests.squashMerged;
    // A realistic GitLab's trigger-API deploy is reached through the jobs matching the fingerprint, so there one
    // entry must match for the deploy to happen; `no-such-job` still fails E2 (cooperative: a bridge reaches it).
    const deploy =
      SIM_MODE.name === 'realistic' ? ['deploy-release-branch-to-staging', 'no-such-job'] : ['no-such-job'];
    const fingerprints = { deploy, cutOff: ['bring-all-code-to-release-branch'] };
    const refused = await promoteAndSelfCheck({
      ...base,
      config: { ...simConfig(sim, [other.project]), orchestration: { fingerprints } },
      mr: other,
      evidencePath: join(dir, 'self-refused.json'),
    });
    expect(refused, lines.join('\n')).toBe(1);
    expect(lines).toContainEqual(expect.stringMatching(/^self-check: E2 failed \[E2\]: .*deploy fingerprint/));
    // The evidence is still written: it is the proof of what happened (the deployment did happen).
    const bundle = JSON.parse(await readFile(join(dir, 'self-refused.json'), 'utf8')) as PromotionBundle;
    expect(bundle.promotedTargets).toEqual([other.project]);
  });

  it('promote-to-three-services promotes to three targets and records all three (D4)', async () => {
    sim = await startGitLabSim({ scenario: 'demo', ...simModeOptions });
    const targets = [SERVICE, `${SERVICE}-eu`, `${SERVICE}-us`];
    for (const t of targets.slice(1)) await copyService(sim, SERVICE, t);
    const evidencePath = join(dir, 'three.json');
    const code = await promoteThree({
      gitlabUrl: sim.url,
      token: sim.token,
      config: simConfig(sim, targets),
      mr: MR,
      targets,
      evidencePath,
      wait: SIM_WAIT,
      log,
    });
    expect(code, lines.join('\n')).toBe(0);
    const bundle = JSON.parse(await readFile(evidencePath, 'utf8')) as PromotionBundle;
    expect(bundle.promotedTargets).toEqual(targets);
    expect(lines.at(-1)).toBe(`promoted: ${targets.join(', ')}`);
  });

  it('promote-across-repositories promotes one fix split over two services as one bundle naming each target’s MR (D4)', async () => {
    sim = await startGitLabSim({ scenario: 'demo', ...simModeOptions });
    const api = demo.mergeRequests.cleanPick;
    const portal = demo.mergeRequests.squashMerged;
    const evidencePath = join(dir, 'across.json');
    const code = await promoteAcross({
      gitlabUrl: sim.url,
      token: sim.token,
      config: simConfig(sim, [api.project, portal.project]),
      parts: [{ mr: portal, dependsOn: [api.project] }, { mr: api }],
      evidencePath,
      wait: SIM_WAIT,
      log,
    });
    expect(code, lines.join('\n')).toBe(0);
    // The portal depends on the API: promoted after it, whatever the given order.
    expect(lines.slice(-3)).toEqual([
      `${api.project} (${mrRef(api)}): promoted`,
      `${portal.project} (${mrRef(portal)}): promoted`,
      `promoted: ${api.project}, ${portal.project}`,
    ]);
    const bundle = parseBundle(JSON.parse(await readFile(evidencePath, 'utf8')))._unsafeUnwrap();
    expect(bundle.hotfixes.map((h) => mrRef(h.mr))).toEqual([mrRef(portal), mrRef(api)]);
    expect(bundle.targets.map((t) => [t.project, t.hotfix])).toEqual([
      [api.project, mrRef(api)],
      [portal.project, mrRef(portal)],
    ]);
  });

  it('custom-smoke-check validates with a check written as code, and rolls back when it fails (D6)', async () => {
    sim = await startGitLabSim({ scenario: 'demo', ...simModeOptions });
    const base = {
      gitlabUrl: sim.url,
      token: sim.token,
      config: simConfig(sim, [SERVICE]),
      wait: SIM_WAIT,
      log,
    };
    const ok = await customSmokeCheck({ ...base, mr: MR, checks: [respondsFastWithSha(healthUrl(sim, SERVICE))] });
    expect(ok, lines.join('\n')).toBe(0);
    expect(lines.some((l) => /passed\s+script/.test(l))).toBe(true);

    // Same MR again: the pick is found on release (already applied), the check fails, the flow rolls back.
    lines.length = 0;
    const failing = await customSmokeCheck({
      ...base,
      mr: MR,
      checks: [{ name: 'checkout works', run: async () => ({ ok: false, output: 'HTTP 500 on /checkout' }) }],
    });
    expect(failing).toBe(1);
    expect(lines.join('\n')).toMatch(/rolled_back/);
  });

  it('resolve-conflict-in-flow resolves the conflicting pick (D3) and promotes', async () => {
    sim = await startGitLabSim({ scenario: 'demo', ...simModeOptions });
    const mr = demo.mergeRequests.conflictingPick;
    const base = {
      gitlabUrl: sim.url,
      token: sim.token,
      config: simConfig(sim, [mr.project]),
      mr,
      wait: SIM_WAIT,
      log,
    };
    // A resolver that does not own the conflicting path gives up: the target stays pending.
    expect(await resolveInFlow({ ...base, hotfixOwns: ['README.md'], resolvedBy: 'ops.alice' })).toBe(1);
    expect(lines.join('\n')).toMatch(/pending/);
    lines.length = 0;
    const evidencePath = join(dir, 'resolved.json');
    expect(await resolveInFlow({ ...base, hotfixOwns: ['src/tariff.ts'], resolvedBy: 'ops.alice', evidencePath })).toBe(
      0,
    );
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}resolved src\/tariff\.ts by ops\.alice/));

    // The bundle of a promotion whose conflict was resolved in the flow passes the policy (E1 included).
    lines.length = 0;
    const gate = { policyPath: await gateFor(sim, dir, mr), mr: mrRef(mr), ci: true, log };
    expect(await policyCheck({ ...gate, bundlePath: await sign(evidencePath) }), lines.join('\n')).toBe(0);
  });
});
