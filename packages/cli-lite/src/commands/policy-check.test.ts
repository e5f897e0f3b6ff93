/**
 * `hotfix policy check` as GitLab CI runs it (CI=true): the instance and MR come from CI_SERVER_URL,
 * CI_PROJECT_PATH and CI_MERGE_REQUEST_IID; evidence is signed or refused; a policy file inside the
 * MR's checkout (CI_PROJECT_DIR) is refused. The library-level forgery cases are in
 * packages/policy/test/forgery.test.ts.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sealBundle, signBundle } from '@hotfix-release/evidence';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPromotionBundle, FIXTURE_NOW } from '../../../evidence/test/promotion-bundle-fixture.js';
import { run } from '../run.js';

const keys = generateKeyPairSync('ed25519');
const publicPem = keys.publicKey.export({ type: 'spki', format: 'pem' }).toString();
let dir: string;
let checkout: string;

const POLICY = {
  version: 1,
  orchestration: { project: 'evenergi/develop', ref: 'main' },
  release: { branch: 'release', environment: 'staging', label: 'Validated in Staging' },
  governedProjects: ['fleet/charging-api'],
  signing: { trustedKeys: [{ publicKey: publicPem }] },
};

const CI_ENV = {
  CI: 'true',
  CI_SERVER_URL: 'https://gitlab.example.com',
  CI_PROJECT_PATH: 'fleet/charging-api',
  CI_MERGE_REQUEST_IID: '42',
};

async function hotfix(argv: string[], env: Record<string, string> = CI_ENV): Promise<{ code: number; out: string }> {
  const out: string[] = [];
  const code = await run(argv, {
    stdout: (t) => out.push(t),
    stderr: (t) => out.push(t),
    env: { ...env, CI_PROJECT_DIR: checkout, NO_COLOR: '1' },
    cwd: dir,
  });
  return { code, out: out.join('') };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hotfix-gate-'));
  checkout = join(dir, 'checkout');
  await mkdir(checkout);
  const sealed = sealBundle(buildPromotionBundle())._unsafeUnwrap();
  await writeFile(join(dir, 'evidence.json'), JSON.stringify(sealed));
  await writeFile(
    join(dir, 'evidence.dsse.json'),
    JSON.stringify(signBundle(sealed, { privateKey: keys.privateKey })._unsafeUnwrap()),
  );
  await writeFile(join(dir, 'policy.json'), JSON.stringify(POLICY));
  await writeFile(join(checkout, 'policy.json'), JSON.stringify({ ...POLICY, signing: { allowUnsigned: true } }));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('hotfix policy check in GitLab CI', () => {
  it('passes the signed bundle, binding the instance and MR from the CI variables', async () => {
    const r = await hotfix(['policy', 'check', 'evidence.dsse.json', '--policy', 'policy.json', '--now', FIXTURE_NOW]);
    expect(r.out).toMatch(/PASS/);
    expect(r.code).toBe(0);
  });

  it('returns 2 for the same bundle unsigned (signed or refused)', async () => {
    const r = await hotfix(['policy', 'check', 'evidence.json', '--policy', 'policy.json', '--now', FIXTURE_NOW]);
    expect(r.out).toMatch(/bundle-signature signed or refused: the input is a bare bundle/);
    expect(r.code).toBe(2);
  });

  it('returns 2 naming CI_MERGE_REQUEST_IID when the bundle is evidence of another MR', async () => {
    const r = await hotfix(['policy', 'check', 'evidence.dsse.json', '--policy', 'policy.json', '--now', FIXTURE_NOW], {
      ...CI_ENV,
      CI_MERGE_REQUEST_IID: '7',
    });
    expect(r.out).toMatch(/mr: CI_PROJECT_PATH and CI_MERGE_REQUEST_IID expects "fleet\/charging-api!7"/);
    expect(r.code).toBe(2);
  });

  it('pins the MRs in the policy file (expected.mrs, D4): the pipeline’s MR must be one of them, else 3', async () => {
    await writeFile(
      join(dir, 'pinned.json'),
      JSON.stringify({ ...POLICY, expected: { mrs: ['fleet/charging-api!42'] } }),
    );
    await writeFile(join(dir, 'other.json'), JSON.stringify({ ...POLICY, expected: { mrs: ['fleet/portal!7'] } }));
    const check = (policy: string) =>
      hotfix(['policy', 'check', 'evidence.dsse.json', '--policy', policy, '--now', FIXTURE_NOW, '--json']);
    const pinned = await check('pinned.json');
    expect(pinned.code).toBe(0);
    const other = await check('other.json');
    expect(JSON.parse(other.out)).toMatchObject({ code: 'conflicting-expectations', exitCode: 3, runbookRef: 'D4' });
    expect(JSON.parse(other.out).detail).toMatch(
      /the pipeline runs for fleet\/charging-api!42 \(CI_PROJECT_PATH and CI_MERGE_REQUEST_IID\), which the policy file \(other\.json\) expected\.mrs does not name/,
    );
    expect(other.code).toBe(3);
  });

  it('returns 2 naming CI_SERVER_URL when the bundle comes from another instance', async () => {
    const r = await hotfix(['policy', 'check', 'evidence.dsse.json', '--policy', 'policy.json', '--now', FIXTURE_NOW], {
      ...CI_ENV,
      CI_SERVER_URL: 'https://gitlab.other.example',
    });
    expect(r.out).toMatch(/gitlabUrl: CI_SERVER_URL expects "https:\/\/gitlab\.other\.example"/);
    expect(r.code).toBe(2);
  });

  it('returns 3 for a policy file edited in the MR under review (inside CI_PROJECT_DIR)', async () => {
    const r = await hotfix(['policy', 'check', 'evidence.json', '--policy', 'checkout/policy.json', '--json']);
    expect(JSON.parse(r.out)).toMatchObject({ code: 'policy-source-untrusted', exitCode: 3 });
    expect(r.code).toBe(3);
  });

  it('returns 3 for an unsigned waiver file and 64 without a policy file', async () => {
    await writeFile(join(dir, 'waivers.json'), JSON.stringify({ version: 1, waivers: [] }));
    const w = await hotfix([
      'policy',
      'check',
      'evidence.dsse.json',
      '--policy',
      'policy.json',
      '--waivers',
      'waivers.json',
    ]);
    expect(w.out).toMatch(/waivers-not-authorized/);
    expect(w.code).toBe(3);
    const none = await hotfix(['policy', 'check', 'evidence.dsse.json']);
    expect(none.out).toMatch(/--policy <file> is required/);
    expect(none.code).toBe(64);
  });

  it('accepts a waiver file signed with hotfix evidence sign --waivers', async () => {
    await writeFile(join(dir, 'lead.pem'), keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    const sign = await hotfix([
      'evidence',
      'sign',
      'waivers.json',
      '--waivers',
      '--key',
      'lead.pem',
      '--output',
      'waivers.dsse.json',
    ]);
    expect(sign.code).toBe(0);
    const r = await hotfix([
      'policy',
      'check',
      'evidence.dsse.json',
      '--policy',
      'policy.json',
      '--waivers',
      'waivers.dsse.json',
      '--now',
      FIXTURE_NOW,
    ]);
    expect(r.code).toBe(0);
  });
});
