import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { describeError, readJournal, sealBundle } from '@hotfix-release/evidence';
import { type OptionTable, parseCommand, str } from '../args.js';
import { EXIT_CODES } from '../exit-codes.js';
import { connect } from '../gitlab.js';
import { usageProblem } from '../problem.js';
import { problemFromError } from '../sdk-problem.js';
import type { Command } from '../types.js';
import { evidencePathFor, runPromotion } from './_promotion.js';

const flags: OptionTable = { evidence: { type: 'string' } };

/** `hotfix resume`: continues an interrupted promotion; the journal names the MR and targets. */
export const resumeCommand: Command = {
  help: `Usage: hotfix resume <journal> [--evidence <file>]

Continue a promotion that was interrupted (Ctrl-C, a crash, a timeout, a manual gate): the journal
holds the MR and the targets; every journaled step is re-checked against GitLab and never
repeated. The evidence bundle is written next to the journal (or to --evidence).

Example:
  hotfix resume evidence.journal.json
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
    const { bundle, complete } = state.value;
    const mr = { project: bundle.hotfix.mr.project, iid: bundle.hotfix.mr.iid };
    // A finished run journals `complete` even when a target stopped short; only a fully promoted one is done.
    if (complete && bundle.promotedTargets.length === bundle.targets.length) {
      const sealed = sealBundle(bundle);
      if (sealed.isOk()) await writeFile(evidencePath, `${JSON.stringify(sealed.value, null, 2)}\n`);
      const done = bundle.promotedTargets.length === bundle.targets.length;
      const code = done ? EXIT_CODES.ok : EXIT_CODES.failed;
      if (ctx.io.json)
        return ctx.io.result(
          {
            command: 'resume',
            ok: done,
            complete: true,
            mr: `${mr.project}!${mr.iid}`,
            evidence: evidencePath,
            journal: journalPath,
            promotedTargets: bundle.promotedTargets,
            targets: bundle.targets.map((t) => ({ target: t.project, outcome: t.outcome })),
          },
          code,
        );
      ctx.io.out(
        `The promotion in ${file} is already complete: ${bundle.targets.map((t) => `${t.project} ${t.outcome}`).join(', ')}\n`,
      );
      ctx.io.out(`Evidence: ${evidencePath}\n`);
      return code;
    }
    const gl = await connect(ctx.deps, p);
    ctx.io.err(
      `Resuming ${mr.project}!${mr.iid} for ${bundle.targets.map((t) => t.project).join(', ')} from ${file}\n`,
    );
    return runPromotion(ctx, gl, {
      mr,
      targets: bundle.targets.map((t) => t.project),
      evidencePath,
      journalPath,
      command: 'resume',
    });
  },
};
