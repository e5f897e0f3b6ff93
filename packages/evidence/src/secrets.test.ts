import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildPromotionBundle } from '../test/promotion-bundle-fixture.js';
import { sealBundle } from './bundle-digest.js';
import { parseBundle } from './parse-bundle.js';
import { assertNoSecrets, findSecrets, recordVariables } from './secrets.js';

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

describe(recordVariables.name, () => {
  it('keeps only the guided inputs in clear and records any other variable as the sha256 of its value', () => {
    const recorded = recordVariables(
      [
        { key: 'ACTION', value: 'deploy-release-branch-to-staging' },
        { key: 'DB_PASSWORD', value: 'hunter2-not-a-token' },
      ],
      ['action', 'project', 'confirm'],
    );
    expect(recorded).toEqual([
      { key: 'ACTION', value: 'deploy-release-branch-to-staging' },
      { key: 'DB_PASSWORD', sha256: `sha256:${createHash('sha256').update('hunter2-not-a-token').digest('hex')}` },
    ]);
    expect(JSON.stringify(recorded)).not.toContain('hunter2');
    const b = buildPromotionBundle();
    const t = b.targets[0];
    if (t?.pipeline) t.pipeline.variables = recorded;
    expect(parseBundle(JSON.parse(JSON.stringify(b))).isOk()).toBe(true);
  });
});

describe(sealBundle.name, () => {
  it('returns secret-detected when the bundle contains a sentinel (the real token), whatever its shape', () => {
    const token = 'plain-token-without-any-prefix-1234';
    const b = buildPromotionBundle();
    b.operator = { username: `svc ${token}` };
    const r = sealBundle(b, { sentinels: [token] });
    expect(!r.isOk() && r.error.code).toBe('secret-detected');
    expect(JSON.stringify(r)).not.toContain(token);
    expect(sealBundle(b).isOk()).toBe(true);
  });
});
