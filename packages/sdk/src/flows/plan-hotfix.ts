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
import { type PromotionRequest, resolvePromotionRequest } from './_promotion-units.js';
import { createRunner, type PlannedStep, planSteps } from './_runner.js';

export type { PlannedStep } from './_runner.js';

/** What a promotion would do: the preflight report and, per target, each step's plan in runbook order. */
export interface PromotionPlan {
  /** The (first) MR; see `hotfixes` for a promotion of several. */
  readonly mr: { readonly project: string; readonly iid: number };
  /** The (first) MR's preflight report; see `hotfixes` for each MR's. */
  readonly preflight: PreflightReport;
  /** D4 across repositories: every MR in the given order, with its own preflight report and targets. */
  readonly hotfixes: readonly {
    readonly mr: { readonly project: string; readonly iid: number };
    readonly preflight: PreflightReport;
    readonly targets: readonly string[];
  }[];
  /** Every target in promotion order, the MR it promotes (`group/project!iid`), and what it waits for. */
  readonly targets: readonly {
    readonly target: string;
    readonly hotfix: string;
    readonly dependsOn: readonly string[];
    readonly steps: readonly PlannedStep[];
  }[];
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
  const request = resolvePromotionRequest(parsed.value);
  if (request.isErr()) return errAsync(request.error);
  return fromBody(plan(client, config, parsed.value, request.value));
}

async function plan(
  client: GitLabClient,
  config: RunbookConfig,
  o: PromoteSettings,
  request: PromotionRequest,
): Promise<PromotionPlan> {
  const clock = o.clock ?? client.clock;
  const runner = createRunner({ clock, journal: undefined, hooks: {}, onEvent: undefined, signal: o.signal });
  const hotfixes: PromotionPlan['hotfixes'][number][] = [];
  const planned: PromotionPlan['targets'][number][] = [];
  const promotionId = `${request.hotfixes.map((h) => h.ref).join('+')}@plan`;
  for (const h of request.hotfixes) {
    const units = request.units.filter((u) => u.hotfix === h.ref);
    const targets = units.map((u) => u.target);
    const report = await must(preflight(client, config, { mr: h.mr, targets }));
    hotfixes.push({ mr: h.mr, preflight: report, targets });
    const mr = await must(client.mergeRequest(h.mr.project, h.mr.iid));
    // An unmerged MR has no pick plan yet: the pick step's own plan then says why.
    const picks = await resolvePickPlan(client, h.mr.project, mr);
    const pickPlan: PickPlan = picks.isOk() ? picks.value : { method: 'merge-commit', picks: [] };
    for (const unit of units) {
      const target = unit.target;
      const ctx = {
        client,
        config,
        target,
        branch: serviceFor(config, target)?.releaseBranch ?? config.releaseBranch,
        mr: { ...h.mr, webUrl: mr.web_url },
        plan: pickPlan,
        promotionId,
        startedAt: runner.nowIso(),
        settings: o,
        clock,
        runner,
        state: {
          record: {
            project: target,
            hotfix: h.ref,
            outcome: 'pending' as const,
            conflicts: [],
            smokeChecks: [],
            rollbacks: [],
          },
          resolvedPaths: [],
          expectedSha: '',
        },
      };
      planned.push({ target, hotfix: h.ref, dependsOn: unit.dependsOn, steps: await planSteps(promotionSteps, ctx) });
    }
  }
  // In promotion order (a `dependsOn` may move a target after another MR's).
  const order = request.units.map((u) => u.target);
  planned.sort((a, b) => order.indexOf(a.target) - order.indexOf(b.target));
  const first = hotfixes[0] as PromotionPlan['hotfixes'][number];
  return { mr: first.mr, preflight: first.preflight, hotfixes, targets: planned };
}
