import { type ControlCheck, outcome, requireTarget, targetPointer } from './control-context.js';
import { foldActionName } from './pipeline-controls.js';

/** rollback-records (R1, R2): the last rollback reverted release and, for R2, redeployed and revalidated. Internal. */
export const checkRollback: ControlCheck = (ctx) => {
  const t = requireTarget(ctx);
  const i = t.rollbacks.length - 1;
  const r = t.rollbacks[i];
  if (!r)
    return outcome.fail(
      'the target is rolled back but no rollback is recorded',
      targetPointer(ctx, 'rollbacks'),
      '≥ 1 rollback record',
      0,
    );
  if (r.runbookRef === 'R1')
    return outcome.pass(
      `reverted by ${r.revertSha.slice(0, 12)} before deployment (R1)`,
      targetPointer(ctx, 'rollbacks', i),
    );
  const p = r.rerunPipeline;
  if (!p)
    return outcome.fail(
      'no rerun of the deploy pipeline after the revert (R2)',
      targetPointer(ctx, 'rollbacks', i, 'rerunPipeline'),
      'a pipeline record',
      null,
    );
  const cutoff = foldActionName(ctx.expected.cutoffAction);
  if (
    [...Object.values(p.inputs), ...p.variables.map((v) => ('value' in v ? v.value : ''))].some((v) =>
      foldActionName(v).includes(cutoff),
    )
  ) {
    return outcome.fail(
      'the rerun carries the cut-off action (S5)',
      targetPointer(ctx, 'rollbacks', i, 'rerunPipeline', 'inputs'),
      ctx.expected.action,
      p.inputs.action ?? null,
    );
  }
  const same =
    p.inputs.action === ctx.expected.action &&
    p.inputs.project === t.project &&
    (p.inputs.confirm === true || p.inputs.confirm === 'true');
  if (!same) {
    return outcome.fail(
      'the rerun did not use the same action, project and confirm=true',
      targetPointer(ctx, 'rollbacks', i, 'rerunPipeline', 'inputs'),
      { action: ctx.expected.action, project: t.project, confirm: true },
      p.inputs,
    );
  }
  const v = r.revalidation;
  if (!v?.passed || v.checks.length === 0 || v.checks.some((c) => c.result !== 'passed')) {
    return outcome.fail(
      'staging was not revalidated after the rollback',
      targetPointer(ctx, 'rollbacks', i, 'revalidation'),
      'passed',
      v?.passed ?? null,
    );
  }
  return outcome.pass(
    `reverted by ${r.revertSha.slice(0, 12)}, redeployed by pipeline ${p.id}, revalidated`,
    targetPointer(ctx, 'rollbacks', i),
  );
};
