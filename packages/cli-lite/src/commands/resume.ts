import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { readJournal, sealBundle } from '@hotfix-release/evidence';
import { flag, GITLAB_OPTIONS, type OptionTable, type Parsed, parseCommand, str } from '../args.js';
import { EXIT_CODES } from '../exit-codes.js';
import { connect, loadRunbook, requireTokenCan } from '../gitlab.js';
import { problem, usageProblem } from '../problem.js';
import { problemFromError } from '../sdk-problem.js';
import type { Command, CommandContext } from '../types.js';
import { promotionRequestOf } from './_files.js';
import { checkOwnEvidence, evidencePathFor, mrsOf, runPromotion, selfCheckProblem } from './_promotion.js';
import { selfCheckLines } from './_self-check.js';

const flags: OptionTable = {
  ...GITLAB_OPTIONS,
  evidence: { type: 'string' },
  'rollback-on-failure': { type: 'boolean' },
  'no-wait': { type: 'boolean' },
  'break-lock': { type: 'boolean' },
};

/** `hotfix resume`: continues an interrupted promotion; the journal names the MR and targets. */
export const resumeCommand: Command = {
  help: `Usage: hotfix resume <journal> [--evidence <file>] [--rollback-on-failure] [--no-wait] [--break-lock]

Continue a promotion that was interrupted (Ctrl-C, a crash, a timeout, a manual gate): the journal
holds the MR and the targets; every journaled step is re-checked against GitLab and never
repeated. The evidence bundle is written next to the journal (or to --evidence).

The promotion's release lock (see "hotfix promote --help") is taken back: its own lock is
re-adopted even after its lease ran out, unless another promotion took it over meanwhile; then it
waits for that one, or refuses with --no-wait.

Example:
  hotfix resume evidence.journal.json

Before it reports "promoted", the promotion checks its own sealed bundle with the policy (E1–E8,
with this configuration as the expectations; signatures are the gate's job): a failing control
ends it with exit 1 naming the control and runbook ID, and the evidence is still written.
`,
  options: flags,
  async run(ctx, argv) {
    const p = parseCommand(argv, flags);
    const cwd = ctx.deps.cwd ?? '.';
    const file = p.positionals[0];
    if (!file || p.positionals.length > 1) return ctx.io.fail(usageProblem('name exactly one journal file'));
    const journalPath = resolve(cwd, file);
    const evidenceFlag = str(p, 'evidence');
    const evidencePath = evidenceFlag ? resolve(cwd, evidenceFlag) : evidencePathFor(journalPath);
    const state = await readJournal(journalPath);
    if (!state.isOk())
      return ctx.io.fail(
        problemFromError(state.error, { exitCode: EXIT_CODES.unevaluable, extra: { journal: journalPath } }),
      );
    const { bundle, complete, abandoned } = state.value;
    if (abandoned)
      return ctx.io.fail(
        problem({
          code: 'journal-abandoned',
          detail: `The promotion in ${file} was abandoned ("hotfix abandon"); it is never resumed. Start a new promotion instead.`,
          exitCode: EXIT_CODES.failed,
          runbookRef: 'R3',
          extra: { journal: journalPath },
        }),
      );
    const request = promotionRequestOf(bundle);
    const mrs = mrsOf(request);
    // A finished run journals `complete` even when a target stopped short; only a fully promoted one is done.
    if (complete && bundle.promotedTargets.length === bundle.targets.length)
      return alreadyComplete(ctx, p, bundle, { file, journalPath, evidencePath, mrs });
    const gl = await connect(ctx.deps, p);
    await requireTokenCan(gl, 'promotion', 'hotfix resume');
    ctx.io.err(
      `Resuming ${mrs.map((m) => `${m.project}!${m.iid}`).join(', ')} for ${bundle.targets.map((t) => t.project).join(', ')} from ${file}\n`,
    );
    return runPromotion(ctx, gl, {
      request,
      evidencePath,
      journalPath,
      command: 'resume',
      rollbackFlag: flag(p, 'rollback-on-failure'),
      lockFlags: { noWait: flag(p, 'no-wait'), breakLock: flag(p, 'break-lock') },
    });
  },
};

/** A journal whose promotion already finished: seal and write the bundle, self-check it, report. */
async function alreadyComplete(
  ctx: CommandContext,
  p: Parsed,
  bundle: Parameters<typeof sealBundle>[0],
  run: { file: string; journalPath: string; evidencePath: string; mrs: { project: string; iid: number }[] },
): Promise<number> {
  const { io } = ctx;
  const sealed = sealBundle(bundle);
  if (sealed.isErr()) return io.fail(problemFromError(sealed.error, { exitCode: EXIT_CODES.unevaluable }));
  await writeFile(run.evidencePath, `${JSON.stringify(sealed.value, null, 2)}\n`);
  const { sdk, config, settings } = await loadRunbook(ctx.deps, p);
  const check = await checkOwnEvidence(ctx, sealed.value, {
    evidencePath: run.evidencePath,
    mrs: run.mrs,
    check: { sdk, config, gitlabUrl: settings.gitlabUrl },
  });
  const refused = check.status === 'fail';
  const code = refused ? EXIT_CODES.failed : EXIT_CODES.ok;
  const doc = {
    command: 'resume',
    ok: !refused,
    complete: true,
    mr: run.mrs.map((m) => `${m.project}!${m.iid}`).join(', '),
    evidence: run.evidencePath,
    journal: run.journalPath,
    promotedTargets: bundle.promotedTargets,
    targets: bundle.targets.map((t) => ({ target: t.project, outcome: t.outcome })),
    selfCheck: check,
  };
  if (io.json) return refused ? io.fail(selfCheckProblem(check, doc)) : io.result(doc, code);
  io.out(
    `The promotion in ${run.file} is already complete: ${bundle.targets.map((t) => `${t.project} ${t.outcome}`).join(', ')}\n`,
  );
  for (const line of selfCheckLines(check))
    io.out(`${refused ? io.paint('red', '✗') : io.paint('green', '✓')} ${line}\n`);
  io.out(`Evidence: ${run.evidencePath}\n`);
  return refused ? io.fail(selfCheckProblem(check, doc)) : code;
}
