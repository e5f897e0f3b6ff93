import { canonicalJson, signEnvelope, toStatement } from '@hotfix-release/evidence';
import { describe, expect, it } from 'vitest';
import {
  A,
  B,
  buildPromotionBundle,
  checkValue,
  clone,
  failing,
  fakeSha,
  keys,
  mutateTarget,
  seal,
  signed,
  type Target,
} from '../test/policy-fixtures.js';

describe('integrity and ordering mutations', () => {
  const table: [string, () => unknown, string[], 0 | 1 | 2][] = [
    [
      'timestamps out of order',
      mutateTarget((t) => {
        if (t.pipeline) t.pipeline.createdAt = '2026-11-30T01:00:30.000Z';
      }),
      [`step-order@${A}`],
      1,
    ],
    [
      'promotedTargets omits a promoted target',
      mutateTarget((_, b) => {
        b.promotedTargets = [A];
      }),
      ['promoted-targets'],
      1,
    ],
    [
      'a target is still pending',
      mutateTarget((_, b) => {
        (b.targets[1] as Target).outcome = 'pending';
        b.promotedTargets = [A];
      }),
      ['promoted-targets'],
      1,
    ],
    [
      'rolled-back target without revalidation',
      mutateTarget((_, b) => {
        const t = b.targets[1] as Target;
        t.outcome = 'rolled_back';
        b.promotedTargets = [A];
        t.rollbacks.push({
          apiUrl: 'https://gitlab.example.com/api/v4/projects/2/repository/commits',
          observedAt: '2026-11-30T01:07:00.000Z',
          reason: 'smoke failed',
          runbookRef: 'R2',
          revertSha: fakeSha('revert'),
          rerunPipeline: clone(t.pipeline ?? null),
          revalidation: null,
        });
      }),
      [`rollback-records@${B}`],
      1,
    ],
    [
      'digest broken',
      () => {
        const b = seal(buildPromotionBundle());
        b.tool.version = '0.1.1';
        const st = toStatement(b);
        if (!st.isOk()) throw new Error('statement');
        const env = signEnvelope(
          Buffer.from((canonicalJson(st.value) as { value: string }).value),
          'application/vnd.in-toto+json',
          { privateKey: keys.privateKey },
        );
        return env.isOk() ? env.value : undefined;
      },
      ['bundle-digest'],
      2,
    ],
    [
      'signature broken',
      () => {
        const env = signed(buildPromotionBundle()) as { signatures: { sig: string }[] };
        const sig = env.signatures[0] as { sig: string };
        sig.sig = `${sig.sig[0] === 'A' ? 'B' : 'A'}${sig.sig.slice(1)}`;
        return env;
      },
      ['bundle-signature'],
      2,
    ],
    ['bare bundle while a key is configured', () => seal(buildPromotionBundle()), ['bundle-signature'], 2],
    [
      'envelope payload type is not in-toto',
      () => {
        const st = toStatement(seal(buildPromotionBundle()));
        if (!st.isOk()) throw new Error('statement');
        const text = (canonicalJson(st.value) as { value: string }).value;
        const env = signEnvelope(Buffer.from(text), 'application/json', { privateKey: keys.privateKey });
        return env.isOk() ? env.value : undefined;
      },
      ['bundle-subject'],
      2,
    ],
    [
      'statement attests an extra subject',
      () => {
        const b = seal(buildPromotionBundle());
        const st = toStatement(b);
        if (!st.isOk()) throw new Error('statement');
        st.value.subject.push({ name: 'fleet/other@release', digest: { gitCommit: fakeSha('other') } });
        const env = signEnvelope(
          Buffer.from((canonicalJson(st.value) as { value: string }).value),
          'application/vnd.in-toto+json',
          { privateKey: keys.privateKey },
        );
        return env.isOk() ? env.value : undefined;
      },
      ['bundle-subject'],
      2,
    ],
  ];

  it.each(table)('fails exactly the intended control when %s', async (_name, make, expected, exitCode) => {
    const report = await checkValue(make());
    expect(failing(report).sort()).toEqual([...expected].sort());
    expect(report.exitCode).toBe(exitCode);
  });
});
