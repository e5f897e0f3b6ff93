/**
 * The commands that need no GitLab, end to end as child processes: policy check (every format,
 * every exit code, and that it loads neither the GitLab client nor git), evidence
 * sign/verify/schema, usage errors and configuration errors.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sealBundle } from '@hotfix-release/evidence';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPromotionBundle, FIXTURE_NOW } from '../../evidence/test/promotion-bundle-fixture.js';
import { MODULE_LOG_HOOK, runCli } from './support/cli.js';

const SENTINEL = 'glpat-SENTINEL-offline-0123456789';
/** The gate's policy file and the MR the fixture bundle is evidence of. */
const GATE = ['--policy', 'policy.json', '--mr', 'fleet/charging-api!42'];
const POLICY = {
  version: 1,
  gitlab: { url: 'https://gitlab.example.com' },
  orchestration: { project: 'evenergi/develop', ref: 'main' },
  release: { branch: 'release', environment: 'staging', label: 'Validated in Staging' },
  governedProjects: ['fleet/charging-api'],
};
let dir: string;
const env = { GITLAB_TOKEN: SENTINEL, NO_COLOR: '1' };
const cli = (args: string[], extra: Record<string, string> = {}) =>
  runCli(args, { cwd: dir, env: { ...env, ...extra } });

function sealed(mutate: (b: ReturnType<typeof buildPromotionBundle>) => void = () => {}): string {
  const b = buildPromotionBundle();
  mutate(b);
  const s = sealBundle(b);
  if (!s.isOk()) throw new Error(s.error.message);
  return JSON.stringify(s.value, null, 2);
}

function expectProblem(doc: Record<string, unknown>, code: string, exitCode: number): void {
  expect(doc).toMatchObject({ type: `https://hotfix-release.dev/problems/${code}`, code, exitCode });
  expect(typeof doc.title).toBe('string');
  expect(typeof doc.status).toBe('number');
  expect(typeof doc.detail).toBe('string');
  expect(String(doc.instance)).toMatch(/^urn:uuid:/);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hotfix-cli-offline-'));
  const keys = generateKeyPairSync('ed25519');
  await writeFile(join(dir, 'private.pem'), keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  await writeFile(join(dir, 'public.pem'), keys.publicKey.export({ type: 'spki', format: 'pem' }).toString());
  const other = generateKeyPairSync('ed25519');
  await writeFile(join(dir, 'other.pem'), other.publicKey.export({ type: 'spki', format: 'pem' }).toString());
  await writeFile(join(dir, 'good.json'), sealed());
  await writeFile(join(dir, 'policy.json'), JSON.stringify(POLICY));
  await writeFile(
    join(dir, 'bad.json'),
    sealed((b) => {
      const p = b.targets[0]?.pipeline;
      if (p) p.inputs = { ...p.inputs, action: 'bring-all-code-to-release-branch' };
    }),
  );
  await writeFile(join(dir, 'garbage.json'), '{not json');
  await writeFile(join(dir, 'waivers-bad.json'), JSON.stringify({ version: 1, waivers: [{ control: 'E9' }] }));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('hotfix policy check', () => {
  it('returns 0 for a passing bundle and does not load the GitLab client or git', async () => {
    const log = join(dir, 'modules.log');
    const r = await runCli(['policy', 'check', 'good.json', ...GATE, '--now', FIXTURE_NOW], {
      cwd: dir,
      env: { ...env, HOTFIX_MODULE_LOG: log },
      imports: [MODULE_LOG_HOOK],
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('PASS');
    const loaded = await readFile(log, 'utf8');
    expect(loaded).toContain('policy');
    expect(loaded).not.toMatch(/@gitbeaker|isomorphic-git|packages\/sdk\/|@hotfix-release\/sdk/);
  });

  it('returns 1 when a control fails, with every format', async () => {
    const [text, json, junit, md, cq] = await Promise.all([
      cli(['policy', 'check', 'bad.json', ...GATE, '--now', FIXTURE_NOW]),
      cli(['policy', 'check', 'bad.json', ...GATE, '--now', FIXTURE_NOW, '--json']),
      cli(['policy', 'check', 'bad.json', ...GATE, '--now', FIXTURE_NOW, '--format', 'junit', '--output', 'r.xml']),
      cli(['policy', 'check', 'good.json', ...GATE, '--now', FIXTURE_NOW, '--format', 'markdown']),
      cli(['policy', 'check', 'bad.json', ...GATE, '--now', FIXTURE_NOW, '--format', 'codequality']),
    ]);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/FAIL/);
    expect(json.code).toBe(1);
    const doc = JSON.parse(json.stdout) as { status: string; exitCode: number; controls: { status: string }[] };
    expect(doc).toMatchObject({ command: 'policy check', status: 'fail', exitCode: 1 });
    expect(doc.controls.some((c) => c.status === 'fail')).toBe(true);
    expect(junit.code).toBe(1);
    expect(await readFile(join(dir, 'r.xml'), 'utf8')).toMatch(/^<\?xml[\s\S]*<testsuites[\s\S]*<failure/);
    expect(md.code).toBe(0);
    expect(md.stdout).toContain('good.json');
    expect(cq.code).toBe(1);
    expect(Array.isArray(JSON.parse(cq.stdout))).toBe(true);
  });

  it('returns 2 when the evidence cannot be evaluated and 3 for a bad waiver file', async () => {
    const [garbage, missing, waivers, human, format] = await Promise.all([
      cli(['policy', 'check', 'garbage.json', ...GATE, '--now', FIXTURE_NOW]),
      cli(['policy', 'check', 'nope.json', ...GATE, '--json']),
      cli(['policy', 'check', 'good.json', ...GATE, '--waivers', 'waivers-bad.json', '--json']),
      cli(['policy', 'check', 'good.json', ...GATE, '--waivers', 'waivers-bad.json']),
      cli(['policy', 'check', 'good.json', ...GATE, '--format', 'yaml']),
    ]);
    expect(garbage.code).toBe(2);
    expect(missing.code).toBe(2);
    expectProblem(JSON.parse(missing.stdout), 'evidence-unreadable', 2);
    expect(waivers.code).toBe(3);
    expectProblem(JSON.parse(waivers.stdout), 'invalid-waivers', 3);
    expect(human.code).toBe(3);
    expect(human.stderr.trim().split('\n')[0]).toMatch(/^hotfix: invalid-waivers: /);
    expect(format.code).toBe(64);
  });
});

describe('hotfix policy check with the MRs pinned in the policy file (expected.mrs, D4)', () => {
  const A = 'fleet/charging-api!42';
  const B = 'fleet/billing-api!42';
  beforeAll(async () => {
    const split = sealBundle(
      buildPromotionBundle({ split: true, targets: ['fleet/charging-api', 'fleet/billing-api'] }),
    );
    if (!split.isOk()) throw new Error(split.error.message);
    await writeFile(join(dir, 'split.json'), JSON.stringify(split.value));
    const pinned = {
      ...POLICY,
      governedProjects: ['fleet/charging-api', 'fleet/billing-api'],
      expected: { mrs: [A, B] },
    };
    await writeFile(join(dir, 'pinned.json'), JSON.stringify(pinned));
    await writeFile(join(dir, 'mrs.json'), JSON.stringify([B, A]));
    await writeFile(join(dir, 'mrs-other.json'), JSON.stringify([A, 'fleet/billing-api!43']));
  });
  const check = (...args: string[]) =>
    cli(['policy', 'check', 'split.json', '--policy', 'pinned.json', '--now', FIXTURE_NOW, ...args]);

  it('judges by the file’s MRs alone, and with --mr / --mrs-file naming the same set', async () => {
    const [fileOnly, flags, file] = await Promise.all([
      check('--json'),
      check('--mr', B, '--mr', A, '--json'),
      check('--mrs-file', 'mrs.json', '--json'),
    ]);
    for (const r of [fileOnly, flags, file]) {
      expect(r.stderr).toBe('');
      expect(JSON.parse(r.stdout)).toMatchObject({ command: 'policy check', status: 'pass', exitCode: 0 });
      expect(r.code).toBe(0);
    }
  });

  it('refuses (3) flags naming other MRs than the file, naming both, never preferring one', async () => {
    const [one, other, human] = await Promise.all([
      check('--mr', A, '--json'),
      check('--mrs-file', 'mrs-other.json', '--json'),
      check('--mr', A),
    ]);
    const doc = JSON.parse(one.stdout) as Record<string, unknown>;
    expectProblem(doc, 'conflicting-expectations', 3);
    expect(doc.detail).toMatch(
      /--mr names fleet\/charging-api!42; the policy file \(pinned\.json\) expected\.mrs names fleet\/charging-api!42, fleet\/billing-api!42/,
    );
    expect(one.code).toBe(3);
    const otherDoc = JSON.parse(other.stdout) as Record<string, unknown>;
    expectProblem(otherDoc, 'conflicting-expectations', 3);
    expect(otherDoc.detail).toMatch(/--mrs-file names fleet\/charging-api!42, fleet\/billing-api!43/);
    expect(human.code).toBe(3);
    expect(human.stderr.trim().split('\n')[0]).toMatch(/^hotfix: conflicting-expectations \[D4\]: /);
  });

  it('refuses (3) a policy file whose expected.mrs names an MR twice, naming the field', async () => {
    await writeFile(join(dir, 'twice.json'), JSON.stringify({ ...POLICY, expected: { mrs: [A, A] } }));
    const r = await cli(['policy', 'check', 'split.json', '--policy', 'twice.json', '--json']);
    const doc = JSON.parse(r.stdout) as Record<string, unknown>;
    expectProblem(doc, 'invalid-policy-file', 3);
    expect(JSON.stringify(doc)).toContain('/expected/mrs/1');
    expect(r.code).toBe(3);
  });
});

describe('hotfix evidence', () => {
  it('signs a bundle, verifies the envelope, and refuses a wrong key or a tampered envelope', async () => {
    const sign = await cli([
      'evidence',
      'sign',
      'good.json',
      '--key',
      'private.pem',
      '--output',
      'good.dsse.json',
      '--json',
    ]);
    expect(sign.code).toBe(0);
    expect(JSON.parse(sign.stdout)).toMatchObject({ command: 'evidence sign', ok: true, output: 'good.dsse.json' });
    const verify = await cli(['evidence', 'verify', 'good.dsse.json', '--key', 'public.pem']);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(/verifies/);
    const wrong = await cli(['evidence', 'verify', 'good.dsse.json', '--key', 'other.pem', '--json']);
    expect(wrong.code).toBe(2);
    expectProblem(JSON.parse(wrong.stdout), 'signature-invalid', 2);
    const env = JSON.parse(await readFile(join(dir, 'good.dsse.json'), 'utf8')) as { payload: string };
    const payload = JSON.parse(Buffer.from(env.payload, 'base64').toString()) as Record<string, unknown>;
    payload.predicateType = 'tampered';
    env.payload = Buffer.from(JSON.stringify(payload)).toString('base64');
    await writeFile(join(dir, 'tampered.json'), JSON.stringify(env));
    expect((await cli(['evidence', 'verify', 'tampered.json', '--key', 'public.pem'])).code).toBe(2);
    const policy = await cli([
      'policy',
      'check',
      'good.dsse.json',
      ...GATE,
      '--key',
      'public.pem',
      '--now',
      FIXTURE_NOW,
    ]);
    expect(policy.code).toBe(0);
  });

  it('prints the JSON Schema', async () => {
    const r = await cli(['evidence', 'schema']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ type: 'object' });
  });
});

describe('usage and configuration', () => {
  it('returns 64 for an unknown command, as problem details with --json', async () => {
    const r = await cli(['frobnicate', '--json']);
    expect(r.code).toBe(64);
    expectProblem(JSON.parse(r.stdout), 'usage', 64);
    const flag = await cli(['preflight', '--mr', 'a/b!1', '--bogus']);
    expect(flag.code).toBe(64);
    expect(flag.stderr).toMatch(/^hotfix: usage: .*--bogus/);
  });

  it('names the file, the field and what is expected for a bad config (exit 3)', async () => {
    const cfgDir = await mkdtemp(join(dir, 'cfg-'));
    await writeFile(
      join(cfgDir, 'hotfix.config.json'),
      JSON.stringify({ gitlab: { timeoutMs: 1000 }, runbook: { services: [{ project: 'no-slash' }] } }),
    );
    const r = await runCli(['preflight', '--mr', 'evenergi/charging-api!1'], { cwd: cfgDir, env });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(join(cfgDir, 'hotfix.config.json'));
    expect(r.stderr).toContain('/runbook/services/0/project');
    expect(r.stderr).toContain('must be a full project path');
    const json = await runCli(['preflight', '--mr', 'evenergi/charging-api!1', '--json'], { cwd: cfgDir, env });
    const doc = JSON.parse(json.stdout) as Record<string, unknown>;
    expectProblem(doc, 'invalid-config', 3);
    expect(doc).toMatchObject({
      details: { pointer: '/runbook/services/0/project' },
      file: join(cfgDir, 'hotfix.config.json'),
    });
    await writeFile(join(cfgDir, 'typo.json'), JSON.stringify({ gitlab: { ulr: 'x' } }));
    const typo = await runCli(['status', '--evidence', join(dir, 'good.json'), '--config', 'typo.json'], {
      cwd: cfgDir,
      env,
    });
    expect(typo.code).toBe(3);
    expect(typo.stderr).toMatch(/typo\.json: \/gitlab: Unrecognized key.*ulr/);
    const noToken = await runCli(['preflight', '--mr', 'a/b!1', '--gitlab-url', 'http://127.0.0.1:9'], {
      cwd: dir,
      env: {},
    });
    expect(noToken.code).toBe(3);
    expect(noToken.stderr).toMatch(/GITLAB_TOKEN/);
  });
});
