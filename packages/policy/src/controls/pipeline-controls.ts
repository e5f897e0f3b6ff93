import { type PipelineRecord, reportedIso } from '@hotfix-release/evidence';
import { type ControlCheck, ms, need, outcome, requireTarget, targetPointer } from './control-context.js';

/**
 * Folds a value to lower-case ASCII letters and digits after NFKC, so that case, whitespace, underscores,
 * other dashes, zero-width characters and full-width letters cannot disguise an action name. Internal.
 */
export function foldActionName(value: unknown): string {
  return String(value)
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

/** Where a guided input lives: the inputs first, then a variable of the same name (any case). Internal. */
function readInput(pipeline: PipelineRecord, name: string): { value: unknown; pointer: string[] } | undefined {
  if (Object.hasOwn(pipeline.inputs, name))
    return { value: pipeline.inputs[name], pointer: ['pipeline', 'inputs', name] };
  const i = pipeline.variables.findIndex((v) => v.key.toLowerCase() === name);
  const variable = pipeline.variables[i];
  if (!variable) return undefined;
  // A guided input recorded only as a hash cannot prove its value: it reads as absent.
  return 'value' in variable
    ? { value: variable.value, pointer: ['pipeline', 'variables', String(i), 'value'] }
    : { value: undefined, pointer: ['pipeline', 'variables', String(i), 'sha256'] };
}

/** The guided inputs, the only variables evidence may record in clear (S4). */
const GUIDED = new Set(['action', 'project', 'confirm']);

/** E2 (S4, S5): action, project and confirm as read back from GitLab; the cut-off action in any disguise fails. Internal. */
export const checkE2: ControlCheck = (ctx) => {
  const t = requireTarget(ctx);
  const p = t.pipeline;
  if (!p)
    return outcome.fail(
      'no orchestration pipeline record',
      targetPointer(ctx, 'pipeline'),
      'a pipeline record',
      'none',
    );
  const cutoff = foldActionName(ctx.expected.cutoffAction);
  for (const [key, value] of Object.entries(p.inputs)) {
    if (foldActionName(key).includes(cutoff) || foldActionName(value).includes(cutoff)) {
      return outcome.fail(
        'the pipeline carries the cut-off action (S5)',
        targetPointer(ctx, 'pipeline', 'inputs', key),
        ctx.expected.action,
        value,
      );
    }
  }
  for (const [i, v] of p.variables.entries()) {
    if ('value' in v && !GUIDED.has(v.key.toLowerCase())) {
      return outcome.fail(
        `variable ${v.key} is recorded in clear: evidence carries only the guided inputs in clear, any other variable as the sha256 of its value (it may be a secret)`,
        targetPointer(ctx, 'pipeline', 'variables', i, 'value'),
        { key: v.key, sha256: 'sha256:<hex>' },
        { key: v.key, value: '[not repeated]' },
      );
    }
    const value = 'value' in v ? v.value : '';
    if (foldActionName(v.key).includes(cutoff) || foldActionName(value).includes(cutoff)) {
      return outcome.fail(
        'a pipeline variable carries the cut-off action (S5)',
        targetPointer(ctx, 'pipeline', 'variables', i, 'value'),
        ctx.expected.action,
        value,
      );
    }
  }
  const orchestrationProject = need(ctx, 'orchestrationProject');
  if (p.project !== orchestrationProject) {
    return outcome.fail(
      'the pipeline ran in another project than the orchestration project',
      targetPointer(ctx, 'pipeline', 'project'),
      orchestrationProject,
      p.project,
    );
  }
  const orchestrationRef = need(ctx, 'orchestrationRef');
  if (p.ref !== orchestrationRef) {
    return outcome.fail(
      'the pipeline ran on another ref than the orchestration ref',
      targetPointer(ctx, 'pipeline', 'ref'),
      orchestrationRef,
      p.ref,
    );
  }
  const action = readInput(p, 'action');
  if (action?.value !== ctx.expected.action) {
    return outcome.fail(
      'the pipeline action is not the deploy action',
      targetPointer(ctx, ...(action?.pointer ?? ['pipeline', 'inputs', 'action'])),
      ctx.expected.action,
      action?.value ?? null,
    );
  }
  const project = readInput(p, 'project');
  if (project?.value !== t.project) {
    return outcome.fail(
      'the pipeline targets another project',
      targetPointer(ctx, ...(project?.pointer ?? ['pipeline', 'inputs', 'project'])),
      t.project,
      project?.value ?? null,
    );
  }
  const confirm = readInput(p, 'confirm');
  if (confirm?.value !== true && confirm?.value !== 'true') {
    return outcome.fail(
      'the pipeline was not confirmed',
      targetPointer(ctx, ...(confirm?.pointer ?? ['pipeline', 'inputs', 'confirm'])),
      true,
      confirm?.value ?? null,
    );
  }
  return outcome.pass(
    `pipeline ${p.id} ran ${ctx.expected.action} for ${t.project} with confirm=true`,
    targetPointer(ctx, 'pipeline', 'inputs'),
  );
};

/** E3 (S5): a complete enumeration of the promotion window found no cut-off pipeline. Internal. */
export const checkE3: ControlCheck = (ctx) => {
  const t = requireTarget(ctx);
  const e = t.enumeration;
  if (!e)
    return outcome.error(
      'no enumeration record: "not selected" must be proven, not assumed',
      targetPointer(ctx, 'enumeration'),
    );
  if (!e.pagesExhausted) {
    return outcome.error(
      `enumeration stopped after ${e.pagesRead} page(s) without exhausting the list`,
      targetPointer(ctx, 'enumeration', 'pagesExhausted'),
    );
  }
  if (e.pagesRead < 1 || e.pipelinesExamined < 1) {
    return outcome.error(
      'the enumeration examined nothing, not even the promotion’s own pipeline',
      targetPointer(ctx, 'enumeration', 'pipelinesExamined'),
    );
  }
  const start = ms(e.windowStart);
  const end = ms(e.windowEnd);
  const created = t.pipeline ? reportedIso(t.pipeline.createdAt) : undefined;
  const mustCover = [ms(ctx.bundle.startedAt), created !== undefined ? ms(created) : Number.NaN];
  const finished = t.deployment?.deployment.finishedAt;
  if (finished) mustCover.push(ms(finished));
  const uncovered = mustCover.filter((x) => !Number.isNaN(x)).find((x) => x < start || x > end);
  if (start > end || uncovered !== undefined) {
    return outcome.error(
      'the enumeration window does not cover the promotion',
      targetPointer(ctx, 'enumeration', 'windowStart'),
    );
  }
  if (e.offendingPipelineIds.length > 0) {
    return outcome.fail(
      `cut-off pipeline(s) ran in the promotion window: ${e.offendingPipelineIds.join(', ')}`,
      targetPointer(ctx, 'enumeration', 'offendingPipelineIds'),
      [],
      e.offendingPipelineIds,
    );
  }
  return outcome.pass(
    `${e.pipelinesExamined} pipelines on ${e.pagesRead} page(s) examined; no cut-off pipeline`,
    targetPointer(ctx, 'enumeration'),
  );
};
