/**
 * The forgery suite (issue 20): bundles an attacker in a merge-request pipeline could hand the gate, each
 * judged the way GitLab CI judges them (signature required, the policy file's expectations, the pipeline's
 * instance and MR). Every case must fail with its documented exit code and a message naming the mismatch;
 * the honest signed bundle passes. The CLI-only cases (a policy file edited in the MR's checkout, CI=true
 * defaults) are in packages/cli-lite/src/commands/policy-check.test.ts.
 */
import { generateKeyPairSync } from 'node:crypto';
import { type PromotionBundle, sealBundle, signBundle } from '@hotfix-release/evidence';
import { describe, expect, it } from 'vitest';
import { type CheckOptions, checkBundles, describeError, formatText, signWaivers } from '../src/index.js';
import {
  buildPromotionBundle,
  clone,
  FIXTURE_MR,
  FIXTURE_NOW,
  FIXTURE_POLICY,
  keys,
  seal,
  signed,
} from './policy-fixtures.js';

/** How GitLab CI runs the gate: signature required, the MR from CI_PROJECT_PATH and CI_MERGE_REQUEST_IID. */
const CI: CheckOptions = {
  now: FIXTURE_NOW,
  policy: FIXTURE_POLICY,
  policyName: 'policy.json',
  requireSignature: true,
  expected: { mr: FIXTURE_MR },
  expectedSources: { mr: 'CI_PROJECT_PATH and CI_MERGE_REQUEST_IID' },
};

const attacker = generateKeyPairSync('ed25519');

function edited(fn: (b: PromotionBundle) => void): PromotionBundle {
  const b = clone(buildPromotionBundle());
  fn(b);
  return b;
}

async function gate(value: unknown, options: CheckOptions = CI): Promise<{ exitCode: number; text: string }> {
  const r = await checkBundles([{ name: 'evidence.dsse.json', value }], options);
  if (r.isErr()) return { exitCode: 3, text: describeError(r.error) };
  return { exitCode: r.value.exitCode, text: formatText(r.value, { verbose: true }) };
}

const waiverFile = (approver: string) =>
  JSON.stringify({
    version: 1,
    waivers: [
      {
        control: 'E6',
        scope: { project: 'fleet/charging-api' },
        reason: 'smoke check flaky during the incident, tracked in OPS-1234',
        approver,
        expiresAt: '2027-01-01T00:00:00Z',
      },
    ],
  });

const smokeFailed = () =>
  signed(
    edited((b) => {
      const s = b.targets[0]?.smokeChecks[0];
      if (s) s.result = 'failed';
    }),
  );

describe('forgery suite', () => {
  it('passes the honest signed bundle (exit 0), every evaluated control resting on a verified signature', async () => {
    const r = await checkBundles([{ name: 'evidence.dsse.json', value: signed(buildPromotionBundle()) }], CI);
    const report = r._unsafeUnwrap();
    expect(formatText(report)).toMatch(/^evidence\.dsse\.json: PASS/);
    expect(report.exitCode).toBe(0);
    const evaluated = report.results.filter((x) => x.status === 'pass' && x.id.startsWith('E'));
    expect(evaluated.length).toBeGreaterThan(0);
    expect(evaluated.every((x) => x.basis === 'verified signature')).toBe(true);
  });

  const cases: { name: string; input: () => unknown; options?: CheckOptions; exit: number; message: RegExp }[] = [
    {
      name: 'a bundle from another instance',
      input: () => signed(edited((b) => (b.gitlabUrl = 'https://gitlab.attacker.example'))),
      exit: 2,
      message:
        /bundle-claims gitlabUrl: the policy file \(policy\.json\) expects "https:\/\/gitlab\.example\.com"; the bundle says "https:\/\/gitlab\.attacker\.example"/,
    },
    {
      name: 'a bundle from another MR',
      input: () => signed(buildPromotionBundle()),
      options: { ...CI, expected: { mr: { project: 'fleet/charging-api', iid: 43 } } },
      exit: 2,
      message:
        /bundle-claims mr: CI_PROJECT_PATH and CI_MERGE_REQUEST_IID expects "fleet\/charging-api!43"; the bundle says "fleet\/charging-api!42"/,
    },
    {
      name: 'a bundle for another orchestration project',
      input: () => signed(edited((b) => (b.settings.orchestrationProject = 'attacker/develop'))),
      exit: 2,
      message: /orchestrationProject: the policy file \(policy\.json\) expects "evenergi\/develop"; the bundle says/,
    },
    {
      name: 'a bundle for another environment',
      input: () => signed(edited((b) => (b.settings.environment = 'review'))),
      exit: 2,
      message: /environment: the policy file \(policy\.json\) expects "staging"; the bundle says "review"/,
    },
    {
      name: 'a bundle for another label',
      input: () => signed(edited((b) => (b.settings.label = 'Looks Fine'))),
      exit: 2,
      message: /label: the policy file \(policy\.json\) expects "Validated in Staging"; the bundle says "Looks Fine"/,
    },
    {
      name: 'governed: false on a governed project',
      input: () => signed(edited((b) => ((b.hotfixes[0] as { governed: boolean }).governed = false))),
      exit: 2,
      message: /governed: the policy file \(policy\.json\) expects true; the bundle says false/,
    },
    {
      name: 'a bundle edited and re-sealed with the public sealBundle',
      input: () =>
        seal(
          edited((b) => {
            const s = b.targets[0]?.smokeChecks[0];
            if (s) s.result = 'passed';
            b.targets[0]?.smokeChecks.splice(1);
          }),
        ),
      exit: 2,
      message: /bundle-signature signed or refused: the input is a bare bundle, not a signed envelope/,
    },
    {
      name: 'a bundle signed by an untrusted key',
      input: () =>
        signBundle(seal(buildPromotionBundle()), {
          privateKey: attacker.privateKey,
        })._unsafeUnwrap(),
      exit: 2,
      message: /bundle-signature signature does not verify: no signature by a trusted key/,
    },
    {
      name: 'an unsigned bundle in CI mode',
      input: () => seal(buildPromotionBundle()),
      exit: 2,
      message: /signed or refused/,
    },
    {
      name: 'waivers added by the MR author (a plain file in the MR)',
      input: smokeFailed,
      options: { ...CI, waivers: waiverFile('lead.bob') },
      exit: 3,
      message:
        /waivers-not-authorized: the waiver file is neither signed by a trusted key nor read from a protected ref/,
    },
    {
      name: 'a waiver approved by the MR author, even when signed (author read live)',
      input: smokeFailed,
      options: {
        ...CI,
        mrAuthor: 'dev.mallory',
        waivers: signWaivers(waiverFile('dev.mallory'), { privateKey: keys.privateKey })._unsafeUnwrap(),
      },
      exit: 3,
      message: /waiver 0 is approved by dev\.mallory, who authored the merge request/,
    },
    {
      name: 'a waiver approved by the author of another MR of the same fix (D4: every author read live)',
      input: smokeFailed,
      options: {
        ...CI,
        mrAuthors: ['dev.alice', 'dev.mallory'],
        waivers: signWaivers(waiverFile('dev.mallory'), { privateKey: keys.privateKey })._unsafeUnwrap(),
      },
      exit: 3,
      message: /waiver 0 is approved by dev\.mallory, who authored the merge request/,
    },
    {
      name: 'a waiver file signed by an untrusted key',
      input: smokeFailed,
      options: {
        ...CI,
        waivers: signWaivers(waiverFile('lead.bob'), { privateKey: attacker.privateKey })._unsafeUnwrap(),
      },
      exit: 3,
      message: /the waiver signature does not verify with a trusted key/,
    },
    {
      name: 'a secret in a recorded variable (in clear)',
      input: () =>
        signed(
          edited((b) => {
            b.targets[0]?.pipeline?.variables.push({ key: 'DB_PASSWORD', value: 'hunter2-correct-horse' });
          }),
        ),
      exit: 1,
      message: /E2 \[fleet\/charging-api\] variable DB_PASSWORD is recorded in clear/,
    },
    {
      name: 'a GitLab token in a recorded variable',
      input: () => {
        const b = edited((x) => {
          x.targets[0]?.pipeline?.variables.push({ key: 'TOKEN', value: 'glpat-abcdefghij0123456789' });
        });
        // sealBundle refuses a token: the attacker builds the envelope by hand.
        const { digest: _d, ...rest } = b;
        return signBundle(
          { ...rest, digest: seal(buildPromotionBundle()).digest },
          { privateKey: keys.privateKey },
        )._unsafeUnwrap();
      },
      exit: 2,
      message: /the evidence carries 1 token-like value\(s\)/,
    },
  ];

  for (const c of cases) {
    it(`fails ${c.name} with exit ${c.exit}, naming the mismatch`, async () => {
      const r = await gate(c.input(), c.options);
      expect(r.text).toMatch(c.message);
      expect(r.exitCode).toBe(c.exit);
    });
  }

  it('accepts a waiver signed by a trusted key and approved by someone other than the author', async () => {
    const waivers = signWaivers(waiverFile('lead.bob'), { privateKey: keys.privateKey })._unsafeUnwrap();
    const r = await gate(smokeFailed(), { ...CI, mrAuthor: 'dev.mallory', waivers });
    expect(r.text).toMatch(/WAIVED E6 \[fleet\/charging-api\] waived by lead\.bob/);
    expect(r.exitCode).toBe(0);
  });

  it('returns error (exit 2), never a fallback to the bundle, when the policy file lacks an expectation', async () => {
    const { release: _r, ...partial } = FIXTURE_POLICY;
    const r = await gate(signed(buildPromotionBundle()), { ...CI, policy: partial });
    expect(r.text).toMatch(/ERROR +E1 \[fleet\/charging-api\] no expectation for releaseBranch/);
    expect(r.text).toMatch(/ERROR +E4 \[fleet\/charging-api\] no expectation for environment/);
    expect(r.exitCode).toBe(2);
  });

  it('says in its first line that unsigned evidence was accepted when the policy file allows it', async () => {
    const policy = { ...FIXTURE_POLICY, signing: { trustedKeys: [], allowUnsigned: true } };
    const r = await gate(seal(buildPromotionBundle()), { ...CI, policy });
    expect(r.text.split('\n')[0]).toBe('NOTICE UNSIGNED evidence is accepted: policy.json sets signing.allowUnsigned');
    expect(r.exitCode).toBe(0);
    expect(sealBundle(buildPromotionBundle()).isOk()).toBe(true);
  });
});
