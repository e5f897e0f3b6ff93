/**
 * E3 and S7 as step values: prove no cut-off pipeline ran in the promotion window, run the
 * hotfix checks, and write the validation note. The label (E8) is the promotion's, not a
 * target's: it is written once every target passed.
 */
import type { SmokeCheckRecord } from '@hotfix-release/evidence';
import { must } from '../_internal/must.js';
import { writeValidationNote } from '../primitives/record-validation.js';
import { runSmokeChecks } from '../primitives/run-smoke-checks.js';
import { serviceFor } from '../runbook-config.js';
import { enumerateCutOff } from './_enumerate-cut-off.js';
import { smokeHeadersFor } from './_promote-options.js';
import type { PromotionContext } from './_promotion-context.js';
import * as rec from './_records.js';
import { CONTINUE, defineStep, noAdoption, stop } from './_runner.js';

/** E3: no cut-off pipeline ran for this target in the promotion window. */
export const enumerateStep = defineStep<PromotionContext, undefined>({
  name: 'enumerate',
  runbookIds: ['E3', 'S5'],
  adopt: noAdoption,
  async run(ctx) {
    const { runner, target, state } = ctx;
    const end = new Date(ctx.clock.now() + 1000).toISOString();
    const enumeration = await must(
      enumerateCutOff(
        ctx.client,
        ctx.config,
        target,
        { start: ctx.startedAt, end },
        { clock: ctx.clock, ...(runner.signal ? { signal: runner.signal } : {}) },
      ),
    );
    state.record.enumeration = runner.stamp(enumeration);
    await runner.journal({ step: 'enumerate', target, record: enumeration });
    if (enumeration.offendingPipelineIds.length === 0) return CONTINUE;
    const ids = enumeration.offendingPipelineIds.join(', ');
    return stop(
      'cut-off-detected',
      'failed',
      `A cut-off pipeline (${ids}) ran for ${target} during the promotion; release may have been rebuilt (S5, R3).`,
    );
  },
});

/** S7/E6: the hotfix checks; a failure stops the target (and backs the hotfix out when configured, D6). */
export const smokeStep = defineStep<PromotionContext, readonly SmokeCheckRecord[] | undefined>({
  name: 'smoke',
  runbookIds: ['S7', 'E6', 'D6'],
  // A passed validation the journal holds stands on resume while staging still runs what it validated:
  // re-running the checks would stamp a validation later than the note (possibly already on the MR,
  // its answer lost) and the label that rest on it (E7, E8).
  adopt: (previous) =>
    previous && previous.smokeChecks.length > 0 && previous.smokeChecks.every((c) => c.result === 'passed')
      ? previous.smokeChecks
      : undefined,
  async run(ctx, recorded) {
    const { runner, target, state } = ctx;
    const deployedAt = state.record.deployment?.deployment.finishedAt;
    const stillValid =
      recorded !== undefined &&
      (deployedAt === null ||
        deployedAt === undefined ||
        recorded.every((c) => Date.parse(c.startedAt) >= Date.parse(deployedAt)));
    if (recorded && stillValid) {
      state.record.smokeChecks = [...recorded];
      state.checks = recorded.map((r) => ({
        name: r.name,
        kind: r.kind,
        result: r.result,
        ...(r.kind === 'http' ? { url: r.apiUrl } : {}),
        startedAt: r.startedAt,
        durationMs: r.durationMs,
        outputDigest: r.outputDigest,
        message: 'passed before the resume (recorded in the validation note)',
      }));
      runner.progress('smoke', 'done', `${recorded.length} check(s) passed (recorded before the resume)`, target);
      return CONTINUE;
    }
    runner.progress('smoke', 'start', 'Running the hotfix checks', target);
    const smokeStarted = ctx.clock.now();
    const checks = await must(
      runSmokeChecks(serviceFor(ctx.config, target)?.smokeChecks ?? [], ctx.settings.customChecks[target] ?? [], {
        expectedSha: state.expectedSha,
        clock: ctx.clock,
        ...(runner.signal ? { signal: runner.signal } : {}),
        ...smokeHeadersFor(ctx.settings.checkHeaders, target),
      }),
    );
    // On the flow's clock: each check ends when the records are written and started its measured duration before.
    const endedMs = Math.max(ctx.clock.now(), smokeStarted);
    state.record.smokeChecks = rec.smokeRecords(checks, ctx.mr.webUrl).map((r) => ({
      ...r,
      observedAt: new Date(endedMs).toISOString(),
      startedAt: new Date(endedMs - r.durationMs).toISOString(),
    }));
    await runner.journal({ step: 'smoke', target, record: state.record.smokeChecks });
    const failing = checks.filter((c) => c.result !== 'passed');
    if (checks.length > 0 && failing.length === 0) {
      state.checks = checks;
      runner.progress('smoke', 'done', `${checks.length} check(s) passed`, target);
      return CONTINUE;
    }
    const why = checks.length === 0 ? 'no check ran' : failing.map((c) => `${c.name}: ${c.message}`).join('; ');
    if (!ctx.settings.rollbackOnFailure) {
      return stop(
        'validation-failed',
        'failed',
        `Validation failed (${why}); not labelling. Revert or replace the hotfix (D6).`,
      );
    }
    return stop(
      'validation-failed',
      'rolled_back',
      `Validation failed (${why}); the hotfix was reverted from release and staging redeployed (D6, R2).`,
      { rollback: { runbookRef: 'R2', why: `validation failed: ${why}` } },
    );
  },
  async plan(ctx) {
    const http = serviceFor(ctx.config, ctx.target)?.smokeChecks ?? [];
    const custom = ctx.settings.customChecks[ctx.target] ?? [];
    return { checks: [...http.map((c) => c.name), ...custom.map((c) => c.name)] };
  },
});

/** E7: the validation note on the MR (found, not duplicated, on resume). */
export const noteStep = defineStep<PromotionContext, undefined>({
  name: 'note',
  runbookIds: ['E7', 'S7'],
  adopt: noAdoption,
  async run(ctx) {
    const { runner, target, state } = ctx;
    const observed = state.observed;
    const note = await must(
      writeValidationNote(ctx.client, {
        promotionId: ctx.promotionId,
        project: ctx.mr.project,
        iid: ctx.mr.iid,
        service: target,
        environment: observed?.environment ?? ctx.config.environment,
        deployedSha: state.expectedSha,
        pipelineUrl: state.pipeline?.webUrl ?? '',
        ...(observed?.deployment ? { deploymentUrl: observed.deployment.apiUrl } : {}),
        checks: state.checks ?? [],
      }),
    );
    state.record.note = rec.noteRecord(ctx.client, ctx.mr.project, ctx.mr.iid, target, note, runner.nowIso());
    await runner.journal({ step: 'note', target, record: state.record.note });
    runner.progress('note', 'done', note.url, target);
    return CONTINUE;
  },
});
