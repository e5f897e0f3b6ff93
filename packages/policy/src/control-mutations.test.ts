import { describe, expect, it } from 'vitest';
import {
  A,
  B,
  buildPromotionBundle,
  checkValue,
  clone,
  failing,
  fakeSha,
  mutateTarget,
  signed,
  type Target,
} from '../test/policy-fixtures.js';

describe('completion-criteria mutations', () => {
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
      'the pick lacks the cherry-pick trailer',
      mutateTarget((t) => {
        const p = t.pick?.picks[0];
        if (p) p.trailer = '';
      }),
      [`E1@${A}`],
      1,
    ],
    [
      'the pipeline ran outside the orchestration project',
      mutateTarget((t) => {
        if (t.pipeline) t.pipeline.project = 'someone/else';
      }),
      [`E2@${A}`],
      1,
    ],
    [
      'deployed to another environment',
      mutateTarget((t) => {
        if (t.deployment) t.deployment.deployment.environment = 'production';
      }),
      [`E4@${A}`],
      1,
    ],
    [
      'health endpoint unhealthy',
      mutateTarget((t) => {
        if (t.deployedSha) t.deployedSha.health.httpStatus = 503;
      }),
      [`E5@${A}`],
      1,
    ],
    [
      'note about another service',
      mutateTarget((t) => {
        if (t.note) t.note.service = B;
      }),
      [`E7@${A}`],
      1,
    ],
    [
      'note read on another merge request (E7 per MR, D4)',
      mutateTarget((t) => {
        if (t.note) t.note.apiUrl = t.note.apiUrl.replace('/merge_requests/42/', '/merge_requests/421/');
      }),
      [`E7@${A}`],
      1,
    ],
    [
      'note API URL names another note than the record',
      mutateTarget((t) => {
        if (t.note) t.note.apiUrl = t.note.apiUrl.replace(/\/notes\/\d+$/, '/notes/1');
      }),
      [`E7@${A}`],
      1,
    ],
    [
      'note web URL names another merge request than its API URL',
      mutateTarget((t) => {
        if (t.note) t.note.url = t.note.url.replace('/merge_requests/42#', '/merge_requests/4#');
      }),
      [`E7@${A}`],
      1,
    ],
    [
      'note web URL on another instance',
      mutateTarget((t) => {
        if (t.note) t.note.url = t.note.url.replace('https://gitlab.example.com/', 'https://gitlab.evil.example/');
      }),
      [`E7@${A}`],
      1,
    ],
    [
      'misspelt label',
      mutateTarget((t) => {
        if (t.label) t.label.name = 'Validated in staging';
      }),
      [`E8@${A}`],
      1,
    ],
    [
      'enumeration window misses the pipeline',
      mutateTarget((t) => {
        if (t.enumeration) t.enumeration.windowEnd = '2026-11-30T01:01:00.000Z';
      }),
      [`E3@${A}`],
      2,
    ],
    [
      'the second target (only) failed its deployment: judged per target',
      () => {
        const b = clone(buildPromotionBundle());
        const t = b.targets[1] as Target;
        if (t.deployment) t.deployment.job.status = 'failed';
        return signed(b);
      },
      [`E4@${B}`],
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
  ];

  it.each(table)('fails exactly the intended control when %s', async (_name, make, expected, exitCode) => {
    const report = await checkValue(make());
    expect(failing(report).sort()).toEqual([...expected].sort());
    expect(report.exitCode).toBe(exitCode);
  });
});
