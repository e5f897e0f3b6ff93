/**
 * promoteHotfix: the whole runbook for one merged hotfix and one or more targets
 * (S1–S7, D3, D4, D6, E1–E8): preflight, pick, drift check, guided pipeline, deployment
 * wait, validation, note and label, with every step journaled as evidence so a killed
 * process can resume without repeating a side effect.
 */
import { existsSync } from 'node:fs';
import {
  EvidenceJournal,
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
import { resolvePickPlan } from '../_internal/pick-plan.js';
import { type Clock, isoNow } from '../clock.js';
import { type HotfixError, hotfixError } from '../errors.js';
import type { GitLabClient } from '../gitlab-client.js';
import { preflight } from '../primitives/preflight.js';
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
import { labelRecord, reportedTime } from './_records.js';
import { attachLock, createLockGuard } from './_release-lock.js';
import { createRunner, evidenceError, type FlowHooks, type Runner } from './_runner.js';

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
  // P3/P4: a token that cannot pick, run pipelines or write notes is refused before the first request.
  const can = checkTokenCan(client.tokenKind, PROMOTION_OPERATIONS, 'promoteHotfix');
  if (can.isErr()) return errAsync(can.error);
  return fromBody(run(client, config, parsed.value, dependencies));
}

async function run(
  client: GitLabClient,
  config: RunbookConfig,
  o: PromoteSettings,
  hooks: FlowHooks,
): Promise<PromotionResult> {
  const baseClock = o.clock ?? client.clock;
  const targets = o.targets ?? [o.mr.project];
  await checkPreflight(
    client,
    config,
    o.mr,
    targets,
    createRunner({ clock: baseClock, hooks, onEvent: o.onEvent, signal: o.signal, journal: undefined }),
  );
  const mr = await must(client.mergeRequest(o.mr.project, o.mr.iid));
  const plan = await must(resolvePickPlan(client, o.mr.project, mr));
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
    hotfix: {
      mr: {
        project: o.mr.project,
        iid: o.mr.iid,
        webUrl: mr.web_url,
        mergeMethod: METHOD[plan.method],
        mergedAt: reportedTime(mr.merged_at, 'merged_at for the merge request'),
      },
      commits: plan.picks.map((p) => ({ sha: p.sha, title: p.title })),
      governed: config.governed,
    },
    targets,
  };
  // The check headers' values are secrets like the token: no journal line or bundle may hold one.
  const sentinels = [...o.sentinels, ...checkHeaderValues(o.checkHeaders)];
  const journal = await openJournal(o.journalPath, header, baseClock, sentinels);
  const startedAt = journal?.state().bundle.startedAt ?? header.startedAt;
  // S2/R3: one promotion per release branch at a time; the lock's sleeps renew it (see _release-lock.ts).
  const guard = createLockGuard({
    client,
    identity: lockIdentity(me, o, `${o.mr.project}!${o.mr.iid}@${startedAt}`),
    settings: o.lock,
    signal: o.signal,
    journaled: journal !== undefined,
  });
  const clock = guard.wrap(baseClock);
  const runner = createRunner({ clock, hooks, onEvent: o.onEvent, signal: guard.signal, journal });
  await guard.acquire(
    targets.map((t) => ({ target: t, branch: serviceFor(config, t)?.releaseBranch ?? config.releaseBranch })),
    runner,
  );
  const shared = { client, config, mr: { ...o.mr, webUrl: mr.web_url }, plan, startedAt, settings: o, clock, runner };
  const results: PromotionTargetResult[] = [];
  for (const target of targets) {
    const state = journal?.state();
    const previous = state?.bundle.targets.find((t) => t.project === target);
    const pending = state?.pendingPipelines[target];
    const ctx = promotionContext(shared, target, `${o.mr.project}!${o.mr.iid}@${startedAt}`, pending);
    attachLock(ctx.state.record, guard.recordFor(target));
    results.push(await promoteTarget(ctx, previous));
  }
  await labelAndClose(client, config, o, results, runner);
  await guard.finish(results, runner);
  return seal(header, results, journal, runner, o.journalPath, sentinels);
}

/** Who takes the release lock: the operator, this promotion (same id across resume), its MR, journal and host. */
function lockIdentity(me: { username: string; id: number }, o: PromoteSettings, promotionId: string): LockIdentity {
  const journal = o.journalPath?.split(/[\\/]/).pop();
  return {
    username: me.username,
    id: me.id,
    promotionId,
    mr: `${o.mr.project}!${o.mr.iid}`,
    ...(journal ? { journal } : {}),
    ...(o.lock.host ? { host: o.lock.host } : {}),
  };
}

/** The context of one target's steps. */
function promotionContext(
  shared: Omit<PromotionContext, 'target' | 'branch' | 'promotionId' | 'state' | 'pendingPipeline'>,
  target: string,
  promotionId: string,
  pendingPipeline?: PipelineIntent,
): PromotionContext {
  const record: TargetRecord = { project: target, outcome: 'pending', conflicts: [], smokeChecks: [], rollbacks: [] };
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

/** S1: preflight problems stop the promotion before anything changes (`preflight-failed`). */
async function checkPreflight(
  client: GitLabClient,
  config: RunbookConfig,
  mr: { readonly project: string; readonly iid: number },
  targets: readonly string[],
  runner: Runner,
): Promise<void> {
  runner.progress('preflight', 'start', `Checking ${mr.project}!${mr.iid} and ${targets.join(', ')}`);
  const report = await must(preflight(client, config, { mr, targets: [...targets] }));
  const errors = report.findings.filter((f) => f.severity === 'error');
  if (report.ok) {
    runner.progress('preflight', 'done', 'All prerequisites hold');
    return;
  }
  runner.progress('preflight', 'failed', errors.map((f) => f.message).join(' '));
  throw hotfixError('preflight-failed', `Preflight found ${errors.length} problem(s); nothing was changed.`, {
    runbookRef: errors[0]?.runbookRef ?? 'S1',
    details: { findings: errors.map((f) => ({ code: f.code, runbookRef: f.runbookRef, message: f.message })) },
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
    bundle = {
      ...header,
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
 * E8 and D4: the MR is labelled once, after EVERY target passed validation (a label added
 * after the first of two targets would predate the second's validation); then each
 * target's outcome is journaled.
 */
async function labelAndClose(
  client: GitLabClient,
  config: RunbookConfig,
  o: PromoteSettings,
  results: PromotionTargetResult[],
  runner: Runner,
): Promise<void> {
  const validated = results.filter((r) => r.outcome === 'promoted');
  if (config.governed && validated.length === results.length && validated.length > 0) {
    const checks = validated.flatMap((r) => r.checks ?? []);
    const label = await labelValidated(client, { project: o.mr.project, iid: o.mr.iid, label: config.label, checks });
    if (label.isErr()) {
      for (const [i, r] of results.entries())
        results[i] = { ...r, outcome: 'failed', reason: 'error', message: label.error.message, error: label.error };
    } else {
      const record = labelRecord(client, o.mr.project, o.mr.iid, true, label.value, runner.nowIso());
      for (const r of validated) {
        r.record.label = record;
        await runner.journal({ step: 'label', target: r.target, record });
      }
      runner.progress('label', 'done', `"${config.label}" on !${o.mr.iid}`);
    }
  } else if (config.governed) {
    runner.progress('label', 'skipped', `Not labelling: ${results.length - validated.length} target(s) not validated`);
  }
  for (const r of results) {
    if (r.outcome === 'promoted' || r.record.outcome !== r.outcome) {
      r.record.outcome = r.outcome;
      await runner.journal({ step: 'outcome', target: r.target, record: { outcome: r.outcome } });
    }
  }
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
