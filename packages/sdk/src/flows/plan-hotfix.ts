/**
 * planHotfix: the promotion's runner in plan mode (`--dry-run`). It walks the same step
 * list promoteHotfix runs and asks each step for its plan (the picks as GitLab's dry run
 * sees them, the S4 request exactly as it will be sent, the waits and the checks), so the
 * plan an operator approves is the plan that runs. Nothing is changed.
 */
import { errAsync, type ResultAsync } from 'neverthrow';
import { fromBody, must } from '../_internal/must.js';
import { parseOptions } from '../_internal/parse-options.js';
import { type PickPlan, resolvePickPlan } from '../_internal/pick-plan.js';
import type { HotfixError } from '../errors.js';
import type { GitLabClient } from '../gitlab-client.js';
import { type PreflightReport, preflight } from '../primitives/preflight.js';
import { type RunbookConfig, serviceFor } from '../runbook-config.js';
import { type PromoteOptions, type PromoteSettings, promoteOptionsSchema } from './_promote-options.js';
import { promotionSteps } from './_promote-target.js';
import { createRunner, type PlannedStep, planSteps } from './_runner.js';

export type { PlannedStep } from './_runner.js';

/** What a promotion would do: the preflight report and, per target, each step's plan in runbook order. */
export interface PromotionPlan {
  readonly mr: { readonly project: string; readonly iid: number };
  readonly preflight: PreflightReport;
  readonly targets: readonly { readonly target: string; readonly steps: readonly PlannedStep[] }[];
}

/**
 * Plans a promotion with the options promoteHotfix would get, changing nothing. A problem
 * preflight finds is in the report (the plan is still made, so the operator sees all of
 * it); a step whose plan cannot be read carries `{ state: 'error', error }`.
 *
 * Errors: `invalid-input`, transport errors (the MR cannot be read).
 * @see S1 S2 S3 S4 S5 S6 S7 D3 D4
 */
export function planHotfix(
  client: GitLabClient,
  config: RunbookConfig,
  options: PromoteOptions,
): ResultAsync<PromotionPlan, HotfixError> {
  const parsed = parseOptions(promoteOptionsSchema, options, 'promotion');
  if (parsed.isErr()) return errAsync(parsed.error);
  return fromBody(plan(client, config, parsed.value));
}

async function plan(client: GitLabClient, config: RunbookConfig, o: PromoteSettings): Promise<PromotionPlan> {
  const targets = o.targets ?? [o.mr.project];
  const report = await must(preflight(client, config, { mr: o.mr, targets: [...targets] }));
  const mr = await must(client.mergeRequest(o.mr.project, o.mr.iid));
  // An unmerged MR has no pick plan yet: the pick step's own plan then says why.
  const picks = await resolvePickPlan(client, o.mr.project, mr);
  const pickPlan: PickPlan = picks.isOk() ? picks.value : { method: 'merge-commit', picks: [] };
  const clock = o.clock ?? client.clock;
  const runner = createRunner({ clock, journal: undefined, hooks: {}, onEvent: undefined, signal: o.signal });
  const planned: PromotionPlan['targets'][number][] = [];
  for (const target of targets) {
    const ctx = {
      client,
      config,
      target,
      branch: serviceFor(config, target)?.releaseBranch ?? config.releaseBranch,
      mr: { ...o.mr, webUrl: mr.web_url },
      plan: pickPlan,
      promotionId: `${o.mr.project}!${o.mr.iid}@plan`,
      startedAt: runner.nowIso(),
      settings: o,
      clock,
      runner,
      state: {
        record: { project: target, outcome: 'pending' as const, conflicts: [], smokeChecks: [], rollbacks: [] },
        resolvedPaths: [],
        expectedSha: '',
      },
    };
    planned.push({ target, steps: await planSteps(promotionSteps, ctx) });
  }
  return { mr: { project: o.mr.project, iid: o.mr.iid }, preflight: report, targets: planned };
}
