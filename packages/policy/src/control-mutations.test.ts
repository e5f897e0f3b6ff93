import { canonicalJson, type PromotionBundle, signEnvelope, toStatement } from '@hotfix-release/evidence';
import { describe, expect, it } from 'vitest';
import {
  buildPromotionBundle,
  checkValue,
  clone,
  fakeSha,
  keys,
  seal,
  signed,
  withStatus,
} from '../test/policy-fixtures.js';

type Target = PromotionBundle['targets'][number];
const A = 'fleet/charging-api';
const B = 'fleet/billing-api';

function mutateTarget(fn: (t: Target, b: PromotionBundle) => void): () => unknown {
  return () => {
    const b = clone(buildPromotionBundle());
    fn(b.targets[0] as Target, b);
    return signed(b);
  };
}

function notFailing(report: Awaited<ReturnType<typeof checkValue>>): string[] {
  return [...withStatus(report, 'fail'), ...withStatus(report, 'error')];
}

describe('control mutations', () => {
  const cutoffDisguises = [
    'bring-all-code-to-release-branch',
    '  Bring-All-Code-To-Release-Branch\n',
    'BRING_ALL_CODE_TO_RELEASE_BRANCH',
    'bring all code to release branch',
    'bring\u200b-all-code-to-release-branch',
    '\uff42\uff52\uff49\uff4e\uff47-all-code-to-release-branch',
    'bring\u2013all\u2013code\u2013to\u2013release\u2013branch',
  ];

  const table: [string, () => unknown, string[], 0 | 1 | 2][] = [
    ...cutoffDisguises.map(
      (action) =>
        [
          `action is the cut-off action ${JSON.stringify(action)}`,
          mutateTarget((t) => {
            if (t.pipeline) t.pipeline.inputs.action = action;
          }),
          [`E2@${A}`],
          1,
        ] as [string, () => unknown, string[], 0 | 1 | 2],
    ),
    [
      'a variable carries the cut-off action',
      mutateTarget((t) => t.pipeline?.variables.push({ key: 'ACTION', value: 'Bring-All-Code-To-Release-Branch' })),
      [`E2@${A}`],
      1,
    ],
    [
      'project swapped',
      mutateTarget((t) => {
        if (t.pipeline) t.pipeline.inputs.project = B;
      }),
      [`E2@${A}`],
      1,
    ],
    [
      'confirm false',
      mutateTarget((t) => {
        if (t.pipeline) t.pipeline.inputs.confirm = false;
      }),
      [`E2@${A}`],
      1,
    ],
    [
      'deployment failed',
      mutateTarget((t) => {
        if (t.deployment) t.deployment.deployment.status = 'failed';
      }),
      [`E4@${A}`],
      1,
    ],
    [
      'deployed SHA differs',
      mutateTarget((t) => {
        if (t.deployedSha) t.deployedSha.environment.sha = fakeSha('elsewhere');
      }),
      [`E5@${A}`],
      1,
    ],
    [
      'health endpoint reports another SHA',
      mutateTarget((t) => {
        if (t.deployedSha) t.deployedSha.health.sha = fakeSha('old');
      }),
      [`E5@${A}`],
      1,
    ],
    [
      'smoke check failed',
      mutateTarget((t) => {
        (t.smokeChecks[1] as Target['smokeChecks'][number]).result = 'failed';
      }),
      [`E6@${A}`],
      1,
    ],
    [
      'note missing',
      mutateTarget((t) => {
        delete t.note;
      }),
      [`E7@${A}`],
      1,
    ],
    [
      'label added before validation',
      mutateTarget((t) => {
        if (t.label) t.label.addedAt = '2026-11-30T01:05:11.000Z';
      }),
      [`E8@${A}`],
      1,
    ],
    [
      'label missing on governed work',
      mutateTarget((t) => {
        if (t.label) Object.assign(t.label, { present: false, addedAt: null });
      }),
      [`E8@${A}`],
      1,
    ],
    [
      'extra commit on release (drift)',
      mutateTarget((t) => {
        if (t.drift)
          Object.assign(t.drift, { ok: false, kinds: ['extra-commits'], extraCommits: [fakeSha('stowaway')] });
      }),
      [`E1@${A}`],
      1,
    ],
    [
      'hotfix not picked',
      mutateTarget((t) => {
        delete t.pick;
        delete t.drift;
      }),
      [`E1@${A}`, `E5@${A}`],
      2,
    ],
    [
      'enumeration incomplete',
      mutateTarget((t) => {
        if (t.enumeration) t.enumeration.pagesExhausted = false;
      }),
      [`E3@${A}`],
      2,
    ],
    [
      'enumeration missing',
      mutateTarget((t) => {
        delete t.enumeration;
      }),
      [`E3@${A}`],
      2,
    ],
    [
      'a cut-off pipeline ran in the window',
      mutateTarget((t) => {
        t.enumeration?.offendingPipelineIds.push(4711);
      }),
      [`E3@${A}`],
      1,
    ],
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
        if (!st.ok) throw new Error('statement');
        const env = signEnvelope(
          Buffer.from((canonicalJson(st.value) as { value: string }).value),
          'application/vnd.in-toto+json',
          { privateKey: keys.privateKey },
        );
        return env.ok ? env.value : undefined;
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
        if (!st.ok) throw new Error('statement');
        const text = (canonicalJson(st.value) as { value: string }).value;
        const env = signEnvelope(Buffer.from(text), 'application/json', { privateKey: keys.privateKey });
        return env.ok ? env.value : undefined;
      },
      ['bundle-subject'],
      2,
    ],
    [
      'statement attests an extra subject',
      () => {
        const b = seal(buildPromotionBundle());
        const st = toStatement(b);
        if (!st.ok) throw new Error('statement');
        st.value.subject.push({ name: 'fleet/other@release', digest: { gitCommit: fakeSha('other') } });
        const env = signEnvelope(
          Buffer.from((canonicalJson(st.value) as { value: string }).value),
          'application/vnd.in-toto+json',
          { privateKey: keys.privateKey },
        );
        return env.ok ? env.value : undefined;
      },
      ['bundle-subject'],
      2,
    ],
  ];

  it.each(table)('fails exactly the intended control when %s', async (_name, make, expected, exitCode) => {
    const report = await checkValue(make());
    expect(notFailing(report).sort()).toEqual([...expected].sort());
    expect(report.exitCode).toBe(exitCode);
  });
});
