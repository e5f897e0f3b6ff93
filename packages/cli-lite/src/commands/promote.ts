import { resolve } from 'node:path';
import { flag, parseCommand, str } from '../args.js';
import { EXIT_CODES } from '../exit-codes.js';
import { connect, type GitLab } from '../gitlab.js';
import { problemFromSdk } from '../sdk-problem.js';
import type { Command, CommandContext } from '../types.js';
import { mrOf, targetsOf } from './_mr.js';
import { journalPathFor, runPromotion } from './_promotion.js';
import { writeWorkspaceNote } from './_workspace.js';

/** `hotfix promote`: the whole runbook for one merged hotfix, or its plan with `--dry-run`. */
export const promoteCommand: Command = {
  help: `Usage: hotfix promote --mr <group/project>!<iid> [--target <group/project>]... [--dry-run]
                      [--evidence <file>] [--resolve <workspace-dir>]

Run the runbook for one merged hotfix: preflight, cherry-pick into release (S2), verify release
(S3), start the orchestration pipeline with action=deploy-release-branch-to-staging (S4, never the
cut-off action, S5), follow the deployment (S6), validate, note and label (S7). Every step is
journaled next to the evidence file (evidence.journal.json); Ctrl-C stops cleanly and
"hotfix resume <journal>" continues. The sealed evidence bundle is written to --evidence
(default evidence.json). --dry-run prints the plan and changes nothing. With --resolve <dir>, a
conflicting pick (D3) writes the conflicted files with markers into <dir>; edit them, then run
"hotfix resolve --continue <dir>": the tree is verified, pushed to release only if release has not
moved, recorded as evidence, and the promotion goes on.

Example:
  hotfix promote --mr evenergi/charging-api!42 --target evenergi/charging-api --evidence evidence.json
  hotfix promote --mr evenergi/charging-api!42 --dry-run
`,
  async run(ctx, argv) {
    const p = parseCommand(argv, {
      mr: { type: 'string' },
      target: { type: 'string', multiple: true },
      'dry-run': { type: 'boolean' },
      evidence: { type: 'string' },
      resolve: { type: 'string' },
    });
    const gl = await connect(ctx.deps, p);
    const mr = mrOf(p, gl.settings);
    const targets = targetsOf(p);
    if (flag(p, 'dry-run')) return dryRun(ctx, gl, mr, targets ?? [mr.project]);
    const cwd = ctx.deps.cwd ?? '.';
    const evidencePath = resolve(cwd, str(p, 'evidence') ?? 'evidence.json');
    const journalPath = journalPathFor(evidencePath);
    const resolveFlag = str(p, 'resolve');
    const resolveDir = resolveFlag ? resolve(cwd, resolveFlag) : undefined;
    if (resolveDir) await writeWorkspaceNote(resolveDir, { journal: journalPath, evidence: evidencePath });
    return runPromotion(ctx, gl, { mr, targets, evidencePath, journalPath, command: 'promote', resolveDir });
  },
};

async function dryRun(
  ctx: CommandContext,
  gl: GitLab,
  mr: { project: string; iid: number },
  targets: readonly string[],
): Promise<number> {
  const { io } = ctx;
  const { sdk, client, config } = gl;
  const pre = await sdk.preflight(client, config, { mr, targets: [...targets] });
  if (pre.isErr()) return io.fail(problemFromSdk(pre.error));
  const o = config.orchestration;
  const plans = [];
  for (const target of targets) {
    const picked = await sdk.cherryPickToRelease(client, config, { mr, target, dryRun: true });
    const inputs = {
      [o.inputNames.action]: o.deployAction,
      [o.inputNames.project]: target,
      [o.inputNames.confirm]: o.confirmType === 'boolean' ? true : 'true',
    };
    const pipeline = { project: o.project, ref: o.ref, via: o.inputsVia, inputs };
    if (picked.isErr()) {
      plans.push({ target, pick: { state: 'error', error: problemFromSdk(picked.error) }, pipeline });
      continue;
    }
    const v = picked.value;
    const state = v.kind === 'planned' ? planState(v) : v.kind;
    plans.push({
      target,
      pick: {
        state,
        ...('plan' in v && v.plan ? { commits: v.plan.picks.map((c) => ({ sha: c.sha, title: c.title })) } : {}),
        ...(v.kind === 'planned'
          ? { releaseHead: v.releaseHead, alreadyApplied: v.alreadyApplied, conflicts: v.conflicts }
          : {}),
        ...(v.kind === 'denied' ? { reason: v.reason } : {}),
      },
      pipeline,
    });
  }
  const conflicting = plans.some((x) => x.pick.state === 'conflicting');
  const blocked = !pre.value.ok || plans.some((x) => ['error', 'denied', 'failed'].includes(x.pick.state));
  const code = blocked ? EXIT_CODES.failed : conflicting ? EXIT_CODES.conflict : EXIT_CODES.ok;
  if (io.json)
    return io.result(
      {
        command: 'promote',
        dryRun: true,
        ok: code === 0,
        mr: `${mr.project}!${mr.iid}`,
        preflight: pre.value,
        targets: plans,
      },
      code,
    );
  io.out(`Plan for ${mr.project}!${mr.iid} (dry run: nothing was changed)\n`);
  for (const f of pre.value.findings)
    io.out(
      `  ${f.severity === 'error' ? io.paint('red', '✗') : io.paint('yellow', '!')} ${f.code} [${f.runbookRef}]: ${f.message}\n`,
    );
  for (const x of plans) {
    const commits =
      'commits' in x.pick && x.pick.commits
        ? x.pick.commits.map((c) => `${c.sha.slice(0, 12)} "${c.title}"`).join(', ')
        : '';
    io.out(
      `  ${x.target}: pick ${commits || 'the hotfix'} into ${config.services.find((s) => s.project === x.target)?.releaseBranch ?? config.releaseBranch}: ${x.pick.state}\n`,
    );
    for (const c of 'conflicts' in x.pick && x.pick.conflicts ? x.pick.conflicts : [])
      io.out(`      conflict: ${c.path}\n`);
    const inputs = Object.entries(x.pipeline.inputs)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(' ');
    io.out(`  ${x.target}: then run ${x.pipeline.project}@${x.pipeline.ref} with ${x.pipeline.via} ${inputs}\n`);
  }
  return code;
}

/** A dry run's verdict for one target: conflicting, already on release, or clean. */
function planState(v: {
  clean: boolean;
  conflicts: readonly unknown[];
  alreadyApplied: readonly string[];
  plan: { picks: readonly unknown[] };
}): string {
  if (v.conflicts.length > 0 || !v.clean) return 'conflicting';
  const all = v.plan.picks.length > 0 && v.alreadyApplied.length === v.plan.picks.length;
  return all ? 'already-applied' : 'clean';
}
