import type { TargetRecord } from '@hotfix-release/evidence';
import { type ControlCheck, ms, need, outcome, requireTarget, targetHotfix, targetPointer } from './control-context.js';

/** When validation ended: the latest smoke check end (start + duration, or observation). Internal. */
export function validationEndMs(t: TargetRecord): number | undefined {
  if (t.smokeChecks.length === 0) return undefined;
  return Math.max(...t.smokeChecks.map((s) => Math.max(ms(s.startedAt) + s.durationMs, ms(s.observedAt))));
}

/** E6 (S7): at least one smoke/acceptance check, and every one passed. Internal. */
export const checkE6: ControlCheck = (ctx) => {
  const t = requireTarget(ctx);
  if (t.smokeChecks.length === 0)
    return outcome.fail(
      'no smoke or acceptance check was recorded',
      targetPointer(ctx, 'smokeChecks'),
      '≥ 1 passed check',
      0,
    );
  for (const [i, s] of t.smokeChecks.entries()) {
    if (s.result !== 'passed')
      return outcome.fail(
        `check "${s.name}" ${s.result}`,
        targetPointer(ctx, 'smokeChecks', i, 'result'),
        'passed',
        s.result,
      );
  }
  return outcome.pass(`${t.smokeChecks.length} check(s) passed`, targetPointer(ctx, 'smokeChecks'));
};

/** E7 (S7): an MR note records the validation for this service. Internal. */
export const checkE7: ControlCheck = (ctx) => {
  const t = requireTarget(ctx);
  if (!t.note)
    return outcome.fail('no note records the validation', targetPointer(ctx, 'note'), 'a note record', 'none');
  if (t.note.service !== t.project) {
    return outcome.fail(
      'the note is about another service',
      targetPointer(ctx, 'note', 'service'),
      t.project,
      t.note.service,
    );
  }
  return outcome.pass(`note ${t.note.id} records the validation of ${t.project}`, targetPointer(ctx, 'note'));
};

/** E8 (S7): governed work carries the label, read back present, added after validation ended. Internal. */
export const checkE8: ControlCheck = (ctx) => {
  const t = requireTarget(ctx);
  const expectedLabel = need(ctx, 'label');
  const label = t.label;
  if (!label)
    return outcome.fail('no label record on governed work', targetPointer(ctx, 'label'), expectedLabel, 'none');
  if (!label.present || label.addedAt === null) {
    return outcome.fail('the MR does not carry the label', targetPointer(ctx, 'label', 'present'), true, label.present);
  }
  if (label.name !== expectedLabel) {
    return outcome.fail('another label was added', targetPointer(ctx, 'label', 'name'), expectedLabel, label.name);
  }
  // E8 per MR (D4 across repositories): the label must have been read on THIS target's own MR, not another's.
  const { hotfix } = targetHotfix(ctx);
  const own = `/projects/${encodeURIComponent(hotfix.mr.project)}/merge_requests/${hotfix.mr.iid}`;
  if (!labelReadOn(label.apiUrl, own))
    return outcome.fail(
      `the label was read on another merge request than ${t.hotfix}, the one this target promotes`,
      targetPointer(ctx, 'label', 'apiUrl'),
      `…${own}`,
      label.apiUrl,
    );
  const end = validationEndMs(t);
  if (end === undefined)
    return outcome.error('no validation recorded to order the label after', targetPointer(ctx, 'smokeChecks'));
  if (ms(label.addedAt) < end) {
    return outcome.fail(
      'the label was added before validation finished',
      targetPointer(ctx, 'label', 'addedAt'),
      `after ${new Date(end).toISOString()}`,
      label.addedAt,
    );
  }
  return outcome.pass(`"${label.name}" added at ${label.addedAt}, after validation`, targetPointer(ctx, 'label'));
};

/**
 * Tells whether E8 applies: the policy's governed projects name the hotfix MR's project. The bundle's own
 * `governed` flag is never the yardstick (a disagreement is a `bundle-claims` failure). Internal.
 */
export function isGoverned(governedProjects: readonly string[], mrProject: string): boolean {
  return governedProjects.includes(mrProject);
}

/** Whether an API URL names the MR path `own` exactly (followed by its end, a `/` or a query). */
function labelReadOn(apiUrl: string, own: string): boolean {
  const i = apiUrl.indexOf(own);
  if (i < 0) return false;
  const next = apiUrl.charAt(i + own.length);
  return next === '' || next === '/' || next === '?';
}
