import { projectKey, type TargetRecord } from '@hotfix-release/evidence';
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

/** E7 (S7): an MR note on the target's own hotfix MR (D4) records the validation for this service. Internal. */
export const checkE7: ControlCheck = (ctx) => {
  const t = requireTarget(ctx);
  const note = t.note;
  if (!note) return outcome.fail('no note records the validation', targetPointer(ctx, 'note'), 'a note record', 'none');
  if (note.service !== t.project) {
    return outcome.fail(
      'the note is about another service',
      targetPointer(ctx, 'note', 'service'),
      t.project,
      note.service,
    );
  }
  // E7 per MR (D4 across repositories): the note must be on THIS target's own MR, not another's.
  const { hotfix } = targetHotfix(ctx);
  const notes = `${ownMrApiPath(hotfix.mr)}/notes`;
  const at = pathIndex(note.apiUrl, notes);
  if (at < 0 || !sameNoteId(note.apiUrl.slice(at + notes.length), '/', note.id))
    return outcome.fail(
      `the note was read on another merge request than ${t.hotfix}, the one this target promotes`,
      targetPointer(ctx, 'note', 'apiUrl'),
      `…${notes}/${note.id}`,
      note.apiUrl,
    );
  // The web URL must name the same instance, MR and note as the API URL (a record that agrees with itself).
  const web = `${apiBase(note.apiUrl.slice(0, at))}/${hotfix.mr.project}/-/merge_requests/${hotfix.mr.iid}`;
  if (
    !note.url.startsWith(web) ||
    !'#/?'.includes(note.url.charAt(web.length)) ||
    !sameNoteId(note.url.slice(web.length), '#note_', note.id)
  )
    return outcome.fail(
      `the note's web URL names another merge request or note than its API URL (${t.hotfix}, note ${note.id})`,
      targetPointer(ctx, 'note', 'url'),
      `${web}#note_${note.id}`,
      note.url,
    );
  return outcome.pass(
    `note ${note.id} on ${t.hotfix} records the validation of ${t.project}`,
    targetPointer(ctx, 'note'),
  );
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
  const own = ownMrApiPath(hotfix.mr);
  if (pathIndex(label.apiUrl, own) < 0)
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
  // By identity, as GitLab finds paths: a governed `Group/Project` governs `group/project` (never evaded by case).
  return governedProjects.some((p) => projectKey(p) === projectKey(mrProject));
}

/** The API path of a merge request, `/projects/<url-encoded project>/merge_requests/<iid>` (E7, E8). */
function ownMrApiPath(mr: { readonly project: string; readonly iid: number }): string {
  return `/projects/${encodeURIComponent(mr.project)}/merge_requests/${mr.iid}`;
}

/**
 * Where a URL names `path` exactly (followed by its end, a `/`, a `?` or a `#`, so `…/merge_requests/4`
 * never matches `…/merge_requests/42`), or -1. E7 and E8 judge the MR a record was read on with it.
 */
function pathIndex(url: string, path: string): number {
  for (let i = url.indexOf(path); i >= 0; i = url.indexOf(path, i + 1)) {
    const next = url.charAt(i + path.length);
    if (next === '' || next === '/' || next === '?' || next === '#') return i;
  }
  return -1;
}

/** Whether what follows a matched path names no note, or note `id` after `prefix` (`/61000`, `#note_61000`). */
function sameNoteId(rest: string, prefix: string, id: number): boolean {
  if (!rest.startsWith(prefix)) return true;
  const m = /^\d+/.exec(rest.slice(prefix.length));
  return m === null || Number(m[0]) === id;
}

/** The instance's web base from the part of an API URL before `/projects/…` (its `/api/v4` dropped). */
function apiBase(beforeProjects: string): string {
  return beforeProjects.endsWith('/api/v4') ? beforeProjects.slice(0, -'/api/v4'.length) : beforeProjects;
}
