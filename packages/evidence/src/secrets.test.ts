import { describe, expect, it } from 'vitest';
import { buildPromotionBundle } from '../test/promotion-bundle-fixture.js';
import { assertNoSecrets, findSecrets } from './secrets.js';

describe(assertNoSecrets.name, () => {
  it('passes the fixture bundle', () => {
    expect(assertNoSecrets(buildPromotionBundle(), { sentinels: ['s3ntinel-value'] }).isOk()).toBe(true);
  });

  it('returns secret-detected with pointers for GitLab tokens, sentinels and credentials, never the values', () => {
    const b = buildPromotionBundle() as unknown as Record<string, unknown>;
    const value = {
      ...b,
      tool: { name: 'x', version: 'glpat-AbCdEf0123456789xyz' },
      extra: ['trigger glptt-0123456789abcdef', 'Bearer abcdefghijklmnopqrstuvwxyz', 'https://u:p@h.example/x'],
      'my-s3ntinel-value-key': 1,
    };
    const r = assertNoSecrets(value, { sentinels: ['s3ntinel-value', ''] });
    expect(r.isOk()).toBe(false);
    if (r.isOk() || r.error.code !== 'secret-detected') return;
    expect(r.error.details.pointers).toEqual([
      '/tool/version',
      '/extra/0',
      '/extra/1',
      '/extra/2',
      '/my-s3ntinel-value-key',
    ]);
    expect(JSON.stringify(r.error)).not.toContain('glpat-');
  });

  it('handles cycles and odd values without throwing', () => {
    const cyc: Record<string, unknown> = { a: 'glpat-0123456789abcdef' };
    cyc.self = cyc;
    expect(findSecrets(cyc)).toEqual(['/a']);
    expect(findSecrets(undefined)).toEqual([]);
  });
});
