import {
  type EnumeratedPipeline,
  type EnumerationRecord,
  reportedIso,
  type TargetRecord,
} from '@hotfix-release/evidence';
import type { ControlOutcome } from '../control-result.js';
import {
  type ControlCheck,
  type ControlContext,
  expectedProjectValue,
  ms,
  need,
  type OrchestratorExpectation,
  orchestratorFor,
  outcome,
  requireTarget,
  targetPointer,
} from './control-context.js';
import { matchesEntry } from './pipeline-controls.js';

/**
 * E3 (S5): a complete enumeration of the promotion window found no cut-off pipeline for the target.
 * With classified pipelines (`enumeration.pipelines`) it is judged on them with the gate's own
 * fingerprints and project value; without them (an older SDK) "no cut-off" rests on what GitLab reported
 * and is `unverified`. Internal.
 */
export const checkE3: ControlCheck = (ctx) => {
  const t = requireTarget(ctx);
  const e = t.enumeration;
  if (!e)
    return outcome.error(
      'no enumeration record: "not selected" must be proven, not assumed',
      targetPointer(ctx, 'enumeration'),
    );
  const incomplete = incompleteEnumeration(ctx, t, e);
  if (incomplete) return incomplete;
  const orch = orchestratorFor(ctx.expected.orchestrator, t.project);
  if (e.pipelines) return judgeClassified(ctx, t, e, e.pipelines, orch);
  if (e.offendingPipelineIds.length > 0) return offendingIds(ctx, e);
  const verify = `what would verify it: an enumeration that classifies each pipeline of the window by its jobs against the cut-off fingerprint (${orch.fingerprints.cutOff.join(', ')})`;
  const message = `${e.pipelinesExamined} pipelines on ${e.pagesRead} page(s) examined, but the enumeration does not classify them (an older SDK): "no cut-off" rests on names or variables GitLab reported; ${verify}`;
  return outcome.unverifiedByGate(
    orch.acceptUnverified,
    message,
    targetPointer(ctx, 'enumeration'),
    'observed',
    'reported',
  );
};

/** An `error` when the enumeration is not complete or does not cover the promotion. Internal. */
function incompleteEnumeration(ctx: ControlContext, t: TargetRecord, e: EnumerationRecord): ControlOutcome | undefined {
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
  return undefined;
}

/** The bundle's own list of offending pipelines, as a failure. Internal. */
function offendingIds(ctx: ControlContext, e: EnumerationRecord): ControlOutcome {
  return outcome.fail(
    `cut-off pipeline(s) ran in the promotion window: ${e.offendingPipelineIds.join(', ')}`,
    targetPointer(ctx, 'enumeration', 'offendingPipelineIds'),
    [],
    e.offendingPipelineIds,
  );
}

/**
 * An `error` when the classified list contradicts itself: more pipelines than were examined, one listed
 * twice, or one created outside the window. Internal.
 */
function selfContradiction(
  ctx: ControlContext,
  e: EnumerationRecord,
  pipelines: readonly EnumeratedPipeline[],
): ControlOutcome | undefined {
  if (e.pipelinesExamined < pipelines.length)
    return outcome.error(
      `the enumeration classifies ${pipelines.length} pipelines but says it examined ${e.pipelinesExamined}: the record contradicts itself`,
      targetPointer(ctx, 'enumeration', 'pipelinesExamined'),
    );
  const seen = new Set<number>();
  const start = ms(e.windowStart);
  const end = ms(e.windowEnd);
  for (const [i, p] of pipelines.entries()) {
    if (seen.has(p.id))
      return outcome.error(
        `pipeline ${p.id} is classified twice: the record contradicts itself`,
        targetPointer(ctx, 'enumeration', 'pipelines', i, 'id'),
      );
    seen.add(p.id);
    const created = ms(p.createdAt);
    if (created < start || created > end)
      return outcome.error(
        `pipeline ${p.id} was created at ${p.createdAt}, outside the window ${e.windowStart} – ${e.windowEnd} it is listed in: the record contradicts itself`,
        targetPointer(ctx, 'enumeration', 'pipelines', i, 'createdAt'),
      );
  }
  return undefined;
}

/** Whether a pipeline ran the cut-off by the gate's fingerprint or the bundle's own classification. Internal. */
function isCutOff(p: EnumeratedPipeline, orch: OrchestratorExpectation): boolean {
  if (p.classification === 'cut-off') return true;
  return (p.matched ?? []).some((name) => orch.fingerprints.cutOff.some((entry) => matchesEntry(name, entry)));
}

/**
 * E3 on classified pipelines, judged with the gate's fingerprints and project value: a cut-off aimed at
 * this target (or at an unknown one) fails, whether or not the bundle lists it as offending; the
 * promotion's own pipeline must be there as a deploy; an unreadable pipeline (or one classified only on
 * what GitLab reported) is `unverified`. Internal.
 */
function judgeClassified(
  ctx: ControlContext,
  t: TargetRecord,
  e: EnumerationRecord,
  pipelines: readonly EnumeratedPipeline[],
  orch: OrchestratorExpectation,
): ControlOutcome {
  const contradiction = selfContradiction(ctx, e, pipelines);
  if (contradiction) return contradiction;
  const own = ownPipeline(ctx, t, pipelines, orch);
  if (own) return own;
  // A cut-off aimed at an unknown target, or at this one by its path or the gate's project value for it.
  const hitsHere = (p: EnumeratedPipeline) =>
    p.target === undefined || p.target === t.project || p.target === expectedProjectValue(orch, t.project);
  const cutOffs = pipelines.map((p, i) => ({ p, i })).filter(({ p }) => isCutOff(p, orch) && hitsHere(p));
  const first = cutOffs[0];
  if (first) {
    const unlisted = cutOffs.filter(({ p }) => !e.offendingPipelineIds.includes(p.id)).map(({ p }) => p.id);
    const ids = [...new Set([...cutOffs.map(({ p }) => p.id), ...e.offendingPipelineIds])];
    return outcome.fail(
      `cut-off pipeline(s) ran for ${t.project} in the promotion window: ${cutOffs
        .map(
          ({ p }) =>
            `${p.id} (${p.matched?.length ? `jobs ${p.matched.join(', ')}` : `classified ${p.classification}`}, ${p.target === undefined ? 'target unknown' : `target ${p.target}`})`,
        )
        .join(
          ', ',
        )}${unlisted.length ? `; ${unlisted.join(', ')} missing from offendingPipelineIds (the bundle cannot talk a cut-off away)` : ''}`,
      targetPointer(ctx, 'enumeration', 'pipelines', first.i),
      [],
      ids,
    );
  }
  if (e.offendingPipelineIds.length > 0) return offendingIds(ctx, e);
  const shaky = pipelines.filter((p) => p.classification === 'unreadable' || p.basis === 'reported');
  if (shaky.length) return unverifiedPipelines(ctx, shaky, orch);
  const count = (c: EnumeratedPipeline['classification']) => pipelines.filter((p) => p.classification === c).length;
  const elsewhere = pipelines.filter((p) => isCutOff(p, orch)).map((p) => p.id);
  return outcome.pass(
    `${pipelines.length} pipelines of the window classified by their jobs (${count('deploy')} deploy, ${count('other')} other${elsewhere.length ? `, cut-off for other targets: ${elsewhere.join(', ')}` : ''}${e.outsideWindow ? `; ${e.outsideWindow} listed outside the window left out` : ''}); no cut-off pipeline for ${t.project}; resting on observed`,
    targetPointer(ctx, 'enumeration', 'pipelines'),
  );
}

/**
 * The promotion's own pipeline (when it ran in the gate's orchestration project) must be among the
 * classified pipelines, and not as a cut-off or as something other than a deploy. Internal.
 */
function ownPipeline(
  ctx: ControlContext,
  t: TargetRecord,
  pipelines: readonly EnumeratedPipeline[],
  orch: OrchestratorExpectation,
): ControlOutcome | undefined {
  const mine = t.pipeline;
  if (!mine || mine.project !== need(ctx, 'orchestrationProject')) return undefined;
  const i = pipelines.findIndex((p) => p.id === mine.id);
  const p = pipelines[i];
  if (!p)
    return outcome.error(
      `the enumeration does not contain the promotion's own pipeline ${mine.id}: it cannot be complete`,
      targetPointer(ctx, 'enumeration', 'pipelines'),
    );
  if (isCutOff(p, orch))
    return outcome.fail(
      `the promotion's own pipeline ${mine.id} is classified as a cut-off run (S5)${p.matched?.length ? `: jobs ${p.matched.join(', ')}` : ''}`,
      targetPointer(ctx, 'enumeration', 'pipelines', i),
      'deploy',
      'cut-off',
    );
  // The bundle classified it with the SDK's fingerprint; the gate's own is the yardstick. E2 records every
  // job the pipeline ran (`observed.jobs`): where they match the gate's deploy fingerprint, it is a deploy.
  const jobs = mine.observed?.jobs;
  const deployByGate =
    jobs !== undefined &&
    orch.fingerprints.deploy.every((entry) => jobs.some((name) => matchesEntry(name, entry))) &&
    !jobs.some((name) => orch.fingerprints.cutOff.some((entry) => matchesEntry(name, entry)));
  if (p.classification === 'other' && !deployByGate)
    return outcome.fail(
      `the promotion's own pipeline ${mine.id} is classified "other": its jobs do not match the deploy fingerprint (${orch.fingerprints.deploy.join(', ')})`,
      targetPointer(ctx, 'enumeration', 'pipelines', i, 'classification'),
      'deploy',
      p.classification,
    );
  return undefined;
}

/** `unverified` naming the pipelines that could not be classified by their jobs, and what would verify them. Internal. */
function unverifiedPipelines(
  ctx: ControlContext,
  shaky: readonly EnumeratedPipeline[],
  orch: OrchestratorExpectation,
): ControlOutcome {
  const listed = shaky
    .map((p) =>
      p.classification === 'unreadable'
        ? `${p.id} (unreadable: ${p.reason ?? 'no reason recorded'})`
        : `${p.id} (${p.classification} on what GitLab reported)`,
    )
    .join(', ');
  const message = `no cut-off pipeline is known, but pipeline(s) ${listed} were not classified by their jobs; what would verify it: reading their jobs and bridges (a token that may read them) and matching them against the cut-off fingerprint (${orch.fingerprints.cutOff.join(', ')})`;
  return outcome.unverifiedByGate(
    orch.acceptUnverified,
    message,
    targetPointer(ctx, 'enumeration', 'pipelines'),
    'observed',
    shaky.map((p) => p.id),
  );
}
