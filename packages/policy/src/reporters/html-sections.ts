/**
 * The HTML report's sections for one input: facts, integrity (digest, signature), per-target flow,
 * timeline and verdicts, and waivers. Values from the bundle are escaped here, at the point of use. Internal.
 */
import type { ControlResult, ControlStatus } from '../control-result.js';
import { link, pointer, sha, text, time } from './html-escape.js';
import { flowSvg, type StepState } from './html-flow-svg.js';
import { arr, at, hotfixesOf, type Obj, provenanceOf, str } from './html-read.js';
import { timelineOf } from './html-timeline.js';
import { FLOW_STEPS, type FlowStep, STEP_CONTROLS, type TimelineEvent } from './html-timeline-steps.js';

/** Status words with a symbol: colour is never the only signal. */
export const STATUS_TEXT: Record<ControlStatus, readonly [string, string]> = {
  pass: ['✓', 'PASS'],
  fail: ['✗', 'FAIL'],
  error: ['⚠', 'ERROR'],
  unverified: ['◇', 'UNVERIFIED'],
  not_applicable: ['–', 'N/A'],
  waived: ['≈', 'WAIVED'],
};

/** A status cell's content; an `unverified` result the gate's policy file accepts reads "UNVERIFIED (accepted)". */
export function statusBadge(s: ControlStatus, accepted = false): string {
  const [mark, word] = STATUS_TEXT[s];
  const note = s === 'unverified' && accepted ? ' (accepted)' : '';
  return `<span class="status ${s}"><span aria-hidden="true">${mark}</span> ${word}${note}</span>`;
}

function short(value: unknown): string {
  const s = typeof value === 'string' ? value : JSON.stringify(value);
  return text(s === undefined ? 'undefined' : s.length > 300 ? `${s.slice(0, 300)}…` : s);
}

/** The table of control verdicts (one row per result). */
export function controlsTable(results: readonly ControlResult[], caption: string): string {
  if (results.length === 0) return '';
  // The provenance column appears once a result carries one (observed / reported / sent / live).
  const withProvenance = results.some((r) => provenanceOf(r) !== undefined);
  const rows = results.map((r) => {
    const cls =
      r.status === 'fail'
        ? ' class="row-fail"'
        : r.status === 'error'
          ? ' class="row-error"'
          : r.status === 'unverified'
            ? ' class="row-unverified"'
            : '';
    const ev =
      'expected' in r || 'actual' in r
        ? `<br><span class="muted">expected</span> <code>${short(r.expected)}</code> <span class="muted">got</span> <code>${short(r.actual)}</code>`
        : '';
    const waiver = r.waiver
      ? `<br><span class="tag">waiver${r.waiver.expired ? ' EXPIRED' : ''}</span> ${text(r.waiver.approver)}: ${text(r.waiver.reason)} (until ${time(r.waiver.expiresAt)})`
      : '';
    const fix =
      r.status === 'fail' || r.status === 'error' || (r.status === 'unverified' && !r.accepted)
        ? `<br><span class="muted">→ ${text(r.remediation)}</span>`
        : '';
    return `<tr${cls}><td class="nw">${statusBadge(r.status, r.accepted === true)}</td><th scope="row"><code>${text(r.id)}</code> ${text(r.title)}</th><td class="nw">${text(r.runbookRef)}</td><td>${text(r.message)}${ev}${waiver}${fix}</td><td class="pc">${pointer(r.pointer)}</td>${withProvenance ? `<td>${text(provenanceOf(r) ?? '—')}</td>` : ''}</tr>`;
  });
  return `<table class="ct"><caption>${caption}</caption><thead><tr><th scope="col">Status</th><th scope="col">Control</th><th scope="col">Runbook</th><th scope="col">Finding</th><th scope="col">Evidence record</th>${withProvenance ? '<th scope="col">Provenance</th>' : ''}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

const RANK: Record<StepState, number> = {
  fail: 6,
  error: 5,
  unverified: 4,
  waived: 3,
  pass: 2,
  not_applicable: 1,
  absent: 0,
};

/** Each step's state: failing where a failing result points into it (or its control has no better place), else from the records. */
export function stepStates(
  events: readonly TimelineEvent[],
  results: readonly ControlResult[],
): Record<FlowStep, StepState> {
  const marked = new Map<FlowStep, StepState>();
  const mark = (s: FlowStep, st: StepState) => {
    if (RANK[st] > RANK[marked.get(s) ?? 'absent']) marked.set(s, st);
  };
  for (const r of results) {
    if (r.status !== 'fail' && r.status !== 'error' && r.status !== 'waived' && r.status !== 'unverified') continue;
    const st: StepState = r.status;
    const byPointer = events.filter(
      (e) => r.pointer && (r.pointer === e.pointer || r.pointer.startsWith(`${e.pointer}/`)),
    );
    const steps = byPointer.map((e) => e.step).filter((s): s is FlowStep => s !== 'conflict' && s !== 'rollback');
    if (steps.length) for (const s of steps) mark(s, st);
    else for (const s of FLOW_STEPS) if (STEP_CONTROLS[s].includes(r.id)) mark(s, st);
  }
  const out = {} as Record<FlowStep, StepState>;
  for (const s of FLOW_STEPS) {
    const own = events.filter((e) => e.step === s);
    const rel = results.filter((r) => STEP_CONTROLS[s].includes(r.id));
    const fromRecords: StepState =
      own.length === 0
        ? rel.length > 0 && rel.every((r) => r.status === 'not_applicable')
          ? 'not_applicable'
          : 'absent'
        : own.some((e) => e.ok === false)
          ? 'fail'
          : 'pass';
    // A control's verdict (a waiver included) outranks what the records alone suggest.
    out[s] = marked.get(s) ?? fromRecords;
  }
  return out;
}

function pointsInto(r: ControlResult, e: TimelineEvent): boolean {
  return r.pointer !== '' && (r.pointer === e.pointer || r.pointer.startsWith(`${e.pointer}/`));
}

function timelineTable(events: readonly TimelineEvent[], results: readonly ControlResult[], target: string): string {
  const failing = results.filter((r) => r.status === 'fail' || r.status === 'error');
  const rows = events.map((e) => {
    const bad = e.ok === false || failing.some((r) => pointsInto(r, e));
    const cls = bad ? 'row-fail' : e.step === 'conflict' || e.step === 'rollback' ? e.step : '';
    const mark = bad ? '<span class="status fail"><span aria-hidden="true">✗</span> failed</span> ' : '';
    const prov = e.provenance ? ` <span class="tag">${text(e.provenance)}</span>` : '';
    return `<tr${cls ? ` class="${cls}"` : ''}><th scope="row">${mark}${e.what}</th><td>${time(e.time)}</td><td>${text(e.actor)}</td><td class="nw">${sha(e.sha)}</td><td>${e.details}</td><td>${e.link}</td><td class="pc">${pointer(e.pointer)}${prov}</td></tr>`;
  });
  return `<table class="tl"><caption>Timeline of ${text(target)}, from the merge to the label (runbook order)</caption><thead><tr><th scope="col">Step</th><th scope="col">Time (UTC)</th><th scope="col">Actor</th><th scope="col">SHA</th><th scope="col">What was recorded</th><th scope="col">GitLab</th><th scope="col">Evidence record</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** One target's section: outcome, flow, timeline, verdicts. */
export function targetSection(bundle: Obj, index: number, results: readonly ControlResult[], id: string): string {
  const t = arr(at(bundle, 'targets'), 50)[index];
  const project = str(t, 'project') ?? `target ${index}`;
  const mine = results.filter((r) => r.target === project);
  const events = timelineOf(bundle, index);
  const states = stepStates(events, mine);
  const outcome = str(t, 'outcome') ?? 'unknown';
  const hotfix = str(t, 'hotfix');
  const of = hotfix === undefined ? '' : ` <span class="tag">hotfix: ${text(hotfix)}</span>`;
  return `<section class="target" aria-labelledby="${id}-h"><h3 id="${id}-h">${text(project)}${of} <span class="tag">outcome: ${text(outcome)}</span></h3><div class="flow-wrap">${flowSvg(states, project, `${id}-flow`)}</div>${timelineTable(events, mine, project)}${controlsTable(mine, `Verdicts for ${text(project)}`)}</section>`;
}

/** The facts of a bundle (MR, operator, settings) as a definition list. */
export function factsList(bundle: Obj): string {
  const hotfixes = hotfixesOf(bundle).map((h) => h.hotfix);
  const settings = at(bundle, 'settings');
  const tool = at(bundle, 'tool');
  const mrLink = (mr: unknown) => link(at(mr, 'webUrl'), `${text(str(mr, 'project'))}!${text(str(mr, 'iid'))}`);
  const rows: [string, string][] = [
    [
      hotfixes.length > 1 ? 'Merge requests' : 'Merge request',
      hotfixes.map((h) => mrLink(at(h, 'mr'))).join('<br>') || '—',
    ],
    [
      'Hotfix commits',
      hotfixes
        .flatMap((h) => arr(at(h, 'commits'), 100))
        .map((c) => `${sha(str(c, 'sha'))} <q>${text(str(c, 'title'))}</q>`)
        .join('<br>') || '—',
    ],
    ['Operator', text(str(at(bundle, 'operator'), 'username') ?? '—')],
    ['GitLab', link(at(bundle, 'gitlabUrl'), text(str(bundle, 'gitlabUrl')))],
    [
      'Release branch → environment',
      `<code>${text(str(settings, 'releaseBranch'))}</code> → <code>${text(str(settings, 'environment'))}</code> via <code>${text(str(settings, 'orchestrationProject'))}</code>`,
    ],
    ['Started / completed', `${time(at(bundle, 'startedAt'))} / ${time(at(bundle, 'completedAt'))}`],
    [
      'Promoted targets',
      arr(at(bundle, 'promotedTargets'), 50)
        .map((x) => `<code>${text(x)}</code>`)
        .join(', ') || '<strong>none</strong>',
    ],
    ['Schema, tool', `${text(str(bundle, 'schemaVersion'))}, ${text(str(tool, 'name'))} ${text(str(tool, 'version'))}`],
  ];
  return `<dl class="facts">${rows.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl>`;
}
