import type { PipelineRecord } from '@hotfix-release/evidence';
import {
  type ControlCheck,
  type ControlContext,
  expectedProjectValue,
  need,
  type OrchestratorExpectation,
  orchestratorFor,
  outcome,
  requireTarget,
  targetPointer,
} from './control-context.js';

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
  const i = pipeline.variables.findIndex((v) => v.key.toLowerCase() === name.toLowerCase());
  const variable = pipeline.variables[i];
  if (!variable) return undefined;
  // A guided input recorded only as a hash cannot prove its value: it reads as absent.
  return 'value' in variable
    ? { value: variable.value, pointer: ['pipeline', 'variables', String(i), 'value'] }
    : { value: undefined, pointer: ['pipeline', 'variables', String(i), 'sha256'] };
}

/** A guided input as the request sent it (journaled before the POST). Internal. */
function sentInput(pipeline: PipelineRecord, name: string): { value: unknown; pointer: string[] } | undefined {
  const sent = pipeline.sent;
  if (!sent) return undefined;
  if (sent.inputs && Object.hasOwn(sent.inputs, name))
    return { value: sent.inputs[name], pointer: ['pipeline', 'sent', 'inputs', name] };
  const i = (sent.variables ?? []).findIndex((v) => v.key === name);
  return i >= 0
    ? { value: sent.variables?.[i]?.value, pointer: ['pipeline', 'sent', 'variables', String(i), 'value'] }
    : undefined;
}

/** Whether a job or bridge name matches a fingerprint entry (exact name, or `/regex/`). Internal. */
export function matchesEntry(name: string, entry: string): boolean {
  if (!(entry.length > 2 && entry.startsWith('/') && entry.endsWith('/'))) return name === entry;
  try {
    return new RegExp(entry.slice(1, -1), 'u').test(name);
  } catch {
    return false;
  }
}

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
  const orch = orchestratorFor(ctx.expected.orchestrator, t.project);
  const disguised = cutOffInRecord(ctx, p, orch);
  if (disguised) return disguised;
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
  return judgeProvenance(ctx, p, t.project, orch);
};

/**
 * The cut-off action in any disguise, in what was sent, in the inputs or in a variable, as a failure; a
 * variable other than the guided inputs recorded in clear fails too (it may be a secret). Internal.
 */
function cutOffInRecord(ctx: ControlContext, p: PipelineRecord, orch: OrchestratorExpectation) {
  const cutoff = foldActionName(ctx.expected.cutoffAction);
  const names = orch.inputNames;
  const guided = new Set([names.action, names.project, names.confirm].map((n) => n.toLowerCase()));
  const carries = (key: unknown, value: unknown) =>
    foldActionName(key).includes(cutoff) || foldActionName(value).includes(cutoff);
  const sentValues = [
    ...Object.entries(p.sent?.inputs ?? {}),
    ...(p.sent?.variables ?? []).map((v) => [v.key, v.value]),
  ];
  for (const [key, value] of sentValues) {
    if (carries(key, value))
      return outcome.fail(
        'the request sent for the pipeline carries the cut-off action (S5)',
        targetPointer(ctx, 'pipeline', 'sent'),
        ctx.expected.action,
        value,
      );
  }
  for (const [key, value] of Object.entries(p.inputs)) {
    if (carries(key, value))
      return outcome.fail(
        'the pipeline carries the cut-off action (S5)',
        targetPointer(ctx, 'pipeline', 'inputs', key),
        ctx.expected.action,
        value,
      );
  }
  for (const [i, v] of p.variables.entries()) {
    if ('value' in v && !guided.has(v.key.toLowerCase())) {
      return outcome.fail(
        `variable ${v.key} is recorded in clear: evidence carries only the guided inputs in clear, any other variable as the sha256 of its value (it may be a secret)`,
        targetPointer(ctx, 'pipeline', 'variables', i, 'value'),
        { key: v.key, sha256: 'sha256:<hex>' },
        { key: v.key, value: '[not repeated]' },
      );
    }
    const value = 'value' in v ? v.value : '';
    if (carries(v.key, value))
      return outcome.fail(
        'a pipeline variable carries the cut-off action (S5)',
        targetPointer(ctx, 'pipeline', 'variables', i, 'value'),
        ctx.expected.action,
        value,
      );
  }
  return undefined;
}

/** The first guided input whose value (from one source) is not the expected one, as a failure. Internal. */
function compareInputs(
  ctx: ControlContext,
  orch: OrchestratorExpectation,
  target: string,
  read: (name: string) => { value: unknown; pointer: string[] } | undefined,
  where: string[],
  source = '',
) {
  const names = orch.inputNames;
  const action = read(names.action);
  if (action?.value !== ctx.expected.action) {
    return outcome.fail(
      `the pipeline action${source} is not the deploy action`,
      targetPointer(ctx, ...(action?.pointer ?? [...where, names.action])),
      ctx.expected.action,
      action?.value ?? null,
    );
  }
  const project = read(names.project);
  const want = expectedProjectValue(orch, target);
  if (project?.value !== want) {
    return outcome.fail(
      `the pipeline${source} targets another project`,
      targetPointer(ctx, ...(project?.pointer ?? [...where, names.project])),
      want,
      project?.value ?? null,
    );
  }
  const confirm = read(names.confirm);
  if (confirm?.value !== true && confirm?.value !== 'true') {
    return outcome.fail(
      `the pipeline was not confirmed${source}`,
      targetPointer(ctx, ...(confirm?.pointer ?? [...where, names.confirm])),
      true,
      confirm?.value ?? null,
    );
  }
  return undefined;
}

/**
 * E2 by provenance: `sent` (the request body), `reported` (inputs or variables GitLab showed) and
 * `observed` (jobs and bridges against the gate's fingerprints, the downstream in the target on the
 * release branch). Any source contradicting the deploy fails; `observed` passes; `sent` or `reported`
 * alone (a legacy record too) is `unverified`, refused unless the gate's policy file accepts it; a record
 * with none of them fails (nothing shows the deploy). Internal.
 */
function judgeProvenance(ctx: ControlContext, p: PipelineRecord, target: string, orch: OrchestratorExpectation) {
  const hasReported = Object.keys(p.inputs).length > 0 || p.variables.some((v) => 'value' in v);
  if (!p.sent && !p.observed && !hasReported)
    // Nothing shows the deploy: judged as an empty report, which names the first missing input.
    return (
      compareInputs(ctx, orch, target, () => undefined, ['pipeline', 'inputs']) ??
      outcome.fail('nothing shows the deploy', targetPointer(ctx, 'pipeline'))
    );
  if (p.sent) {
    const bad = compareInputs(ctx, orch, target, (n) => sentInput(p, n), ['pipeline', 'sent', 'inputs'], ' as sent');
    if (bad) return bad;
  }
  if (hasReported) {
    const bad = compareInputs(
      ctx,
      orch,
      target,
      (n) => readInput(p, n),
      ['pipeline', 'inputs'],
      ' as GitLab reported it',
    );
    if (bad) return bad;
  }
  if (p.observed) {
    const judged = judgeObserved(ctx, p, p.observed, target, orch);
    if (judged) return judged;
  }
  const basis = [
    ...(p.sent ? ['sent'] : []),
    ...(hasReported ? ['reported by GitLab'] : []),
    ...(p.observed ? ['observed without a downstream in the target'] : []),
  ].join(' and ');
  const verify = `what would verify it: the pipeline's jobs matching the deploy fingerprint (${orch.fingerprints.deploy.join(', ')}) and its downstream pipeline in ${target}`;
  if (orch.acceptUnverified)
    return outcome.unverified(
      `unverified, accepted by the gate's policy file (orchestration.acceptUnverified): pipeline ${p.id} rests on what was ${basis}; ${verify}`,
      targetPointer(ctx, 'pipeline', 'observed'),
      true,
      'observed',
      basis,
    );
  return outcome.unverified(
    `pipeline ${p.id} rests only on what was ${basis}, not on what GitLab showed it ran; ${verify} (the gate's policy file may accept unverified with orchestration.acceptUnverified)`,
    targetPointer(ctx, 'pipeline', 'observed'),
    false,
    'observed',
    basis,
  );
}

/**
 * The observed jobs and downstream against the gate's fingerprints: a failure when they contradict the
 * deploy, a pass when they show it and its downstream, `undefined` when no downstream was observed. Internal.
 */
function judgeObserved(
  ctx: ControlContext,
  p: PipelineRecord,
  o: NonNullable<PipelineRecord['observed']>,
  target: string,
  orch: OrchestratorExpectation,
) {
  const cutOffJobs = o.jobs.filter((j) => orch.fingerprints.cutOff.some((e) => matchesEntry(j, e)));
  if (cutOffJobs.length) {
    return outcome.fail(
      `the pipeline observably ran the cut-off (S5): job(s) ${cutOffJobs.join(', ')} match the cut-off fingerprint`,
      targetPointer(ctx, 'pipeline', 'observed', 'jobs'),
      [],
      cutOffJobs,
    );
  }
  const missing = orch.fingerprints.deploy.filter((e) => !o.jobs.some((j) => matchesEntry(j, e)));
  if (missing.length) {
    return outcome.fail(
      `the pipeline's jobs do not match the deploy fingerprint (${missing.join(', ')}): what it ran contradicts the deploy${p.sent ? ' that was sent' : ''}`,
      targetPointer(ctx, 'pipeline', 'observed', 'jobs'),
      orch.fingerprints.deploy,
      o.jobs,
    );
  }
  const releaseBranch = ctx.expected.releaseBranch;
  const d = o.downstream;
  if (d && (d.project !== target || (releaseBranch !== undefined && d.ref !== releaseBranch))) {
    return outcome.fail(
      'the pipeline observably deployed another project or branch than the target’s release branch',
      targetPointer(ctx, 'pipeline', 'observed', 'downstream'),
      { project: target, ref: releaseBranch ?? null },
      { project: d.project, ref: d.ref },
    );
  }
  if (!d) return undefined;
  return outcome.pass(
    `pipeline ${p.id} observably ran ${ctx.expected.action} (jobs match the deploy fingerprint, no cut-off job) and deployed ${target} from ${d.ref} (${d.via}); resting on observed`,
    targetPointer(ctx, 'pipeline', 'observed'),
  );
}
