/**
 * The steps of the HTML report's flow, the timeline event type, and the events of the deployment and
 * rollback records (html-timeline.ts reads the rest). Internal.
 */
import type { ControlId } from '../control-catalog.js';
import { link, text } from './html-escape.js';
import { arr, at, str } from './html-read.js';

/** The steps of the flow, in runbook order (the SVG draws one box per step). */
export const FLOW_STEPS = [
  'merge',
  'pick',
  'drift',
  'pipeline',
  'downstream',
  'deployment',
  'health',
  'smoke',
  'note',
  'label',
] as const;

/** One step of the flow. */
export type FlowStep = (typeof FLOW_STEPS)[number];

/** The controls that judge each step. */
export const STEP_CONTROLS: Record<FlowStep, readonly ControlId[]> = {
  merge: ['step-order'],
  pick: ['E1'],
  drift: ['E1'],
  pipeline: ['E2', 'E3'],
  downstream: ['E4'],
  deployment: ['E4'],
  health: ['E5'],
  smoke: ['E6'],
  note: ['E7'],
  label: ['E8'],
};

/** One row of the timeline. `details` and `link` are HTML (escaped here). */
export interface TimelineEvent {
  readonly step: FlowStep | 'conflict' | 'rollback';
  readonly what: string;
  readonly time: unknown;
  readonly actor: string;
  readonly sha: unknown;
  readonly link: string;
  readonly pointer: string;
  readonly details: string;
  readonly provenance: string | undefined;
  /** `false` when the record itself shows a failure (a failed deployment, a failed check), even where no control applied. */
  readonly ok: boolean | undefined;
}

/** `true` for a successful GitLab status, `false` for a failed one, else unknown. */
export function statusOk(status: unknown): boolean | undefined {
  if (status === 'success') return true;
  return status === 'failed' || status === 'canceled' || status === 'skipped' ? false : undefined;
}

/** A GitLab web URL `<base>/<project>/-/<kind>/<id>`, when every part is known. */
export function webLink(base: string | undefined, project: unknown, kind: string, id: unknown): string | undefined {
  if (!base || typeof project !== 'string' || (typeof id !== 'string' && typeof id !== 'number')) return undefined;
  return `${base.replace(/\/+$/, '')}/${project}/-/${kind}/${id}`;
}

/** Adds one event built from a record. */
export type Add = (e: Omit<TimelineEvent, 'provenance' | 'ok'>, record: unknown, ok?: boolean) => void;

/** The downstream pipeline and deployment events (E4). */
export function deploymentEvents(d: unknown, gitlab: string | undefined, p: string, add: Add): void {
  const down = at(d, 'downstreamPipeline');
  if (down)
    add(
      {
        step: 'downstream',
        what: 'Downstream pipeline',
        time: at(down, 'observedAt'),
        actor: 'GitLab',
        sha: at(down, 'sha'),
        link: link(at(down, 'webUrl'), `pipeline #${text(str(down, 'id'))}`),
        pointer: `${p}/deployment/downstreamPipeline`,
        details: `${text(str(down, 'status'))} in <code>${text(str(down, 'project'))}</code>`,
      },
      down,
      statusOk(at(down, 'status')),
    );
  const job = at(d, 'job');
  const dep = at(d, 'deployment');
  if (dep)
    add(
      {
        step: 'deployment',
        what: 'Deployment',
        time: at(dep, 'finishedAt') ?? at(job, 'finishedAt') ?? at(dep, 'observedAt'),
        actor: 'GitLab',
        sha: at(dep, 'sha'),
        link: link(webLink(gitlab, str(down, 'project'), 'jobs', at(job, 'id')), `job ${text(str(job, 'name'))}`),
        pointer: `${p}/deployment/deployment`,
        details: `${text(str(dep, 'status'))} to <code>${text(str(dep, 'environment'))}</code> (job ${text(str(job, 'status'))})`,
      },
      dep,
      statusOk(at(dep, 'status')),
    );
}

/** The rollback events (R1/R2), in place after the promotion's own. */
export function rollbackEvents(
  list: unknown,
  ctx: { gitlab: string | undefined; project: string | undefined; operator: string },
  p: string,
  add: Add,
): void {
  const { gitlab, project, operator } = ctx;
  for (const [i, r] of arr(list, 20).entries()) {
    const reval = at(r, 'revalidation');
    const rerun = at(r, 'rerunPipeline');
    add(
      {
        step: 'rollback',
        what: `Rollback (${text(str(r, 'runbookRef'))})`,
        time: at(r, 'observedAt'),
        actor: operator,
        sha: at(r, 'revertSha'),
        link: rerun
          ? link(at(rerun, 'webUrl'), `rerun #${text(str(rerun, 'id'))}`)
          : link(webLink(gitlab, project, 'commit', at(r, 'revertSha')), 'revert'),
        pointer: `${p}/rollbacks/${i}`,
        details: `<q>${text(str(r, 'reason'))}</q>${reval ? `; revalidation ${at(reval, 'passed') === true ? '✓ passed' : '✗ failed'}` : ''}`,
      },
      r,
      reval ? at(reval, 'passed') === true : undefined,
    );
  }
}
