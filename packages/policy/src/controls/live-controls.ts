import { canonicalJson, hotfixForTarget, type PromotionBundle, type TargetRecord } from '@hotfix-release/evidence';
import type { ControlOutcome } from '../control-result.js';
import { type LiveFacts, type LiveFactsQuery, liveFactsSnapshotSchema } from '../live-facts.js';
import { type ExpectedValues, need } from './control-context.js';

function same(a: unknown, b: unknown): boolean {
  const x = canonicalJson(a);
  const y = canonicalJson(b);
  return x.isOk() && y.isOk() && x.value === y.value;
}

/** live-facts (E2, E5, E7, E8): re-reads the facts through the provider and fails on any disagreement. Internal. */
export async function checkLiveFacts(
  live: LiveFacts,
  bundle: PromotionBundle,
  t: TargetRecord,
  index: number,
  expected: ExpectedValues,
  timeoutMs: number,
): Promise<ControlOutcome> {
  const base = `/targets/${index}`;
  const ctx = { expected };
  let query: LiveFactsQuery;
  try {
    query = {
      gitlabUrl: need(ctx, 'gitlabUrl'),
      target: t.project,
      pipeline: t.pipeline ? { project: t.pipeline.project, id: t.pipeline.id } : null,
      environment: need(ctx, 'environment'),
      mr: targetMr(bundle, t),
      noteId: t.note?.id ?? null,
      label: need(ctx, 'label'),
    };
  } catch (cause) {
    return { status: 'error', message: cause instanceof Error ? cause.message : String(cause), pointer: base };
  }
  let snapshotValue: unknown;
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    snapshotValue = await Promise.race([Promise.resolve().then(() => live(query)), timeout]);
  } catch (cause) {
    return {
      status: 'error',
      message: `live facts could not be read: ${cause instanceof Error ? cause.message : String(cause)}`,
      pointer: base,
    };
  } finally {
    clearTimeout(timer);
  }
  const parsed = liveFactsSnapshotSchema.safeParse(snapshotValue);
  if (!parsed.success)
    return { status: 'error', message: 'the live facts provider returned an invalid snapshot', pointer: base };
  const now = parsed.data;
  const mismatches: { pointer: string; what: string; expected: unknown; actual: unknown }[] = [];
  if (t.pipeline && !same(t.pipeline.inputs, now.pipelineInputs)) {
    mismatches.push({
      pointer: `${base}/pipeline/inputs`,
      what: 'pipeline inputs',
      expected: t.pipeline.inputs,
      actual: now.pipelineInputs,
    });
  }
  const sha = t.deployedSha?.environment.sha ?? null;
  if (sha !== now.deployedSha)
    mismatches.push({
      pointer: `${base}/deployedSha/environment/sha`,
      what: 'deployed SHA',
      expected: sha,
      actual: now.deployedSha,
    });
  const label = t.label?.present ?? false;
  if (label !== now.labelPresent)
    mismatches.push({ pointer: `${base}/label/present`, what: 'label', expected: label, actual: now.labelPresent });
  if (t.note && t.note.bodyDigest !== now.note?.bodyDigest) {
    mismatches.push({
      pointer: `${base}/note/bodyDigest`,
      what: 'note',
      expected: t.note.bodyDigest,
      actual: now.note?.bodyDigest ?? null,
    });
  }
  const first = mismatches[0];
  if (first) {
    return {
      status: 'fail',
      message: `GitLab disagrees with the bundle on: ${mismatches.map((m) => m.what).join(', ')}`,
      pointer: first.pointer,
      expected: first.expected,
      actual: first.actual,
    };
  }
  return { status: 'pass', message: 'GitLab agrees on pipeline inputs, deployed SHA, label and note', pointer: base };
}

/**
 * The merge request of a target's own hotfix (D4: E7/E8 are read on that MR): the note is re-read by its id
 * among that MR's notes, the MR whose notes E7 requires the note record's URLs to name.
 */
function targetMr(bundle: PromotionBundle, t: TargetRecord): { project: string; iid: number } {
  const h = hotfixForTarget(bundle, t)?.hotfix;
  if (!h) throw new Error(`target ${t.project} names ${t.hotfix}, which is not one of the bundle's hotfixes`);
  return { project: h.mr.project, iid: h.mr.iid };
}
