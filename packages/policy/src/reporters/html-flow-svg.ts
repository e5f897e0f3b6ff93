/**
 * The small inline SVG of the flow in the HTML report: one box per step, the failing step highlighted by
 * colour, a thicker outline and a text mark (colour is never the only signal). Internal.
 */
import { text } from './html-escape.js';
import { FLOW_STEPS, type FlowStep } from './html-timeline-steps.js';

/** What a step's box shows. */
export type StepState = 'pass' | 'fail' | 'error' | 'unverified' | 'waived' | 'absent' | 'not_applicable';

const LABEL: Record<FlowStep, string> = {
  merge: 'merge',
  pick: 'pick',
  drift: 'drift',
  pipeline: 'pipeline',
  downstream: 'downstream',
  deployment: 'deploy',
  health: 'health',
  smoke: 'smoke',
  note: 'note',
  label: 'label',
};

/** The mark drawn in a box, and the words read for it. */
export const STATE_MARK: Record<StepState, readonly [string, string]> = {
  pass: ['✓', 'passed'],
  fail: ['✗', 'FAILED'],
  error: ['!', 'could not be evaluated'],
  unverified: ['◇', 'unverified (rests on what was sent or reported)'],
  waived: ['≈', 'waived'],
  absent: ['?', 'not recorded'],
  not_applicable: ['–', 'not applicable'],
};

/** The flow as an SVG with a title and a description listing every step's state. */
export function flowSvg(states: Readonly<Record<FlowStep, StepState>>, target: string, id: string): string {
  const w = 92;
  const gap = 14;
  const width = FLOW_STEPS.length * (w + gap) - gap + 4;
  const desc = FLOW_STEPS.map((s) => `${LABEL[s]}: ${STATE_MARK[states[s]][1]}`).join(', ');
  const boxes = FLOW_STEPS.map((s, i) => {
    const x = 2 + i * (w + gap);
    const st = states[s];
    const arrow =
      i === 0 ? '' : `<path class="arrow" d="M${x - gap + 1} 27 h${gap - 5} m-4 -4 l4 4 l-4 4" aria-hidden="true"/>`;
    return `${arrow}<g class="step ${st}"><rect x="${x}" y="4" width="${w}" height="46" rx="6"/><text x="${x + w / 2}" y="23" text-anchor="middle" class="mark">${STATE_MARK[st][0]}</text><text x="${x + w / 2}" y="41" text-anchor="middle">${LABEL[s]}</text></g>`;
  }).join('');
  return `<svg class="flow" role="img" viewBox="0 0 ${width} 54" width="${width}" height="54" aria-labelledby="${id}-t ${id}-d"><title id="${id}-t">Flow of ${text(target)}</title><desc id="${id}-d">${text(desc)}</desc>${boxes}</svg>`;
}
