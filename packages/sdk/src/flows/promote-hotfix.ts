/**
 * promoteHotfix: the whole runbook for one merged hotfix and one or more targets
 * (S1–S7, D3, D4, D6, E1–E8): preflight, pick, drift check, guided pipeline, deployment
 * wait, validation, note and label, with every step journaled as evidence so a killed
 * process can resume without repeating a side effect.
 */
import { existsSync } from 'node:fs';
import {
  EvidenceJournal,
  type Hotfix,
  type JournalHeader,
  type PipelineIntent,
  type PromotionBundle,
  SCHEMA_VERSION,
  sealBundle,
  type TargetRecord,
} from '@hotfix-release/evidence';
import { errAsync, type ResultAsync } from 'neverthrow';
import { fromBody, must } from '../_internal/must.js';
import { PACKAGE_VERSION } from '../_internal/package-version.js';
import { parseOptions } from '../_internal/parse-options.js';
import { type PickPlan, resolvePickPlan, withChangedPaths } from '../_internal/pick-plan.js';
import { rememberStableReads } from '../_internal/run-reads.js';
import { type Clock, isoNow } from '../clock.js';
import { type HotfixError, hotfixError } from '../errors.js';
import type { GitLabClient } from '../gitlab-client.js';
import { type PreflightFinding, preflight } from '../primitives/preflight.js';
import { labelValidated } from '../primitives/record-validation.js';
import type { LockIdentity } from '../primitives/release-lock.js';
import { type RunbookConfig, serviceFor } from '../runbook-config.js';
import { checkTokenCan, PROMOTION_OPERATIONS } from '../token-kinds.js';
import {
  checkHeaderValues,
  type PromoteOptions,
  type PromoteSettings,
  promoteOptionsSchema,
} from './_promote-options.js';
import { type PromotionTargetResult, promoteTarget } from './_promote-target.js';
import type { PromotionContext } from './_promotion-context.js';
import { type PromotionRequest, type PromotionUnit, resolvePromotionRequest } from './_promotion-units.js';
import { labelRecord, reportedTime } from './_records.js';
import { attachLock, createLockGuard, type LockGuard } from './_release-lock.js';
import { createRunner, evidenceError, type FlowHooks, finishTarget, type Runner } from './_runner.js';

export type { FlowEvent, PromoteOptions } from './_promote-options.js';
export { promoteOptionsSchema } from './_promote-options.js';

/** The version written into evidence as the tool version: this package's version, from its package.json. */
export const SDK_VERSION: string = PACKAGE_VERSION;

/** The result of a promotion: per-target outcomes and the sealed evidence bundle. */
export interface PromotionResult {
  /** True when every target was promoted. */
  readonly ok: boolean;
  readonly targets: readonly PromotionTargetResult[];
  readonly bundle: PromotionBundle;
  readonly journalPath?: string;
}

const METHOD = { 'merge-commit': 'merge', squash: 'squash', 'fast-forward': 'ff' } as const;

/**
 * Promotes one merged hotfix to staging for each target. Preflight problems stop it
 * before anything changes (`preflight-failed`). Each target then runs S2–S7 on its own:
 * a conflict (D3), drift (R3), a failed deployment or failed validation (D6, with
 * rollback when configured) ends that target with its outcome, and the others go on;
 * the bundle names exactly which targets were promoted (D4). With `journalPath` every
 * completed step is journaled crash-safely; running again with the same journal resumes,
 * re-checking each step against GitLab and never repeating a side effect.
 *
 * `dependencies` are test hooks (see {@link FlowHooks}), deliberately not options.
 *
 * Errors: `invalid-input`, `preflight-failed`, `evidence` (journal unreadable), transport errors.
 *
 * @example
 * ```ts
 * const r = await promoteHotfix(client, config, { mr: { project: 'evenergi/charging-api', iid: 7 }, journalPath: 'evidence.journal.json' });
 * if (r.isOk()) console.log(r.value.bundle.promotedTargets);
 * ```
 * @see S1 S2 S3 S4 S5 S6 S7 D3 D4 D6 E1 E2 E3 E4 E5 E6 E7 E8
 */
export function promoteHotfix(
  client: GitLabClient,
  config: RunbookConfig,
  options: PromoteOptions,
  dependencies: FlowHooks = {},
): ResultAsync<PromotionResult, HotfixError> {
  const parsed = parseOptions(promoteOptionsSchema, options, 'promotion');
  if (parsed.isErr()) return errAsync(parsed.error);
  const request = resolvePromotionRequest(parsed.value);
  if (request.isErr()) return errAsync(request.error);
  // P3/P4: a token that cannot pick, run pipelines or write notes is refused before the first request.
  const can = checkTokenCan(client.tokenKind, PROMOTION_OPERATIONS, 'promoteHotfix');
  if (can.isErr()) return errAsync(can.error);
  // Who the token is and the hotfix's diffs cannot change during the run: asked once (issue 27).
  return fromBody(run(rememberStableReads(client), config, parsed.value, request.value, dependencies));
}

/** One MR as the promotion read it from GitLab: its web URL, pick plan and evidence entry. */
interface ReadHotfix {
  readonly ref: string;
  readonly mr: { readonly project: string; readonly iid: number; readonly webUrl: string };
  readonly plan: PickPlan;
  readonly evidence: Hotfix;
}

async function run(
  client: GitLabClient,
  config: RunbookConfig,
  o: PromoteSettings,
  request: PromotionRequest,
  hooks: FlowHooks,
): Promise<PromotionResult> {
  const baseClock = o.clock ?? client.clock;
  await checkPreflight(
    client,
    config,
    request,
    createRunner({ clock: baseClock, hooks, onEvent: o.onEvent, signal: o.signal, journal: undefined }),
  );
  const hotfixes = await readHotfixes(client, config, request);
  const me = await must(client.currentUser());
  const header: JournalHeader = {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: '@hotfix-release/sdk', version: SDK_VERSION },
    operator: { username: me.username, id: me.id },
    gitlabUrl: client.gitlabUrl,
    startedAt: isoNow(baseClock),
    settings: {
      orchestrationProject: config.orchestration.project,
      releaseBranch: config.releaseBranch,
      environment: config.environment,
      label: config.label,
    },
    hotfixes: hotfixes.map((h) => h.evidence),
    targets: request.units.map((u) => ({
      project: u.target,
      hotfix: u.hotfix,
      ...(u.dependsOn.length > 0 ? { dependsOn: [...u.dependsOn] } : {}),
    })),
  };
  // The check headers' values are secrets like the token: no journal line or bundle may hold one.
  const sentinels = [...o.sentinels, ...checkHeaderValues(o.checkHeaders)];
  const journal = await openJournal(o.journalPath, header, baseClock, sentinels);
  const startedAt = journal?.state().bundle.startedAt ?? header.startedAt;
  const promotionId = `${request.hotfixes.map((h) => h.ref).join('+')}@${startedAt}`;
  // S2/R3: one promotion per release branch at a time; ALL locks (sorted by project path) before the first side effect.
  const guard = createLockGuard({
    client,
    identity: lockIdentity(me, o, promotionId, request),
    settings: o.lock,
    signal: o.signal,
    journaled: journal !== undefined,
  });
  const clock = guard.wrap(baseClock);
  const runner = createRunner({ clock, hooks, onEvent: o.onEvent, signal: guard.signal, journal });
  await guard.acquire(
    request.units.map((u) => ({
      target: u.target,
      branch: serviceFor(config, u.target)?.releaseBranch ?? config.releaseBranch,
    })),
    runner,
  );
  const operator = { username: me.username, id: me.id, ...(me.name ? { name: me.name } : {}) };
  const shared = { client, config, startedAt, settings: o, clock, runner, operator };
  const results = await promoteUnits(shared, request, hotfixes, journal, guard, promotionId);
  await labelAndClose(client, config, hotfixes, results, runner);
  await guard.finish(results, runner);
  return seal(header, results, journal, runner, o.journalPath, sentinels);
}

/** Reads every MR and its pick plan (after preflight, before anything changes). */
async function readHotfixes(
  client: GitLabClient,
  config: RunbookConfig,
  request: PromotionRequest,
): Promise<ReadHotfix[]> {
  const out: ReadHotfix[] = [];
  for (const { mr: ask, ref } of request.hotfixes) {
    const mr = await must(client.mergeRequest(ask.project, ask.iid));
    // With the changed paths: a local resolution (D3) reads ahead along them without reading the diff again.
    const plan = await must(
      resolvePickPlan(client, ask.project, mr).andThen((p) => withChangedPaths(client, ask.project, p)),
    );
    const evidence: Hotfix = {
      mr: {
        project: ask.project,
        iid: ask.iid,
        webUrl: mr.web_url,
        mergeMethod: METHOD[plan.method],
        mergedAt: reportedTime(mr.merged_at, 'merged_at for the merge request'),
      },
      commits: plan.picks.map((p) => ({ sha: p.sha, title: p.title })),
      governed: config.governed,
    };
    out.push({ ref, mr: { ...ask, webUrl: mr.web_url }, plan, evidence });
  }
  return out;
}

/**
 * S2–S7 for every target in order (D4). A target whose dependencies were not all promoted is not started:
 * it is recorded as not promoted with the reason (outcome `failed`, a `blocked` record); independent
 * targets go on.
 */
async function promoteUnits(
  shared: Omit<PromotionContext, 'target' | 'branch' | 'promotionId' | 'state' | 'pendingPipeline' | 'mr' | 'plan'>,
  request: PromotionRequest,
  hotfixes: readonly ReadHotfix[],
  journal: EvidenceJournal | undefined,
  guard: LockGuard,
  promotionId: string,
): Promise<PromotionTargetResult[]> {
  const results: PromotionTargetResult[] = [];
  for (const unit of request.units) {
    const h = hotfixes.find((x) => x.ref === unit.hotfix) as ReadHotfix;
    const state = journal?.state();
    const previous = state?.bundle.targets.find((t) => t.project === unit.target);
    const pending = state?.pendingPipelines[unit.target];
    const ctx = promotionContext({ ...shared, mr: h.mr, plan: h.plan }, unit, promotionId, pending);
    attachLock(ctx.state.record, guard.recordFor(unit.target));
    const blockedBy = unit.dependsOn.filter((d) => results.find((r) => r.target === d)?.outcome !== 'promoted');
    const result = blockedBy.length > 0 ? await blocked(ctx, blockedBy, results) : await promoteTarget(ctx, previous);
    results.push({ ...result, hotfix: unit.hotfix });
  }
  return results;
}

/** D4 order: a target not started because a target it depends on stopped; journaled with the reason. */
async function blocked(
  ctx: PromotionContext,
  blockedBy: readonly string[],
  results: readonly PromotionTargetResult[],
): Promise<PromotionTargetResult> {
  const why = blockedBy.map((d) => `${d} ${results.find((r) => r.target === d)?.outcome ?? 'not run'}`).join(', ');
  const message = `${ctx.target} was not promoted: it depends on ${why} (D4); nothing was changed in ${ctx.target}.`;
  const record = { observedAt: ctx.runner.nowIso(), reason: message, blockedBy: [...blockedBy] };
  ctx.state.record.blocked = record;
  await ctx.runner.journal({ step: 'blocked', target: ctx.target, record });
  await finishTarget(ctx.runner, ctx.target, ctx.state.record, 'failed', message);
  return { target: ctx.target, outcome: 'failed', reason: 'blocked', message, record: ctx.state.record };
}

/** Who takes the release lock: the operator, this promotion (same id across resume), its MRs, journal and host. */
function lockIdentity(
  me: { username: string; id: number },
  o: PromoteSettings,
  promotionId: string,
  request: PromotionRequest,
): LockIdentity {
  const journal = o.journalPath?.split(/[\\/]/).pop();
  return {
    username: me.username,
    id: me.id,
    promotionId,
    mr: request.hotfixes.map((h) => h.ref).join(', '),
    ...(journal ? { journal } : {}),
    ...(o.lock.host ? { host: o.lock.host } : {}),
  };
}

/** The context of one target's steps. */
function promotionContext(
  shared: Omit<PromotionContext, 'target' | 'branch' | 'promotionId' | 'state' | 'pendingPipeline'>,
  unit: PromotionUnit,
  promotionId: string,
  pendingPipeline?: PipelineIntent,
): PromotionContext {
  const target = unit.target;
  const record: TargetRecord = {
    project: target,
    hotfix: unit.hotfix,
    ...(unit.dependsOn.length > 0 ? { dependsOn: [...unit.dependsOn] } : {}),
    outcome: 'pending',
    conflicts: [],
    smokeChecks: [],
    rollbacks: [],
  };
  const branch = serviceFor(shared.config, target)?.releaseBranch ?? shared.config.releaseBranch;
  return {
    ...shared,
    target,
    branch,
    promotionId,
    ...(pendingPipeline ? { pendingPipeline } : {}),
    state: { record, resolvedPaths: [], expectedSha: '' },
  };
}

/** S1: every MR and target is checked before anything changes; all problems are reported at once (`preflight-failed`). */
async function checkPreflight(
  client: GitLabClient,
  config: RunbookConfig,
  request: PromotionRequest,
  runner: Runner,
): Promise<void> {
  const findings: { code: string; runbookRef: PreflightFinding['runbookRef']; message: string; mr: string }[] = [];
  for (const h of request.hotfixes) {
    const targets = request.units.filter((u) => u.hotfix === h.ref).map((u) => u.target);
    runner.progress('preflight', 'start', `Checking ${h.ref} and ${targets.join(', ')}`);
    const report = await must(preflight(client, config, { mr: h.mr, targets }));
    for (const f of report.findings)
      if (f.severity === 'error')
        findings.push({ code: f.code, runbookRef: f.runbookRef, message: f.message, mr: h.ref });
  }
  if (findings.length === 0) {
    runner.progress('preflight', 'done', 'All prerequisites hold');
    return;
  }
  const several = request.hotfixes.length > 1;
  const said = findings.map((f) => (several ? `${f.mr}: ${f.message}` : f.message));
  runner.progress('preflight', 'failed', said.join(' '));
  throw hotfixError('preflight-failed', `Preflight found ${findings.length} problem(s); nothing was changed.`, {
    runbookRef: findings[0]?.runbookRef ?? 'S1',
    details: {
      findings: findings.map((f) => ({
        code: f.code,
        runbookRef: f.runbookRef,
        message: several ? `${f.mr}: ${f.message}` : f.message,
      })),
    },
  });
}

/** Closes the journal (or builds the bundle without one) and seals it. */
async function seal(
  header: JournalHeader,
  results: readonly PromotionTargetResult[],
  journal: EvidenceJournal | undefined,
  runner: Runner,
  journalPath: string | undefined,
  sentinels: readonly string[],
): Promise<PromotionResult> {
  let bundle: PromotionBundle;
  if (journal) {
    await runner.journal({ step: 'complete', record: { completedAt: runner.nowIso() } });
    bundle = journal.state().bundle;
  } else {
    const { targets: _order, ...rest } = header;
    bundle = {
      ...rest,
      targets: results.map((r) => r.record),
      promotedTargets: results.filter((r) => r.outcome === 'promoted').map((r) => r.target),
      completedAt: runner.nowIso(),
    } as PromotionBundle;
  }
  const sealed = sealBundle(bundle, { sentinels });
  if (!sealed.isOk()) throw evidenceError(journalPath, sealed.error.message);
  return {
    ok: results.every((r) => r.outcome === 'promoted'),
    targets: results,
    bundle: sealed.value,
    ...(journalPath ? { journalPath } : {}),
  };
}

/**
 * E8 and D4, per MR: each MR is labelled once, after EVERY one of ITS targets passed validation (a label added
 * after the first of two targets would predate the second's validation); an MR whose target stopped is not
 * labelled, whatever the other MRs did. Then each target's outcome is journaled.
 */
async function labelAndClose(
  client: GitLabClient,
  config: RunbookConfig,
  hotfixes: readonly ReadHotfix[],
  results: PromotionTargetResult[],
  runner: Runner,
): Promise<void> {
  for (const h of hotfixes) await labelOne(client, config, h, results, runner);
  for (const r of results) {
    if (r.outcome === 'promoted' || r.record.outcome !== r.outcome) {
      r.record.outcome = r.outcome;
      await runner.journal({ step: 'outcome', target: r.target, record: { outcome: r.outcome } });
    }
  }
}

/** E8 for one MR: the label once all of its targets validated; a failed label fails its targets. */
async function labelOne(
  client: GitLabClient,
  config: RunbookConfig,
  h: ReadHotfix,
  results: PromotionTargetResult[],
  runner: Runner,
): Promise<void> {
  if (!config.governed) return;
  const mine = results.filter((r) => r.hotfix === h.ref);
  const validated = mine.filter((r) => r.outcome === 'promoted');
  if (validated.length !== mine.length || validated.length === 0) {
    runner.progress(
      'label',
      'skipped',
      `Not labelling ${h.ref}: ${mine.length - validated.length} of its target(s) not validated`,
    );
    return;
  }
  const checks = validated.flatMap((r) => r.checks ?? []);
  const label = await labelValidated(client, { project: h.mr.project, iid: h.mr.iid, label: config.label, checks });
  if (label.isErr()) {
    for (const [i, r] of results.entries())
      if (r.hotfix === h.ref)
        results[i] = { ...r, outcome: 'failed', reason: 'error', message: label.error.message, error: label.error };
    return;
  }
  const record = labelRecord(client, h.mr.project, h.mr.iid, true, label.value, runner.nowIso());
  for (const r of validated) {
    r.record.label = record;
    await runner.journal({ step: 'label', target: r.target, record });
  }
  runner.progress('label', 'done', `"${config.label}" on ${h.ref}`);
}

async function openJournal(
  path: string | undefined,
  header: JournalHeader,
  clock: Clock,
  sentinels: readonly string[],
): Promise<EvidenceJournal | undefined> {
  if (!path) return undefined;
  const options = { now: () => new Date(clock.now()), sentinels };
  const r = existsSync(path)
    ? await EvidenceJournal.open(path, options)
    : await EvidenceJournal.create(path, header, options);
  if (!r.isOk()) throw evidenceError(path, r.error.message);
  // `hotfix abandon` gave this promotion up: it is never resumed (R3).
  if (r.value.state().abandoned) throw evidenceError(path, 'the promotion was abandoned; start a new one');
  return r.value;
}
