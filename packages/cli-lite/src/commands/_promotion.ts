/**
 * Runs (or resumes) a promotion through the SDK's promoteHotfix with a journal next to the
 * evidence file, renders progress, stops cleanly on Ctrl-C and maps target outcomes to one
 * exit code; before it reports `promoted` it checks its own sealed bundle with the policy
 * (see `_self-check.ts`). Shared by `hotfix promote` and `hotfix resume`.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { PromotionResult, PromotionTargetResult } from '@hotfix-release/sdk';
import { EXIT_CODES } from '../exit-codes.js';
import type { GitLab } from '../gitlab.js';
import { type ProblemDetails, problem } from '../problem.js';
import { createProgress } from '../progress.js';
import { problemFromSdk } from '../sdk-problem.js';
import type { CommandContext } from '../types.js';
import type { PromotionRequestOptions } from './_mr.js';
import { type SelfCheck, selfCheck, selfCheckDetail, selfCheckLines } from './_self-check.js';
import type { WorkspaceSession } from './_workspace.js';

/** The journal that belongs to an evidence file: `evidence.json` → `evidence.journal.json`. */
export function journalPathFor(evidencePath: string): string {
  return `${evidencePath.replace(/\.json$/i, '')}.journal.json`;
}

/** The evidence file that belongs to a journal: `evidence.journal.json` → `evidence.json`. */
export function evidencePathFor(journalPath: string): string {
  return journalPath.endsWith('.journal.json')
    ? journalPath.replace(/\.journal\.json$/, '.json')
    : `${journalPath}.evidence.json`;
}

/** One exit code for a promotion: failed wins, then interrupted, conflict, awaiting a human, timeout. */
export function exitCodeForTargets(targets: readonly PromotionTargetResult[], aborted: boolean): number {
  const reasons = new Set(targets.map((t) => t.reason));
  if (targets.some((t) => t.outcome === 'failed' || t.outcome === 'rolled_back')) return EXIT_CODES.failed;
  if (aborted || reasons.has('aborted')) return EXIT_CODES.interrupted;
  if (reasons.has('conflict')) return EXIT_CODES.conflict;
  if (reasons.has('awaiting-human')) return EXIT_CODES.awaitingHuman;
  if (reasons.has('timeout')) return EXIT_CODES.timeout;
  return targets.every((t) => t.outcome === 'promoted') ? EXIT_CODES.ok : EXIT_CODES.failed;
}

/** The MRs of a request, in order. */
export function mrsOf(r: PromotionRequestOptions): { project: string; iid: number }[] {
  return 'hotfixes' in r ? r.hotfixes.map((h) => h.mr) : [r.mr];
}

/** The request as promoteHotfix/planHotfix options. */
export function requestOptions(r: PromotionRequestOptions) {
  if ('hotfixes' in r)
    return {
      hotfixes: r.hotfixes.map((h) => ({
        mr: h.mr,
        ...(h.targets ? { targets: [...h.targets] } : {}),
        ...(h.dependsOn ? { dependsOn: [...h.dependsOn] } : {}),
      })),
    };
  return { mr: r.mr, ...(r.targets ? { targets: [...r.targets] } : {}) };
}

function targetDoc(t: PromotionTargetResult) {
  return {
    target: t.target,
    ...(t.hotfix ? { hotfix: t.hotfix } : {}),
    outcome: t.outcome,
    ...(t.reason ? { reason: t.reason } : {}),
    message: t.message,
    ...(t.instruction ? { instruction: t.instruction } : {}),
    ...(t.conflicts?.length ? { conflicts: t.conflicts } : {}),
    ...(t.record.pipeline ? { pipeline: { id: t.record.pipeline.id, webUrl: t.record.pipeline.webUrl } } : {}),
    ...(t.record.deployedSha ? { deployedSha: t.record.deployedSha.environment.sha } : {}),
    ...(t.error ? { error: { code: t.error.code, runbookRef: t.error.runbookRef ?? null } } : {}),
  };
}

/** Runs promoteHotfix and reports; returns the exit code. */
export async function runPromotion(
  ctx: CommandContext,
  gl: GitLab,
  run: {
    readonly request: PromotionRequestOptions;
    readonly evidencePath: string;
    readonly journalPath: string;
    readonly command: 'promote' | 'resume' | 'resolve';
    /** A resolution workspace (D3): conflicted files are written there and read back once edited. */
    readonly resolveDir?: string | undefined;
    /** The resolver over that workspace (see workspaceSession). */
    readonly session?: WorkspaceSession | undefined;
    /** `--rollback-on-failure` was given (else the config file decides; off by default). */
    readonly rollbackFlag?: boolean;
    /** `--pick-mode` (issue 19); else each service's configuration. */
    readonly pickMode?: 'push' | 'merge-request' | 'auto';
    /** `--no-wait` (refuse at once when another promotion holds the release lock) and `--break-lock`. */
    readonly lockFlags?: { readonly noWait: boolean; readonly breakLock: boolean };
  },
): Promise<number> {
  const { io } = ctx;
  const progress = createProgress(io);
  const controller = new AbortController();
  const resumeHint = `Resume with: hotfix resume ${run.journalPath}`;
  const unsubscribe = ctx.deps.onInterrupt?.(() => {
    progress.note('Stopping at the next safe point (Ctrl-C again to quit at once)…');
    controller.abort();
  });
  const w = gl.settings.wait;
  const written = run.session?.edit ?? [];
  const resolveConflicts =
    run.session && gl.settings.token
      ? { resolveConflicts: { resolver: run.session.resolver, gitToken: gl.settings.token } }
      : {};
  let result: Awaited<ReturnType<GitLab['sdk']['promoteHotfix']>>;
  try {
    result = await gl.sdk.promoteHotfix(gl.client, gl.config, {
      ...requestOptions(run.request),
      journalPath: run.journalPath,
      sentinels: gl.settings.token ? [gl.settings.token] : [],
      checkHeaders: gl.settings.checkHeaders,
      maxWaitMs: w.maxWaitMs,
      minDelayMs: w.minDelayMs,
      maxDelayMs: w.maxDelayMs,
      stableForMs: w.stableForMs,
      rollbackOnFailure: run.rollbackFlag === true || gl.settings.rollbackOnFailure,
      lock: lockOptions(gl, run.lockFlags),
      onEvent: progress.onEvent,
      signal: controller.signal,
      ...(run.pickMode ? { pickMode: run.pickMode } : {}),
      ...resolveConflicts,
    });
  } finally {
    progress.stop();
    unsubscribe?.();
  }
  if (result.isErr()) {
    const e = result.error;
    if (controller.signal.aborted)
      return io.fail(
        problem({
          code: 'interrupted',
          detail: 'Stopped by Ctrl-C.',
          exitCode: EXIT_CODES.interrupted,
          extra: { journal: run.journalPath, resume: `hotfix resume ${run.journalPath}` },
        }),
        [resumeHint],
      );
    const p = problemFromSdk(e, { journal: run.journalPath });
    if (e.code === 'lock-held' || e.code === 'lock-stale') return io.fail(p, lockHints(e.code, run.journalPath));
    return io.fail(p, existsSync(run.journalPath) && e.code !== 'preflight-failed' ? [resumeHint] : []);
  }
  const check = { sdk: gl.sdk, config: gl.config, gitlabUrl: gl.settings.gitlabUrl };
  const rollbackOnFailure = run.rollbackFlag === true || gl.settings.rollbackOnFailure;
  const mrs = mrsOf(run.request);
  return report(ctx, result.value, { ...run, mrs, written, check, rollbackOnFailure }, controller.signal.aborted);
}

/** The SDK's lock options from the flags and the config file; the lock names this machine. */
function lockOptions(gl: GitLab, flags: { readonly noWait: boolean; readonly breakLock: boolean } | undefined) {
  const l = gl.settings.lock;
  return {
    wait: flags?.noWait !== true,
    breakStale: flags?.breakLock === true,
    host: process.env.CI_JOB_URL ?? hostname(),
    ...(l.maxWaitMs !== undefined ? { maxWaitMs: l.maxWaitMs } : {}),
    ...(l.pollMs !== undefined ? { pollMs: l.pollMs } : {}),
    ...(l.leaseMs !== undefined ? { leaseMs: l.leaseMs } : {}),
  };
}

/** What to do about a release lock another promotion holds (S2/R3). */
function lockHints(code: 'lock-held' | 'lock-stale', journalPath: string): string[] {
  const again = `Nothing was changed. Try again when it ends: hotfix resume ${journalPath}`;
  return code === 'lock-stale'
    ? [
        again,
        'If its promotion is dead (ask its holder), take the lock over with --break-lock; the evidence records it.',
      ]
    : [again];
}

/**
 * The self-check of a promotion whose every target was promoted, written and reported before the
 * outcome: an `ndjson` step event, or nothing yet for people (the caller prints the lines).
 */
export async function checkOwnEvidence(
  ctx: CommandContext,
  bundle: PromotionResult['bundle'],
  run: {
    readonly evidencePath: string;
    readonly mrs: readonly { project: string; iid: number }[];
    readonly check: SelfCheckInput;
  },
): Promise<SelfCheck> {
  const s = await selfCheck(bundle, run.evidencePath, run.mrs, run.check);
  if (ctx.io.events)
    ctx.io.event({
      type: 'step',
      at: new Date().toISOString(),
      step: 'self-check',
      status: s.status === 'pass' ? 'done' : 'failed',
      message: s.status === 'pass' ? (selfCheckLines(s)[0] ?? 'self-check passed') : selfCheckDetail(s),
    });
  return s;
}

/** The problem of a promotion whose own evidence fails the self-check (exit 1), carrying the result document. */
export function selfCheckProblem(s: SelfCheck, doc: Readonly<Record<string, unknown>>): ProblemDetails {
  const first = s.failed[0] ?? s.unjudged[0];
  return problem({
    code: 'self-check-failed',
    title: 'The promotion’s own evidence fails the policy',
    detail: selfCheckDetail(s),
    exitCode: EXIT_CODES.failed,
    runbookRef: first?.runbookRef,
    extra: { ...doc, ok: false, selfCheck: s },
  });
}

/** What the self-check needs: the SDK and the promotion's own configuration and instance. */
export type SelfCheckInput = Parameters<typeof selfCheck>[3];

async function report(
  ctx: CommandContext,
  r: PromotionResult,
  run: {
    readonly evidencePath: string;
    readonly journalPath: string;
    readonly command: string;
    readonly mrs: readonly { project: string; iid: number }[];
    readonly resolveDir?: string | undefined;
    readonly written: readonly string[];
    readonly check: SelfCheckInput;
    readonly rollbackOnFailure: boolean;
  },
  aborted: boolean,
): Promise<number> {
  const { io } = ctx;
  // The evidence is written whatever the self-check says: it is the proof of what happened.
  await writeFile(run.evidencePath, `${JSON.stringify(r.bundle, null, 2)}\n`);
  const targetsCode = exitCodeForTargets(r.targets, aborted);
  const check = targetsCode === EXIT_CODES.ok ? await checkOwnEvidence(ctx, r.bundle, run) : undefined;
  const refused = check?.status === 'fail';
  const code = refused ? EXIT_CODES.failed : targetsCode;
  const resumable = code === EXIT_CODES.interrupted || code === EXIT_CODES.timeout || code === EXIT_CODES.awaitingHuman;
  const resume = `hotfix resume ${run.journalPath}`;
  const doc = {
    command: run.command,
    ok: r.ok && !refused,
    mr: run.mrs.map((m) => `${m.project}!${m.iid}`).join(', '),
    ...(run.mrs.length > 1 ? { mrs: run.mrs.map((m) => `${m.project}!${m.iid}`) } : {}),
    evidence: run.evidencePath,
    journal: run.journalPath,
    digest: r.bundle.digest ?? null,
    promotedTargets: r.bundle.promotedTargets,
    targets: r.targets.map(targetDoc),
    rollbackOnFailure: run.rollbackOnFailure,
    ...(check ? { selfCheck: check } : {}),
    ...(resumable ? { resume } : {}),
    ...(run.resolveDir && code === EXIT_CODES.conflict
      ? {
          workspace: run.resolveDir,
          edit: [...new Set(run.written)],
          continue: `hotfix resolve --continue ${run.resolveDir} --evidence ${run.evidencePath}`,
        }
      : {}),
  };
  if (io.json) return check && refused ? io.fail(selfCheckProblem(check, doc)) : io.result(doc, code);
  for (const t of r.targets) {
    const promoted = t.outcome === 'promoted' && !refused;
    const mark = promoted ? io.paint('green', '✓') : io.paint('red', '✗');
    const outcome = refused && t.outcome === 'promoted' ? 'deployed, not reported as promoted' : t.outcome;
    const of = run.mrs.length > 1 && t.hotfix ? ` [${t.hotfix}]` : '';
    io.out(`${mark} ${t.target}${of}: ${outcome}${t.reason ? ` (${t.reason})` : ''}: ${t.message}\n`);
    for (const c of t.conflicts ?? []) io.out(`    conflict: ${c.path}\n`);
    if (t.instruction && t.instruction !== t.message) io.out(`    ${t.instruction}\n`);
  }
  if (!run.rollbackOnFailure && r.targets.some((t) => t.outcome === 'failed' && t.reason !== 'drift'))
    io.out(
      '  Rollback on failure is off: nothing was reverted. Revert with "hotfix rollback" or replace the hotfix with a corrected one (D6); --rollback-on-failure backs it out automatically.\n',
    );
  for (const line of check ? selfCheckLines(check) : [])
    io.out(`${refused ? io.paint('red', '✗') : io.paint('green', '✓')} ${line}\n`);
  io.out(`Evidence: ${run.evidencePath} (journal ${run.journalPath})\n`);
  if (check && refused) return io.fail(selfCheckProblem(check, doc));
  if (code === EXIT_CODES.conflict && run.resolveDir) {
    const files = [...new Set(run.written)].map((f) => join(run.resolveDir ?? '.', f));
    io.out(
      `Edit ${files.join(', ') || `the conflicted files in ${run.resolveDir}`} (remove the conflict markers), then run: hotfix resolve --continue ${run.resolveDir} --evidence ${run.evidencePath}\n`,
    );
  } else if (code === EXIT_CODES.conflict)
    io.out(
      `Resolve it with a workspace (D3): hotfix promote ${run.mrs.map((m) => `--mr ${m.project}!${m.iid}`).join(' ')} --resolve <dir> --evidence ${run.evidencePath}\n`,
    );
  if (resumable) io.out(`${code === EXIT_CODES.interrupted ? 'Stopped. ' : ''}Resume with: ${resume}\n`);
  return code;
}
