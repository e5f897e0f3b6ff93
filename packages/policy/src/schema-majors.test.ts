import { type PromotionBundle, SCHEMA_VERSION } from '@hotfix-release/evidence';
import { describe, expect, it } from 'vitest';
import { buildLegacyBundle } from '../../evidence/test/promotion-bundle-fixture.js';
import {
  A,
  B,
  baseOptions,
  buildPromotionBundle,
  checkValue,
  clone,
  failing,
  signed,
} from '../test/policy-fixtures.js';

const statuses = (r: Awaited<ReturnType<typeof checkValue>>) =>
  r.results.map((x) => `${x.id}@${x.target ?? ''}=${x.status}`).sort();
const legacy = (version: string) => buildLegacyBundle({}, version) as unknown as PromotionBundle;

describe('evidence schema majors', () => {
  it('judges a bundle of the current major (3.x) and ones of the previous majors (2.x, 1.x) alike', async () => {
    expect(SCHEMA_VERSION).toBe('3.0.0');
    const current = await checkValue(signed(clone(buildPromotionBundle())));
    expect(failing(current)).toEqual([]);
    for (const version of ['2.0.0', '1.0.0']) {
      const previous = await checkValue(signed(legacy(version)));
      expect(failing(previous)).toEqual([]);
      expect(statuses(previous)).toEqual(statuses(current));
    }
  });

  it('refuses a bundle of a major it does not read', async () => {
    const r = await checkValue(signed({ ...clone(buildPromotionBundle()), schemaVersion: '4.0.0' }));
    expect(failing(r).length).toBeGreaterThan(0);
    expect(r.results.find((x) => x.status === 'error')?.pointer).toBe('/schemaVersion');
  });

  it('judges a bundle whose merge and pipeline times GitLab did not report (absent, with the reason)', async () => {
    const b = clone(buildPromotionBundle());
    const h = b.hotfixes[0];
    if (h) h.mr.mergedAt = { absent: true, reason: 'GitLab reported no merged_at for the merge request' };
    const t = b.targets[0];
    if (t?.pipeline) t.pipeline.createdAt = { absent: true, reason: 'GitLab reported no created_at' };
    const r = await checkValue(signed(b));
    expect(failing(r)).toEqual([]);
    expect(r.results.find((x) => x.id === 'step-order' && x.target === A)?.status).toBe('pass');
  });
});

describe('one hotfix across several repositories (D4, schema 3.x)', () => {
  const split = () => clone(buildPromotionBundle({ split: true, targets: [A, B] }));
  const both = {
    ...baseOptions,
    policy: { ...(baseOptions.policy as object), governedProjects: [A, B] },
    expected: {
      mrs: [
        { project: A, iid: 42 },
        { project: B, iid: 42 },
      ],
    },
    expectedSources: { mr: '--mr' },
  };

  it('passes when the gate asked for exactly the bundle’s merge requests, judging each target by its own hotfix', async () => {
    const r = await checkValue(signed(split()), both);
    expect(failing(r)).toEqual([]);
    expect(r.results.filter((x) => x.id === 'E1').map((x) => `${x.target}=${x.status}`)).toEqual([
      `${A}=pass`,
      `${B}=pass`,
    ]);
  });

  it('fails bundle-claims for an MR the gate did not ask for, and for one it asked for that is missing', async () => {
    const onlyA = await checkValue(signed(split()), { ...both, expected: { mrs: [{ project: A, iid: 42 }] } });
    const extra = onlyA.results.find((x) => x.id === 'bundle-claims');
    expect(extra?.status).toBe('fail');
    expect(extra?.message).toMatch(/fleet\/billing-api!42, which the gate did not ask for/);
    expect(extra?.pointer).toBe('/hotfixes/1/mr');
    const more = await checkValue(signed(split()), {
      ...both,
      expected: { mrs: [...(both.expected.mrs ?? []), { project: 'fleet/portal', iid: 7 }] },
    });
    const missing = more.results.find((x) => x.id === 'bundle-claims');
    expect(missing?.status).toBe('fail');
    expect(missing?.message).toMatch(/fleet\/portal!7 is missing/);
    // The single-MR gate (the old `mr` expectation) refuses a two-MR bundle too.
    const single = await checkValue(signed(split()));
    expect(single.results.find((x) => x.id === 'bundle-claims')?.status).toBe('fail');
  });

  it('judges E1 against the target’s own hotfix: a target that picked the other MR’s commit fails', async () => {
    const b = split();
    const [ta, tb] = b.targets;
    const pa = ta?.pick?.picks[0];
    const pb = tb?.pick?.picks[0];
    if (!pa || !pb) throw new Error('fixture');
    pb.originalSha = pa.originalSha;
    pb.trailer = pa.trailer;
    const r = await checkValue(signed(b), both);
    const e1 = r.results.find((x) => x.id === 'E1' && x.target === B);
    expect(e1?.status).toBe('fail');
    expect(e1?.pointer).toBe('/hotfixes/1/commits/0/sha');
    expect(r.results.find((x) => x.id === 'E1' && x.target === A)?.status).toBe('pass');
  });

  it('judges E8 against the target’s own MR: a label read on the other MR does not count', async () => {
    const b = split();
    const [ta, tb] = b.targets;
    if (!ta?.label || !tb?.label) throw new Error('fixture');
    tb.label = { ...tb.label, apiUrl: ta.label.apiUrl };
    const r = await checkValue(signed(b), both);
    const e8 = r.results.find((x) => x.id === 'E8' && x.target === B);
    expect(e8?.status).toBe('fail');
    expect(e8?.message).toMatch(/another merge request than fleet\/billing-api!42/);
    expect(r.results.find((x) => x.id === 'E8' && x.target === A)?.status).toBe('pass');
  });

  it('judges E7 against the target’s own MR: a note on the other MR does not count (the genuine bundle passes)', async () => {
    const genuine = await checkValue(signed(split()), both);
    expect(genuine.results.filter((x) => x.id === 'E7').map((x) => `${x.target}=${x.status}`)).toEqual([
      `${A}=pass`,
      `${B}=pass`,
    ]);
    const b = split();
    const [ta, tb] = b.targets;
    if (!ta?.note || !tb?.note) throw new Error('fixture');
    // B's note record points at MR A's notes (its own service, its own note id): B is not validated on its MR.
    tb.note = {
      ...tb.note,
      apiUrl: ta.note.apiUrl.replace(/\/\d+$/, `/${tb.note.id}`),
      url: ta.note.url.replace(/\d+$/, `${tb.note.id}`),
    };
    const r = await checkValue(signed(b), both);
    const e7 = r.results.find((x) => x.id === 'E7' && x.target === B);
    expect(e7?.status).toBe('fail');
    expect(e7?.message).toMatch(/another merge request than fleet\/billing-api!42/);
    expect(e7?.pointer).toBe('/targets/1/note/apiUrl');
    expect(e7?.expected).toBe(`…/projects/fleet%2Fbilling-api/merge_requests/42/notes/${tb.note.id}`);
    expect(e7?.actual).toBe(tb.note.apiUrl);
    expect(r.results.find((x) => x.id === 'E7' && x.target === A)?.status).toBe('pass');
    expect(failing(r)).toEqual([`E7@${B}`]);
  });

  it('judges E7 by a note record that agrees with itself: a web URL of the other MR fails', async () => {
    const b = split();
    const [ta, tb] = b.targets;
    if (!ta?.note || !tb?.note) throw new Error('fixture');
    tb.note = { ...tb.note, url: ta.note.url.replace(/\d+$/, `${tb.note.id}`) };
    const r = await checkValue(signed(b), both);
    const e7 = r.results.find((x) => x.id === 'E7' && x.target === B);
    expect(e7?.status).toBe('fail');
    expect(e7?.pointer).toBe('/targets/1/note/url');
    expect(e7?.expected).toBe(`https://gitlab.example.com/fleet/billing-api/-/merge_requests/42#note_${tb.note.id}`);
    expect(failing(r)).toEqual([`E7@${B}`]);
  });

  it('applies E8 per MR: a target of an ungoverned MR is not judged for the label', async () => {
    const b = split();
    const hb = b.hotfixes[1];
    if (hb) hb.governed = false;
    const r = await checkValue(signed(b), {
      ...both,
      policy: { ...(baseOptions.policy as object), governedProjects: [A] },
    });
    expect(r.results.find((x) => x.id === 'E8' && x.target === A)?.status).toBe('pass');
    expect(r.results.find((x) => x.id === 'E8' && x.target === B)?.status).toBe('not_applicable');
    expect(failing(r)).toEqual([]);
  });
});
