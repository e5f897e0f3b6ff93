import { describe, expect, it } from 'vitest';
import {
  A,
  B,
  baseOptions,
  buildPromotionBundle,
  checkValue,
  clone,
  FIXTURE_POLICY,
  failing,
  signed,
} from '../test/policy-fixtures.js';
import { checkBundles } from './check-bundles.js';
import { CONTROL_CATALOG } from './control-catalog.js';

describe(checkBundles.name, () => {
  it('passes the realistic signed two-target bundle with exit 0 and a result for every control', async () => {
    const report = await checkValue(signed(buildPromotionBundle()));
    expect(failing(report)).toEqual([]);
    expect(report.status).toBe('pass');
    expect(report.exitCode).toBe(0);
    expect(new Set(report.results.map((r) => r.id))).toEqual(new Set(CONTROL_CATALOG.map((c) => c.id)));
    expect(report.results.filter((r) => r.id === 'E2').map((r) => r.target)).toEqual([A, B]);
  });

  it('reports a hostile value (throwing proxy) as an error instead of crashing', async () => {
    const hostile = new Proxy(
      {},
      {
        has: () => {
          throw new Error('trap');
        },
        get: () => {
          throw new Error('trap');
        },
        ownKeys: () => {
          throw new Error('trap');
        },
      },
    );
    const report = (await checkBundles([{ name: 'proxy', value: hostile }], baseOptions))._unsafeUnwrap();
    expect([report.status, report.exitCode, report.results[0]?.id]).toEqual(['error', 2, 'bundle-schema']);
  });

  it('accepts a signed envelope given as file text', async () => {
    const r = await checkBundles(
      [{ name: 'evidence.dsse.json', text: JSON.stringify(signed(buildPromotionBundle())) }],
      baseOptions,
    );
    expect(r._unsafeUnwrap().exitCode).toBe(0);
  });

  it('passes a rolled-back target that was reverted, redeployed with the same inputs and revalidated (R2)', async () => {
    const b = clone(buildPromotionBundle());
    const t = b.targets[1];
    if (!t?.pipeline) throw new Error('fixture');
    t.outcome = 'rolled_back';
    b.promotedTargets = [A];
    t.rollbacks.push({
      apiUrl: 'https://gitlab.example.com/api/v4/projects/2/repository/commits',
      observedAt: '2026-11-30T01:08:00.000Z',
      reason: 'tariff check failed in staging',
      runbookRef: 'R2',
      revertSha: 'd'.repeat(40),
      rerunPipeline: { ...t.pipeline, id: 5999 },
      revalidation: { passed: true, checks: t.smokeChecks },
    });
    const report = await checkValue(signed(b));
    expect(failing(report)).toEqual([]);
    expect(report.results.filter((r) => r.target === B).map((r) => [r.id, r.status])).toContainEqual([
      'rollback-records',
      'pass',
    ]);
    expect(report.results.find((r) => r.id === 'E2' && r.target === B)?.status).toBe('not_applicable');
  });

  it('fails evidence-freshness only when the evidence is older than the maximum age', async () => {
    const report = await checkValue(signed(buildPromotionBundle()), {
      ...baseOptions,
      now: '2026-12-09T00:00:00.000Z',
    });
    expect(failing(report)).toEqual(['evidence-freshness']);
  });

  it('marks E8 not_applicable for work that is not governed', async () => {
    const b = buildPromotionBundle({ governed: false });
    for (const t of b.targets) delete t.label;
    const report = await checkValue(signed(b), { ...baseOptions, policy: { ...FIXTURE_POLICY, governedProjects: [] } });
    expect(failing(report)).toEqual([]);
    expect(report.results.filter((r) => r.id === 'E8').map((r) => r.status)).toEqual([
      'not_applicable',
      'not_applicable',
    ]);
  });

  it('reports unreadable text, invalid schema and zero inputs as exit 2, never a pass', async () => {
    const r = await checkBundles(
      [
        { name: 'torn.json', text: '{"schemaVersion":"1.0.0","targ' },
        { name: 'wrong.json', value: { ...clone(buildPromotionBundle()), targets: 'none' } },
      ],
      baseOptions,
    );
    const report = r._unsafeUnwrap();
    expect(report.exitCode).toBe(2);
    expect(report.results.map((x) => [x.bundle, x.id, x.status, x.pointer])).toEqual([
      ['torn.json', 'bundle-schema', 'error', ''],
      ['wrong.json', 'bundle-schema', 'error', '/targets'],
    ]);
    const none = (await checkBundles([], baseOptions))._unsafeUnwrap();
    expect([none.status, none.exitCode]).toEqual(['error', 2]);
  });

  it('returns invalid-options naming the field, and invalid-trusted-key for a bad key (exit 3)', async () => {
    const bad = await checkBundles([], { maxEvidenceAgeMs: -1 });
    expect(bad._unsafeUnwrapErr()).toMatchObject({
      code: 'invalid-options',
      details: { issues: [{ pointer: '/maxEvidenceAgeMs' }] },
    });
    const key = await checkBundles([], { trustedKeys: [{ publicKey: 'not a key' }] });
    expect(key._unsafeUnwrapErr()).toMatchObject({
      code: 'invalid-trusted-key',
      details: { pointer: '/trustedKeys/0/publicKey' },
    });
  });
});

describe('paths compared as GitLab finds them: case-insensitively', () => {
  const upper = (p: string) => p.toUpperCase();

  it('judges E8 for a governed project the gate names in another casing (never evaded by case)', async () => {
    // The bundle says "not governed" and carries no label; the gate governs the same project, cased otherwise.
    const b = buildPromotionBundle({ governed: false });
    for (const t of b.targets) delete t.label;
    const report = await checkValue(signed(b), {
      ...baseOptions,
      policy: { ...FIXTURE_POLICY, governedProjects: [upper(A)] },
    });
    const claims = report.results.find((r) => r.id === 'bundle-claims');
    expect(claims).toMatchObject({ status: 'fail', pointer: '/hotfixes/0/governed' });
    expect(report.results.filter((r) => r.id === 'E8').map((r) => r.status)).toEqual(['fail', 'fail']);
    // bundle-claims is an integrity control: the bundle is not the one the gate expects (2).
    expect(report.exitCode).toBe(2);
  });

  it('takes the expected MRs, from the caller and the file, in any casing as the same MRs', async () => {
    const split = () => clone(buildPromotionBundle({ split: true, targets: [A, B] }));
    const policy = { ...FIXTURE_POLICY, governedProjects: [A, B], expected: { mrs: [`${upper(A)}!42`, `${B}!42`] } };
    const r = await checkValue(signed(split()), {
      now: baseOptions.now,
      policy,
      policyName: 'gate.json',
      expected: {
        mrs: [
          { project: A, iid: 42 },
          { project: upper(B), iid: 42 },
        ],
      },
      expectedSources: { mr: '--mr' },
    });
    expect(failing(r)).toEqual([]);
  });
});

describe('the merge requests the gate expects, from the policy file’s expected.mrs (D4)', () => {
  const split = () => clone(buildPromotionBundle({ split: true, targets: [A, B] }));
  const policy = (mrs: string[]) => ({ ...FIXTURE_POLICY, governedProjects: [A, B], expected: { mrs } });
  const fileOnly = (mrs: string[]) => ({ now: baseOptions.now, policy: policy(mrs), policyName: 'gate.json' });
  const claims = (r: Awaited<ReturnType<typeof checkValue>>) => r.results.find((x) => x.id === 'bundle-claims');

  it('uses the file’s list when no caller names any MR: exactly those pass, one missing or extra fails', async () => {
    const both = await checkValue(signed(split()), fileOnly([`${B}!42`, `${A}!42`]));
    expect(failing(both)).toEqual([]);
    const onlyA = await checkValue(signed(split()), fileOnly([`${A}!42`]));
    expect(claims(onlyA)).toMatchObject({ status: 'fail', pointer: '/hotfixes/1/mr' });
    expect(claims(onlyA)?.message).toMatch(/^mr: the policy file \(gate\.json\) expected\.mrs expects/);
    const more = await checkValue(signed(split()), fileOnly([`${A}!42`, `${B}!42`, 'fleet/portal!7']));
    expect(claims(more)?.message).toMatch(/fleet\/portal!7 is missing/);
  });

  it('accepts caller MRs that agree with the file as a set, in any order', async () => {
    const r = await checkValue(signed(split()), {
      ...fileOnly([`${A}!42`, `${B}!42`]),
      expected: {
        mrs: [
          { project: B, iid: 42 },
          { project: A, iid: 42 },
        ],
      },
      expectedSources: { mr: '--mr' },
    });
    expect(failing(r)).toEqual([]);
  });

  it('refuses (exit 3) caller MRs that disagree with the file, naming both, never preferring one', async () => {
    for (const expected of [
      { mr: { project: A, iid: 42 } },
      {
        mrs: [
          { project: A, iid: 42 },
          { project: B, iid: 43 },
        ],
      },
      {
        mrs: [
          { project: A, iid: 42 },
          { project: B, iid: 42 },
          { project: 'fleet/portal', iid: 7 },
        ],
      },
    ]) {
      const r = await checkBundles([{ name: 'evidence.json', value: signed(split()) }], {
        ...fileOnly([`${A}!42`, `${B}!42`]),
        expected,
        expectedSources: { mr: '--mr' },
      });
      const e = r._unsafeUnwrapErr();
      expect(e.code).toBe('conflicting-expectations');
      expect(e.runbookRef).toBe('D4');
      expect(e.message).toMatch(
        /--mr names .*; the policy file \(gate\.json\) expected\.mrs names fleet\/charging-api!42, fleet\/billing-api!42/,
      );
      expect((e.details as unknown as { issues: { pointer: string }[] }).issues.map((i) => i.pointer)).toEqual([
        expected.mr ? '/expected/mr' : '/expected/mrs',
        '/policy/expected/mrs',
      ]);
    }
  });

  it('takes the pipeline’s MR only when nobody names MRs, and refuses a file that does not name it', async () => {
    const pipelineMr = { project: A, iid: 42 };
    const sources = { mr: 'CI_PROJECT_PATH and CI_MERGE_REQUEST_IID' };
    const alone = await checkValue(signed(clone(buildPromotionBundle())), {
      ...baseOptions,
      expected: { pipelineMr },
      expectedSources: sources,
    });
    expect(failing(alone)).toEqual([]);
    const inFile = await checkValue(signed(split()), {
      ...fileOnly([`${A}!42`, `${B}!42`]),
      expected: { pipelineMr },
      expectedSources: sources,
    });
    expect(failing(inFile)).toEqual([]);
    const r = await checkBundles([{ name: 'evidence.json', value: signed(split()) }], {
      ...fileOnly([`${B}!42`]),
      expected: { pipelineMr },
      expectedSources: sources,
    });
    expect(r._unsafeUnwrapErr()).toMatchObject({
      code: 'conflicting-expectations',
      message: expect.stringMatching(/the pipeline runs for fleet\/charging-api!42 \(CI_PROJECT_PATH/),
    });
  });
});
