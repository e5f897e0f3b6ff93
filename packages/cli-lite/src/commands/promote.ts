import { resolve } from 'node:path';
import type { GuidedPipelineRequest, HotfixError } from '@hotfix-release/sdk';
import { flag, GITLAB_OPTIONS, type OptionTable, parseCommand, str } from '../args.js';
import { EXIT_CODES } from '../exit-codes.js';
import { connect, type GitLab, requireTokenCan } from '../gitlab.js';
import { ProblemError, usageProblem } from '../problem.js';
import { problemFromSdk } from '../sdk-problem.js';
import type { Command, CommandContext } from '../types.js';
import { type PromotionRequestOptions, requestOf } from './_mr.js';
import { journalPathFor, requestOptions, runPromotion } from './_promotion.js';
import { createWorkspace, readWorkspaceNote, workspaceSession } from './_workspace.js';

const flags: OptionTable = {
  ...GITLAB_OPTIONS,
  mr: { type: 'string', multiple: true },
  'mrs-file': { type: 'string' },
  target: { type: 'string', multiple: true },
  'dry-run': { type: 'boolean' },
  evidence: { type: 'string' },
  resolve: { type: 'string' },
  'rollback-on-failure': { type: 'boolean' },
  'pick-mode': { type: 'string' },
  'no-wait': { type: 'boolean' },
  'break-lock': { type: 'boolean' },
};

const PICK_MODES = ['push', 'merge-request', 'auto'] as const;

/** `--pick-mode`: how the pick reaches release (issue 19); undefined leaves each service's configuration. */
function pickModeOf(value: string | undefined): (typeof PICK_MODES)[number] | undefined {
  if (value === undefined) return undefined;
  if ((PICK_MODES as readonly string[]).includes(value)) return value as (typeof PICK_MODES)[number];
  throw new ProblemError(usageProblem(`--pick-mode must be one of ${PICK_MODES.join(', ')}, not "${value}" (S2)`));
}

/** `hotfix promote`: the whole runbook for one merged hotfix, or its plan with `--dry-run`. */
export const promoteCommand: Command = {
  help: `Usage: hotfix promote --mr <group/project>!<iid> [--target <group/project>]... [--dry-run]
       hotfix promote --mr <group/a>!<iid> --mr <group/b>!<iid>... | --mrs-file <json> [--dry-run]
                      [--evidence <file>] [--resolve <workspace-dir>] [--rollback-on-failure]
                      [--pick-mode push|merge-request|auto]
                      [--no-wait] [--break-lock]

Run the runbook for one merged hotfix: preflight, cherry-pick into release (S2), verify release
(S3), start the orchestration pipeline with action=deploy-release-branch-to-staging (S4, never the
cut-off action, S5), follow the deployment (S6), validate, note and label (S7). Every step is
journaled next to the evidence file (evidence.journal.json); Ctrl-C stops cleanly and
"hotfix resume <journal>" continues. The sealed evidence bundle is written to --evidence
(default evidence.json). --dry-run prints the plan and changes nothing. With --resolve <dir>, a
conflicting pick (D3) writes the conflicted files with markers into <dir>/<group>+<project>/
(<dir> must be empty or new); edit them, then run "hotfix resolve --continue <dir> --evidence
<file>": only files you changed are taken, the tree is verified, pushed to release only if release has not
moved, recorded as evidence, and the promotion goes on.

--pick-mode (default: each service's "pickMode", itself "auto") says how the pick reaches release:
"push" cherry-picks onto release; "merge-request" picks onto a hotfix-release/pick/... branch and
opens a merge request into release, merges it once it is approved and its pipeline passed, and
otherwise stops awaiting a person (exit 5) with the MR's link ("hotfix resume" goes on); "auto" is
merge-request exactly when release refuses your pushes. The dry run shows the mode.

When the deployment or the validation fails, nothing is reverted unless --rollback-on-failure (or
"rollbackOnFailure": true in hotfix.config.json) is given: D6 leaves "revert or replace with a
corrected hotfix" to you. With it, the hotfix is reverted from release (R1), and redeployed and
revalidated when it had reached staging (R2). A deployment of anything but this promotion's commit
(release moved: someone else's commit rides along) is an R3 stop that never reverts anything.

A fix that spans repositories (D4) is one merge request per repository: give --mr once per MR
(each is promoted into its own project's release) or --mrs-file with a JSON list, in promotion
order: [{"mr": "group/api!12"}, {"mr": "group/portal!7", "targets": ["group/portal-eu"],
"dependsOn": ["group/api"]}] ("targets": further targets beyond the MR's own project;
"dependsOn": targets that must be promoted first: when one stops, these are recorded as not
promoted with the reason, while independent ones go on). Preflight checks every MR and target
before anything changes; every release lock is taken first, in project-path order; one evidence
bundle records every target with its MR; each MR gets its own note and, only once all of its
targets validated, its label. The dry run shows the plan of every MR and target.

One promotion at a time per release branch (S2/R3): after preflight and before any change, the
promotion takes the release lock of each target, the branch hotfix-release/lock/<release branch> in
the target project. When another promotion holds it, it waits (at most "lock": {"maxWaitMs"} of
hotfix.config.json, 30 min by default), saying who holds it, for which MR and until when; --no-wait
refuses at once instead. The lock is held across a manual gate or a timeout ("hotfix resume" takes
it back) and after an R3 stop, and released when the promotion ends, on Ctrl-C, or with
"hotfix abandon <journal>". A lock whose lease ran out (its promotion was killed) is taken over only
with --break-lock, which the evidence records.

Before it reports "promoted", the promotion checks its own sealed bundle with the policy (E1–E8,
with this configuration as the expectations: instance, MR, orchestration project and ref, each
target's release branch, environment and orchestrator profile, label; signatures are the gate's
job): a failing control ends it with exit 1 naming the control and runbook ID ("self-check: E2
failed [E2] …"), and the evidence file is still written.

Example:
  hotfix promote --mr evenergi/charging-api!42 --target evenergi/charging-api --evidence evidence.json
  hotfix promote --mr evenergi/charging-api!42 --dry-run
  hotfix promote --mr evenergi/charging-api!42 --mr evenergi/fleet-portal!7 --evidence evidence.json
`,
  options: flags,
  async run(ctx, argv) {
    const p = parseCommand(argv, flags);
    const pickMode = pickModeOf(str(p, 'pick-mode'));
    const gl = await connect(ctx.deps, p);
    const cwd = ctx.deps.cwd ?? '.';
    const request = await requestOf(p, gl.settings, cwd);
    if (flag(p, 'dry-run')) return dryRun(ctx, gl, request, pickMode);
    await requireTokenCan(gl, 'promotion', 'hotfix promote');
    const evidencePath = resolve(cwd, str(p, 'evidence') ?? 'evidence.json');
    const journalPath = journalPathFor(evidencePath);
    const resolveFlag = str(p, 'resolve');
    const resolveDir = resolveFlag ? resolve(cwd, resolveFlag) : undefined;
    let session: ReturnType<typeof workspaceSession> | undefined;
    if (resolveDir) {
      await createWorkspace(gl.sdk, resolveDir, { journal: journalPath, evidence: evidencePath });
      const note = await readWorkspaceNote(resolveDir, evidencePath, journalPathFor);
      session = workspaceSession(gl.sdk, resolveDir, note, []);
    }
    return runPromotion(ctx, gl, {
      request,
      evidencePath,
      journalPath,
      command: 'promote',
      resolveDir,
      session,
      rollbackFlag: flag(p, 'rollback-on-failure'),
      ...(pickMode ? { pickMode } : {}),
      lockFlags: { noWait: flag(p, 'no-wait'), breakLock: flag(p, 'break-lock') },
    });
  },
};

async function dryRun(
  ctx: CommandContext,
  gl: GitLab,
  request: PromotionRequestOptions,
  pickMode: (typeof PICK_MODES)[number] | undefined,
): Promise<number> {
  const { io } = ctx;
  const w = gl.settings.wait;
  // The SDK's runner in plan mode: the same steps, options and request builder as the promotion.
  const planned = await gl.sdk.planHotfix(gl.client, gl.config, {
    ...requestOptions(request),
    maxWaitMs: w.maxWaitMs,
    minDelayMs: w.minDelayMs,
    maxDelayMs: w.maxDelayMs,
    stableForMs: w.stableForMs,
    ...(pickMode ? { pickMode } : {}),
  });
  if (planned.isErr()) return io.fail(problemFromSdk(planned.error));
  const plan = planned.value;
  const docs = plan.targets.map((t) => ({
    ...targetPlan(t.target, t.steps),
    hotfix: t.hotfix,
    ...(t.dependsOn.length > 0 ? { dependsOn: t.dependsOn } : {}),
  }));
  const conflicting = docs.some((x) => x.pick.state === 'conflicting');
  const blocked =
    plan.hotfixes.some((h) => !h.preflight.ok) ||
    docs.some((x) => ['error', 'denied', 'failed'].includes(String(x.pick.state)) || x.pipeline === undefined);
  const code = blocked ? EXIT_CODES.failed : conflicting ? EXIT_CODES.conflict : EXIT_CODES.ok;
  const refs = plan.hotfixes.map((h) => `${h.mr.project}!${h.mr.iid}`);
  if (io.json) {
    const doc = { command: 'promote', dryRun: true, ok: code === 0, mr: refs.join(', ') };
    const several = plan.hotfixes.length > 1;
    const mrs = plan.hotfixes.map((h, i) => ({ mr: refs[i], targets: h.targets, preflight: h.preflight }));
    return io.result({ ...doc, preflight: plan.preflight, ...(several ? { mrs } : {}), targets: docs }, code);
  }
  io.out(`Plan for ${refs.join(', ')} (dry run: nothing was changed)\n`);
  for (const [i, h] of plan.hotfixes.entries()) {
    if (plan.hotfixes.length > 1) io.out(`${refs[i]} into ${h.targets.join(', ')}:\n`);
    for (const f of h.preflight.findings) {
      const mark = f.severity === 'error' ? io.paint('red', '✗') : io.paint('yellow', '!');
      io.out(`  ${mark} ${f.code} [${f.runbookRef}]: ${f.message}\n`);
    }
    for (const x of docs.filter((d) => d.hotfix === refs[i])) {
      if (x.dependsOn) io.out(`  ${x.target}: only after ${x.dependsOn.join(', ')} promoted (D4)\n`);
      printTarget(io, x);
    }
  }
  return code;
}

type StepPlan = Readonly<Record<string, unknown>>;

/** One target's plan as the CLI shows it: the pick, the pipeline request as it will be sent, the waits. */
function targetPlan(target: string, steps: readonly { step: string; plan: StepPlan }[]) {
  const of = (name: string) => steps.find((s) => s.step === name)?.plan;
  const pick = of('pick') ?? { state: 'error' };
  const trigger = of('trigger');
  const error = (p: StepPlan | undefined) =>
    p?.state === 'error' ? problemFromSdk(p.error as HotfixError) : undefined;
  const pickError = error(pick);
  const pipelineError = error(trigger);
  return {
    target,
    pick: pickError ? { ...pick, error: pickError } : pick,
    ...(trigger && !pipelineError ? { pipeline: trigger.request as GuidedPipelineRequest } : {}),
    ...(pipelineError ? { pipelineError } : {}),
    wait: of('deploy'),
    checks: (of('smoke')?.checks as string[] | undefined) ?? [],
  };
}

function printTarget(io: CommandContext['io'], x: ReturnType<typeof targetPlan>): void {
  const pick = x.pick as {
    state: string;
    branch?: string;
    commits?: { sha: string; title: string }[];
    pickMode?: string;
    pickBranch?: string;
  };
  const commits = (pick.commits ?? []).map((c) => `${c.sha.slice(0, 12)} "${c.title}"`).join(', ');
  io.out(`  ${x.target}: pick ${commits || 'the hotfix'} into ${pick.branch ?? 'release'}: ${pick.state}\n`);
  for (const c of (x.pick as { conflicts?: { path: string }[] }).conflicts ?? []) io.out(`      conflict: ${c.path}\n`);
  if (pick.pickMode === 'merge-request')
    io.out(
      `  ${x.target}: pick mode merge-request: onto ${pick.pickBranch}, then a merge request into ${pick.branch}\n`,
    );
  else if (pick.pickMode) io.out(`  ${x.target}: pick mode ${pick.pickMode}\n`);
  if (x.pipeline) {
    const { body, project } = x.pipeline;
    const values =
      'inputs' in body
        ? Object.entries(body.inputs).map(([k, v]) => `${k}=${String(v)}`)
        : body.variables.map((v) => `${v.key}=${v.value}`);
    const via = 'inputs' in body ? 'inputs' : 'variables';
    io.out(`  ${x.target}: then run ${project}@${body.ref} with ${via} ${values.join(' ')}\n`);
  } else if (x.pipelineError) {
    io.out(`  ${x.target}: no pipeline would be started: ${x.pipelineError.detail}\n`);
  }
  const wait = x.wait as { environment?: string; maxWaitMs?: number } | undefined;
  if (wait?.environment) {
    const minutes = Math.round((wait.maxWaitMs ?? 0) / 60_000);
    io.out(`  ${x.target}: then wait up to ${minutes} min for ${wait.environment} to run it and be healthy\n`);
  }
  if (x.checks.length > 0) io.out(`  ${x.target}: then check ${x.checks.join(', ')}\n`);
}
