import { describe, expect, it } from 'vitest';
import { promoteOptionsSchema } from './_promote-options.js';
import { resolvePromotionRequest } from './_promotion-units.js';

const settings = (o: Record<string, unknown>) => promoteOptionsSchema.parse(o);

describe('resolvePromotionRequest: paths compared as GitLab finds them (case-insensitively)', () => {
  it('refuses one MR listed twice in two casings, and one target claimed twice', () => {
    const twice = resolvePromotionRequest(
      settings({ hotfixes: [{ mr: { project: 'fleet/api', iid: 4 } }, { mr: { project: 'Fleet/API', iid: 4 } }] }),
    )._unsafeUnwrapErr();
    expect(twice).toMatchObject({ code: 'invalid-input', runbookRef: 'D4' });
    expect(twice.message).toContain('/hotfixes/1/mr: Fleet/API!4 is listed twice');
    const claimed = resolvePromotionRequest(
      settings({
        hotfixes: [
          { mr: { project: 'fleet/api', iid: 4 } },
          { mr: { project: 'fleet/portal', iid: 7 }, targets: ['FLEET/api'] },
        ],
      }),
    )._unsafeUnwrapErr();
    expect(claimed.message).toContain('FLEET/api is a target of fleet/api!4 and of fleet/portal!7');
  });

  it('spells each dependency as the target it names, so the order and the blocking see it', () => {
    const r = resolvePromotionRequest(
      settings({
        hotfixes: [
          { mr: { project: 'fleet/portal', iid: 7 }, dependsOn: ['Fleet/API'] },
          { mr: { project: 'fleet/api', iid: 4 } },
        ],
      }),
    )._unsafeUnwrap();
    expect(r.units.map((u) => [u.target, u.dependsOn])).toEqual([
      ['fleet/api', []],
      ['fleet/portal', ['fleet/api']],
    ]);
  });
});
