import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type PromotionBundle, type RollbackRecord, sealBundle, type TargetRecord } from '@hotfix-release/evidence';
import { parseCommand, required, str, strs } from '../args.js';
import { EXIT_CODES } from '../exit-codes.js';
import { connect, type GitLab } from '../gitlab.js';
import { problem } from '../problem.js';
import { createProgress, type Progress } from '../progress.js';
import type { Command } from '../run.js';
import { problemFromSdk } from '../sdk-problem.js';
import { readBundle } from './_files.js';

/** `hotfix rollback`: revert the recorded picks, rerun the same pipeline, await it, record it (R1, R2). */
export const rollbackCommand: Command = {
  help: `Usage: hotfix rollback --evidence <file> [--target <group/project>]... [--reason <text>]

Back a promoted hotfix out (R1, R2): revert the picks recorded in the evidence bundle from release,
and where it was deployed rerun the orchestration pipeline with the same action, project and
confirm=true, wait for staging to run the reverted release, and record the rollback in the bundle.

Example:
  hotfix rollback --evidence evidence.json --reason "checkout returns 500 in staging"
`,
  async run(ctx, argv) {
    const p = parseCommand(argv, {
      evidence: { type: 'string' },
      target: { type: 'string', multiple: true },
      reason: { type: 'string' },
    });
    const path = resolve(ctx.deps.cwd ?? '.', required(p, 'evidence', '--evidence evidence.json'));
    const bundle = await readBundle(path);
    const gl = await connect(ctx.deps, p);
    if (gl.config.orchestration.project !== bundle.settings.orchestrationProject)
      return ctx.io.fail(
        problem({
          code: 'invalid-config',
          title: 'Bad configuration',
          detail: `The bundle was deployed by ${bundle.settings.orchestrationProject} but the configuration names ${gl.config.orchestration.project}; rerunning "the same pipeline" needs the same orchestration project (R2).`,
          exitCode: EXIT_CODES.configuration,
          runbookRef: 'R2',
          extra: { field: 'runbook.orchestration.project', file: gl.settings.file ?? null },
        }),
      );
    const only = strs(p, 'target');
    const reason = str(p, 'reason') ?? 'operator rollback (hotfix rollback)';
    const progress = createProgress(ctx.io);
    const controller = new AbortController();
    const unsubscribe = ctx.deps.onInterrupt?.(() => {
      progress.note('Stopping…');
      controller.abort();
    });
    const results: { target: string; outcome: string; exitCode: number; message: string; revertSha?: string }[] = [];
    const targets: TargetRecord[] = [];
    try {
      for (const t of bundle.targets) {
        if ((only.length && !only.includes(t.project)) || !t.pick) {
          targets.push(t);
          continue;
        }
        const r = await rollbackTarget(gl, t, reason, progress, controller.signal);
        if ('problem' in r) return ctx.io.fail(r.problem);
        results.push(r.result);
        targets.push(r.record);
      }
    } finally {
      progress.stop();
      unsubscribe?.();
    }
    const rolledBack = new Set(results.filter((r) => r.exitCode === 0).map((r) => r.target));
    const { digest: _old, ...rest } = bundle;
    const next: PromotionBundle = {
      ...rest,
      targets,
      promotedTargets: bundle.promotedTargets.filter((t) => !rolledBack.has(t)),
    };
    const sealed = sealBundle(next);
    if (sealed.ok) await writeFile(path, `${JSON.stringify(sealed.value, null, 2)}\n`);
    const code = results.length === 0 ? EXIT_CODES.failed : Math.max(...results.map((r) => r.exitCode));
    if (ctx.io.json)
      return ctx.io.result({ command: 'rollback', ok: code === 0, evidence: path, targets: results }, code);
    if (results.length === 0) ctx.io.out('Nothing to roll back: no target in the bundle has a recorded pick.\n');
    for (const r of results)
      ctx.io.out(
        `${r.exitCode === 0 ? ctx.io.paint('green', '✓') : ctx.io.paint('red', '✗')} ${r.target}: ${r.outcome}: ${r.message}\n`,
      );
    ctx.io.out(`Evidence updated: ${path}\n`);
    return code;
  },
};

type TargetRollback =
  | { readonly problem: ReturnType<typeof problemFromSdk> }
  | {
      readonly result: { target: string; outcome: string; exitCode: number; message: string; revertSha?: string };
      readonly record: TargetRecord;
    };

async function rollbackTarget(
  gl: GitLab,
  t: TargetRecord,
  reason: string,
  progress: Progress,
  signal: AbortSignal,
): Promise<TargetRollback> {
  const { sdk, client, config, settings } = gl;
  const pick = t.pick!;
  const step = (status: 'start' | 'done' | 'failed', message: string) =>
    progress.onEvent({
      type: 'step',
      at: new Date().toISOString(),
      step: 'rollback',
      status,
      message,
      target: t.project,
    });
  const picked = pick.picks.map((x) => x.pickedSha);
  step('start', `Reverting ${picked.map((s) => s.slice(0, 12)).join(', ')} from ${pick.releaseBranch}`);
  const rv = await sdk.revertFromRelease(client, { project: t.project, picked, branch: pick.releaseBranch });
  if (rv.isErr()) return { problem: problemFromSdk(rv.error) };
  const v = rv.value;
  const fail = (exitCode: number, outcome: string, message: string): TargetRollback => {
    step('failed', message);
    return { result: { target: t.project, outcome, exitCode, message }, record: t };
  };
  if (v.kind === 'conflict')
    return fail(
      EXIT_CODES.conflict,
      'conflict',
      `Reverting ${v.picked.slice(0, 12)} conflicts: revert on a local release branch (D3, R3).`,
    );
  if (v.kind === 'denied' || v.kind === 'failed') return fail(EXIT_CODES.failed, v.kind, v.error.message);
  if (v.kind === 'planned') return fail(EXIT_CODES.internal, 'planned', 'unexpected dry run');
  const head = v.kind === 'reverted' ? v.releaseAfter : v.releaseHead;
  const revertSha = v.reverts[v.reverts.length - 1]?.revert || head;
  step('done', `Reverted as ${revertSha.slice(0, 12)}`);
  const deployed = t.pipeline !== undefined || t.deployment !== undefined;
  let rerun: RollbackRecord['rerunPipeline'] = null;
  let revalidation: RollbackRecord['revalidation'] = null;
  let exitCode: number = EXIT_CODES.ok;
  let message = `${pick.releaseBranch} reverted as ${revertSha.slice(0, 12)} (R1)`;
  if (deployed) {
    const trig = await sdk.triggerGuidedRelease(client, config, {
      target: t.project,
      allowConcurrent: true,
      reuseWindowMs: 0,
      signal,
      onEvent: progress.onEvent,
    });
    if (trig.isErr()) return { problem: problemFromSdk(trig.error) };
    const p = trig.value;
    rerun = {
      apiUrl: `${client.gitlabUrl}/api/v4/projects/${encodeURIComponent(p.project)}/pipelines/${p.id}`,
      observedAt: new Date(p.reported.readAt).toISOString(),
      id: p.id,
      iid: p.iid ?? p.id,
      project: p.project,
      ref: p.ref,
      sha: p.sha,
      status: p.status,
      webUrl: p.webUrl,
      createdAt: new Date(p.createdAt).toISOString(),
      source: p.source ?? 'api',
      inputs: { ...p.reported.inputs },
      variables: p.reported.variables.map((x) => ({ key: x.key, value: x.value })),
    };
    const w = settings.wait;
    const waited = await sdk.awaitEnvironment(client, config, {
      pipeline: { id: p.id, projectId: p.projectId },
      target: t.project,
      expectedSha: head,
      maxWaitMs: w.maxWaitMs,
      minDelayMs: w.minDelayMs,
      maxDelayMs: w.maxDelayMs,
      signal,
      onEvent: progress.onEvent,
    });
    if (waited.isErr()) return { problem: problemFromSdk(waited.error) };
    const o = waited.value;
    revalidation = { passed: o.outcome === 'success', checks: [] };
    exitCode = {
      success: EXIT_CODES.ok,
      failure: EXIT_CODES.failed,
      timeout: EXIT_CODES.timeout,
      awaiting_human: EXIT_CODES.awaitingHuman,
      aborted: EXIT_CODES.interrupted,
    }[o.outcome];
    message =
      o.outcome === 'success'
        ? `reverted as ${revertSha.slice(0, 12)}; pipeline #${p.id} redeployed staging with the reverted release (R2)`
        : `reverted as ${revertSha.slice(0, 12)}; the redeploy by pipeline #${p.id} ended ${o.outcome}${'message' in o ? `: ${o.message}` : ''}`;
    step(o.outcome === 'success' ? 'done' : 'failed', message);
  }
  const record: RollbackRecord = {
    apiUrl: `${client.gitlabUrl}/api/v4/projects/${encodeURIComponent(t.project)}/repository/commits/${revertSha}`,
    observedAt: new Date().toISOString(),
    reason: reason.slice(0, 2000),
    runbookRef: deployed ? 'R2' : 'R1',
    revertSha,
    rerunPipeline: rerun,
    revalidation,
  };
  return {
    result: {
      target: t.project,
      outcome: exitCode === 0 ? 'rolled_back' : 'rollback-incomplete',
      exitCode,
      message,
      revertSha,
    },
    record: { ...t, outcome: 'rolled_back', rollbacks: [...t.rollbacks, record] },
  };
}
