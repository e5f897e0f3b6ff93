/**
 * The per-target timeline of the HTML report, from the MR's merge to the label, read from a raw bundle
 * (see html-read.ts): each event with its time, actor, SHA, GitLab link and evidence record. Internal.
 */
import { link, text } from './html-escape.js';
import { arr, at, hotfixOfTarget, obj, provenanceOf, str } from './html-read.js';
import {
  type Add,
  deploymentEvents,
  rollbackEvents,
  statusOk,
  type TimelineEvent,
  webLink,
} from './html-timeline-steps.js';

/** Every event recorded for target `index` of a raw bundle, in runbook order (conflicts after the pick, rollbacks last). */
export function timelineOf(bundle: unknown, index: number): TimelineEvent[] {
  const t = arr(at(bundle, 'targets'), 50)[index];
  const p = `/targets/${index}`;
  const gitlab = str(bundle, 'gitlabUrl');
  const operator = str(at(bundle, 'operator'), 'username') ?? 'operator not recorded';
  const tool = str(at(bundle, 'tool'), 'name') ?? 'the tool';
  const project = str(t, 'project');
  const out: TimelineEvent[] = [];
  const add: Add = (e, record, ok) => {
    out.push({ ...e, provenance: provenanceOf(record), ok });
  };

  const own = hotfixOfTarget(bundle, t);
  const mr = at(own.hotfix, 'mr');
  const commits = arr(at(own.hotfix, 'commits'), 100);
  add(
    {
      step: 'merge',
      what: 'MR merged',
      time: at(mr, 'mergedAt'),
      actor: str(mr, 'mergedBy') ?? str(at(mr, 'mergedBy'), 'username') ?? '—',
      sha: str(commits[0], 'sha'),
      link: link(at(mr, 'webUrl'), `${text(str(mr, 'project'))}!${text(str(mr, 'iid'))}`),
      pointer: `${own.pointer}/mr`,
      details: commits.map((c) => `<q>${text(str(c, 'title'))}</q>`).join('<br>') || '—',
    },
    mr,
  );
  const pick = at(t, 'pick');
  if (pick) {
    const picks = arr(at(pick, 'picks'), 100);
    add(
      {
        step: 'pick',
        what: 'Cherry-picked to release',
        time: at(pick, 'observedAt'),
        actor: operator,
        sha: at(pick, 'headAfter'),
        link: link(webLink(gitlab, project, 'commit', at(pick, 'headAfter')), 'commit'),
        pointer: `${p}/pick`,
        details: `${text(picks.length)} pick(s) onto <code>${text(str(pick, 'releaseBranch'))}</code> (${picks.map((x) => text(str(x, 'method'))).join(', ')})`,
      },
      pick,
    );
  }
  for (const [i, c] of arr(at(t, 'conflicts'), 100).entries()) {
    const verified = at(c, 'verified') === true;
    add(
      {
        step: 'conflict',
        what: 'Conflict resolved (D3)',
        time: at(c, 'observedAt'),
        actor: str(c, 'resolvedBy') ?? '—',
        sha: at(c, 'originalSha'),
        link: link(webLink(gitlab, project, 'commit', at(c, 'originalSha')), 'original commit'),
        pointer: `${p}/conflicts/${i}`,
        details: `${verified ? '✓ verified' : '✗ NOT verified'}: ${arr(at(c, 'paths'), 50)
          .map((x) => `<code>${text(x)}</code>`)
          .join(', ')}`,
      },
      c,
      verified,
    );
  }
  const drift = at(t, 'drift');
  if (drift) {
    const ok = at(drift, 'ok') === true;
    const kinds = arr(at(drift, 'kinds'), 50).map((k) => text(k));
    add(
      {
        step: 'drift',
        what: 'Drift check',
        time: at(drift, 'observedAt'),
        actor: tool,
        sha: at(drift, 'head'),
        link: link(webLink(gitlab, project, 'compare', `${str(drift, 'base')}...${str(drift, 'head')}`), 'compare'),
        pointer: `${p}/drift`,
        details: ok ? '✓ release holds exactly the hotfix' : `✗ drift: ${kinds.join(', ') || 'unspecified'}`,
      },
      drift,
      ok,
    );
  }
  const pipeline = at(t, 'pipeline');
  if (pipeline) {
    const inputs = obj(at(pipeline, 'inputs')) ?? {};
    add(
      {
        step: 'pipeline',
        what: 'Orchestration pipeline',
        time: at(pipeline, 'createdAt') ?? at(pipeline, 'observedAt'),
        actor: operator,
        sha: at(pipeline, 'sha'),
        link: link(at(pipeline, 'webUrl'), `pipeline #${text(str(pipeline, 'id'))}`),
        pointer: `${p}/pipeline`,
        details: `${text(str(pipeline, 'status'))} · ${Object.entries(inputs)
          .slice(0, 20)
          .map(([k, v]) => `<code>${text(k)}=${text(typeof v === 'object' ? JSON.stringify(v) : v)}</code>`)
          .join(' ')}`,
      },
      pipeline,
      statusOk(at(pipeline, 'status')),
    );
  }
  const en = at(t, 'enumeration');
  if (en) {
    const offending = arr(at(en, 'offendingPipelineIds'));
    add(
      {
        step: 'pipeline',
        what: 'No cut-off pipeline (E3)',
        time: at(en, 'observedAt'),
        actor: tool,
        sha: undefined,
        link: '—',
        pointer: `${p}/enumeration`,
        details: `${text(str(en, 'pipelinesExamined'))} pipeline(s) in ${text(str(en, 'pagesRead'))} page(s)${at(en, 'pagesExhausted') === true ? '' : ', ✗ pages NOT exhausted'}${offending.length ? `, ✗ offending: ${offending.map(text).join(', ')}` : ''}`,
      },
      en,
      at(en, 'pagesExhausted') === true && offending.length === 0,
    );
  }
  deploymentEvents(at(t, 'deployment'), gitlab, p, add);
  const health = at(at(t, 'deployedSha'), 'health');
  if (health) {
    add(
      {
        step: 'health',
        what: 'Health endpoint',
        time: at(health, 'observedAt'),
        actor: 'service',
        sha: at(health, 'sha'),
        link: link(at(health, 'apiUrl'), 'endpoint'),
        pointer: `${p}/deployedSha/health`,
        details: `HTTP ${text(str(health, 'httpStatus'))}, version ${text(str(health, 'version') ?? '—')}; environment reports ${text(str(at(at(t, 'deployedSha'), 'environment'), 'sha')?.slice(0, 12) ?? '—')}`,
      },
      health,
      /^2\d\d$/.test(str(health, 'httpStatus') ?? '') && typeof at(health, 'sha') === 'string',
    );
  }
  for (const [i, s] of arr(at(t, 'smokeChecks'), 200).entries()) {
    const result = str(s, 'result');
    add(
      {
        step: 'smoke',
        what: `Smoke check: ${text(str(s, 'name'))}`,
        time: at(s, 'startedAt') ?? at(s, 'observedAt'),
        actor: tool,
        sha: undefined,
        link: link(at(s, 'apiUrl'), 'checked URL'),
        pointer: `${p}/smokeChecks/${i}`,
        details: `${result === 'passed' ? '✓' : '✗'} ${text(result)} in ${text(str(s, 'durationMs'))} ms`,
      },
      s,
      result === 'passed',
    );
  }
  const note = at(t, 'note');
  if (note)
    add(
      {
        step: 'note',
        what: 'MR note',
        time: at(note, 'createdAt') ?? at(note, 'observedAt'),
        actor: operator,
        sha: undefined,
        link: link(at(note, 'url'), `note ${text(str(note, 'id'))}`),
        pointer: `${p}/note`,
        details: `validated service <code>${text(str(note, 'service'))}</code>`,
      },
      note,
    );
  const label = at(t, 'label');
  if (label)
    add(
      {
        step: 'label',
        what: 'MR label',
        time: at(label, 'addedAt'),
        actor: operator,
        sha: undefined,
        link: link(at(mr, 'webUrl'), 'MR'),
        pointer: `${p}/label`,
        details: `${at(label, 'present') === true ? '✓ present' : '✗ absent'}: <q>${text(str(label, 'name'))}</q>`,
      },
      label,
      at(label, 'present') === true,
    );
  rollbackEvents(at(t, 'rollbacks'), { gitlab, project, operator }, p, add);
  return out;
}
