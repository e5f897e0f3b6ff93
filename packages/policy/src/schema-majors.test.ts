import { SCHEMA_VERSION } from '@hotfix-release/evidence';
import { describe, expect, it } from 'vitest';
import { A, buildPromotionBundle, checkValue, clone, failing, signed } from '../test/policy-fixtures.js';

const statuses = (r: Awaited<ReturnType<typeof checkValue>>) =>
  r.results.map((x) => `${x.id}@${x.target ?? ''}=${x.status}`).sort();

describe('evidence schema majors', () => {
  it('judges a bundle of the current major (2.x) and one of the previous major (1.x) alike', async () => {
    expect(SCHEMA_VERSION).toBe('2.0.0');
    const current = await checkValue(signed(clone(buildPromotionBundle())));
    const previous = await checkValue(signed({ ...clone(buildPromotionBundle()), schemaVersion: '1.0.0' }));
    expect(failing(current)).toEqual([]);
    expect(failing(previous)).toEqual([]);
    expect(statuses(previous)).toEqual(statuses(current));
  });

  it('refuses a bundle of a major it does not read', async () => {
    const r = await checkValue(signed({ ...clone(buildPromotionBundle()), schemaVersion: '3.0.0' }));
    expect(failing(r).length).toBeGreaterThan(0);
    expect(r.results.find((x) => x.status === 'error')?.pointer).toBe('/schemaVersion');
  });

  it('judges a 2.x bundle whose merge and pipeline times GitLab did not report (absent, with the reason)', async () => {
    const b = clone(buildPromotionBundle());
    b.hotfix.mr.mergedAt = { absent: true, reason: 'GitLab reported no merged_at for the merge request' };
    const t = b.targets[0];
    if (t?.pipeline) t.pipeline.createdAt = { absent: true, reason: 'GitLab reported no created_at' };
    const r = await checkValue(signed(b));
    expect(failing(r)).toEqual([]);
    expect(r.results.find((x) => x.id === 'step-order' && x.target === A)?.status).toBe('pass');
  });
});
