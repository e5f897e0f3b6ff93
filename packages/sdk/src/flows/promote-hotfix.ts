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
  type PromotionBundle,
  SCHEMA_VERSION,
  sealBundle,
} from '@hotfix-release/evidence';
import { errAsync, type ResultAsync } from 'neverthrow';
import type { z } from 'zod';
import { fromBody, must } from '../_internal/must.js';
import { PACKAGE_VERSION } from '../_internal/package-version.js';
import { parseOptions } from '../_internal/parse-options.js';
import { resolvePickPlan } from '../_internal/pick-plan.js';
import { type HotfixError, hotfixError } from '../errors.js';
import type { GitLabClient } from '../gitlab-client.js';
import { preflight } from '../primitives/preflight.js';
import { labelValidated } from '../primitives/record-validation.js';
import type { RunbookConfig } from '../runbook-config.js';
import { type FlowEvent, type PromoteOptions, promoteOptionsSchema } from './_promote-options.js';
import { type PromotionTargetResult, promoteTarget, type TargetContext } from './_promote-target.js';
import { labelRecord } from './_records.js';

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
): ResultAsync<PromotionResult, HotfixError> {
  const parsed = parseOptions(promoteOptionsSchema, options, 'promotion');
  if (parsed.isErr()) return errAsync(parsed.error);
  return fromBody(run(client, config, parsed.value));
}

async function run(
  client: GitLabClient,
  config: RunbookConfig,
  o: z.output<typeof promoteOptionsSchema>,
): Promise<PromotionResult> {
  const targets = o.targets ?? [o.mr.project];
  const nowMs = () => (o.clock ? o.clock.now() : Date.now());
  const nowIso = () => new Date(nowMs()).toISOString();
  const emit = (e: FlowEvent) => o.onEvent?.(e);
  const step = (s: string, status: 'start' | 'done' | 'skipped' | 'failed', message: string, target?: string) =>
    emit({ type: 'step', at: new Date().toISOString(), step: s, status, message, ...(target ? { target } : {}) });

  step('preflight', 'start', `Checking ${o.mr.project}!${o.mr.iid} and ${targets.join(', ')}`);
  const report = await must(preflight(client, config, { mr: o.mr, targets }));
  if (!report.ok) {
    step(
      'preflight',
      'failed',
      report.findings
        .filter((f) => f.severity === 'error')
        .map((f) => f.message)
        .join(' '),
    );
    throw hotfixError(
      'preflight-failed',
      `Preflight found ${report.findings.filter((f) => f.severity === 'error').length} problem(s); nothing was changed.`,
      {
        runbookRef: report.findings.find((f) => f.severity === 'error')?.runbookRef ?? 'S1',
        details: {
          findings: report.findings
            .filter((f) => f.severity === 'error')
            .map((f) => ({ code: f.code, runbookRef: f.runbookRef, message: f.message })),
        },
      },
    );
  }
  step('preflight', 'done', 'All prerequisites hold');

  const mr = await must(client.mergeRequest(o.mr.project, o.mr.iid));
  const plan = await must(resolvePickPlan(client, o.mr.project, mr));
  const me = await must(client.currentUser());
  const header: JournalHeader = {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: '@hotfix-release/sdk', version: SDK_VERSION },
    operator: { username: me.username, id: me.id },
    gitlabUrl: client.gitlabUrl,
    startedAt: nowIso(),
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
        mergedAt: new Date(mr.merged_at ?? Date.now()).toISOString(),
      },
      commits: plan.picks.map((p) => ({ sha: p.sha, title: p.title })),
      governed: config.governed,
    },
    targets,
  };
  const journal = await openJournal(o.journalPath, header);
  const completed = journal?.state().completed ?? [];
  const startedAt = journal?.state().bundle.startedAt ?? header.startedAt;
  const promotionId = `${o.mr.project}!${o.mr.iid}@${startedAt}`;

  const results: PromotionTargetResult[] = [];
  for (const target of targets) {
    const ctx: TargetContext = {
      client,
      config,
      target,
      mr: { project: o.mr.project, iid: o.mr.iid, webUrl: mr.web_url },
      plan,
      promotionId,
      startedAt,
      journal,
      done: new Set(completed.filter((c) => c.target === target).map((c) => c.step)),
      previous: journal?.state().bundle.targets.find((t) => t.project === target),
      options: o,
      step,
      emit,
      nowMs,
    };
    results.push(await promoteTarget(ctx));
  }
  await labelAndClose(client, config, o, results, journal, nowIso, step);

  let bundle: PromotionBundle;
  if (journal) {
    const done = await journal.append({ step: 'complete', record: { completedAt: nowIso() } });
    if (!done.isOk()) throw evidenceError(journal.path, done.error.message);
    bundle = journal.state().bundle;
  } else {
    bundle = {
      ...header,
      targets: results.map((r) => r.record),
      promotedTargets: results.filter((r) => r.outcome === 'promoted').map((r) => r.target),
      completedAt: nowIso(),
    } as PromotionBundle;
  }
  const sealed = sealBundle(bundle);
  if (!sealed.isOk()) throw evidenceError(o.journalPath, sealed.error.message);
  return {
    ok: results.every((r) => r.outcome === 'promoted'),
    targets: results,
    bundle: sealed.value,
    ...(o.journalPath ? { journalPath: o.journalPath } : {}),
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
  o: z.output<typeof promoteOptionsSchema>,
  results: PromotionTargetResult[],
  journal: EvidenceJournal | undefined,
  nowIso: () => string,
  step: (s: string, status: 'start' | 'done' | 'skipped' | 'failed', message: string, target?: string) => void,
): Promise<void> {
  const validated = results.filter((r) => r.outcome === 'promoted');
  const append = async (entry: Parameters<EvidenceJournal['append']>[0]) => {
    if (!journal) return;
    const r = await journal.append(entry);
    if (!r.isOk()) throw evidenceError(journal.path, r.error.message);
  };
  if (config.governed && validated.length === results.length && validated.length > 0) {
    const checks = validated.flatMap((r) => r.checks ?? []);
    const label = await labelValidated(client, { project: o.mr.project, iid: o.mr.iid, label: config.label, checks });
    if (label.isErr()) {
      for (const [i, r] of results.entries())
        results[i] = { ...r, outcome: 'failed', reason: 'error', message: label.error.message, error: label.error };
    } else {
      const record = { ...labelRecord(client, o.mr.project, o.mr.iid, true, label.value), observedAt: nowIso() };
      for (const r of validated) {
        r.record.label = record;
        await append({ step: 'label', target: r.target, record });
        await o.afterStep?.('label', r.target);
      }
      step('label', 'done', `"${config.label}" on !${o.mr.iid}`);
    }
  } else if (config.governed) {
    step('label', 'skipped', `Not labelling: ${results.length - validated.length} target(s) not validated`);
  }
  for (const r of results) {
    if (r.outcome === 'promoted' || r.record.outcome !== r.outcome) {
      r.record.outcome = r.outcome;
      await append({ step: 'outcome', target: r.target, record: { outcome: r.outcome } });
    }
  }
}

function evidenceError(path: string | undefined, reason: string): HotfixError {
  return hotfixError('evidence', `Evidence journal problem: ${reason}`, {
    details: { ...(path ? { path } : {}), reason },
  });
}

async function openJournal(path: string | undefined, header: JournalHeader): Promise<EvidenceJournal | undefined> {
  if (!path) return undefined;
  const r = existsSync(path) ? await EvidenceJournal.open(path) : await EvidenceJournal.create(path, header);
  if (!r.isOk()) throw evidenceError(path, r.error.message);
  return r.value;
}
