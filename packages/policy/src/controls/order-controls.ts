import { type ReportedTime, reportedIso, toJsonPointer } from '@hotfix-release/evidence';
import { type ControlCheck, ms, outcome, requireTarget, targetHotfix, targetPointer } from './control-context.js';
import { validationEndMs } from './validation-controls.js';

interface Stage {
  readonly name: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly pointer: string;
}

/**
 * step-order (S2–S7): merge ≤ pick ≤ pipeline creation ≤ deployment finish ≤ smoke checks ≤ note.
 * The label's timing is E8's own criterion, so it is not judged twice here. Internal.
 */
export const checkStepOrder: ControlCheck = (ctx) => {
  const t = requireTarget(ctx);
  const stages: Stage[] = [];
  // A time GitLab did not report (schema 2.x: `{ absent, reason }`) places no stage: its order cannot be judged.
  const at = (name: string, time: ReportedTime, pointer: string) => {
    const iso = reportedIso(time);
    if (iso !== undefined) stages.push({ name, startMs: ms(iso), endMs: ms(iso), pointer });
  };
  const { hotfix, pointer } = targetHotfix(ctx);
  at('merge', hotfix.mr.mergedAt, `${pointer}/mr/mergedAt`);
  if (t.pick) at('pick', t.pick.observedAt, targetPointer(ctx, 'pick', 'observedAt'));
  if (t.pipeline) at('pipeline', t.pipeline.createdAt, targetPointer(ctx, 'pipeline', 'createdAt'));
  const finished = t.deployment?.deployment.finishedAt;
  if (finished) at('deployment', finished, targetPointer(ctx, 'deployment', 'deployment', 'finishedAt'));
  const end = validationEndMs(t);
  if (end !== undefined) {
    const starts = t.smokeChecks.map((s) => ms(s.startedAt));
    const first = starts.indexOf(Math.min(...starts));
    stages.push({
      name: 'smoke checks',
      startMs: Math.min(...starts),
      endMs: end,
      pointer: targetPointer(ctx, 'smokeChecks', first, 'startedAt'),
    });
  }
  if (t.note) at('note', t.note.createdAt, targetPointer(ctx, 'note', 'createdAt'));
  for (let i = 1; i < stages.length; i++) {
    const prev = stages[i - 1] as Stage;
    const next = stages[i] as Stage;
    if (next.startMs < prev.endMs) {
      return outcome.fail(
        `${next.name} happened before ${prev.name} ended`,
        next.pointer,
        `≥ ${new Date(prev.endMs).toISOString()}`,
        new Date(next.startMs).toISOString(),
      );
    }
  }
  return outcome.pass(stages.map((s) => s.name).join(' → '), targetPointer(ctx));
};

/** evidence-freshness: every `observedAt` is within the maximum age of now and not in the future. Internal. */
export const checkFreshness: ControlCheck = (ctx) => {
  const seen: { pointer: string; ms: number }[] = [];
  // Pointers are built only for the observations found, not for every node walked.
  const path: (string | number)[] = ['targets'];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        path.push(i);
        walk(node[i]);
        path.pop();
      }
    } else if (typeof node === 'object' && node !== null) {
      for (const key in node) {
        const child = (node as Record<string, unknown>)[key];
        if (key === 'observedAt' && typeof child === 'string') {
          seen.push({ pointer: toJsonPointer([...path, key]), ms: ms(child) });
        } else if (typeof child === 'object' && child !== null) {
          path.push(key);
          walk(child);
          path.pop();
        }
      }
    }
  };
  walk(ctx.bundle.targets);
  if (seen.length === 0) return outcome.error('the bundle holds no observation to date', '/targets');
  const oldest = seen.reduce((a, b) => (b.ms < a.ms ? b : a));
  const newest = seen.reduce((a, b) => (b.ms > a.ms ? b : a));
  if (ctx.nowMs - oldest.ms > ctx.maxEvidenceAgeMs) {
    return outcome.fail(
      `evidence is older than ${ctx.maxEvidenceAgeMs} ms`,
      oldest.pointer,
      `≥ ${new Date(ctx.nowMs - ctx.maxEvidenceAgeMs).toISOString()}`,
      new Date(oldest.ms).toISOString(),
    );
  }
  if (newest.ms - ctx.nowMs > ctx.futureSkewMs) {
    return outcome.fail(
      'evidence was observed in the future',
      newest.pointer,
      `≤ ${new Date(ctx.nowMs).toISOString()}`,
      new Date(newest.ms).toISOString(),
    );
  }
  return outcome.pass(`${seen.length} observations, oldest ${new Date(oldest.ms).toISOString()}`, '/targets');
};
