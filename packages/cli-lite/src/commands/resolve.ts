import { resolve } from 'node:path';
import { flag, GITLAB_OPTIONS, type OptionTable, parseCommand, str, strs } from '../args.js';
import { connect, requireTokenCan } from '../gitlab.js';
import { usageProblem } from '../problem.js';
import type { Command } from '../types.js';
import { promotionRequestOf } from './_files.js';
import { journalPathFor, runPromotion } from './_promotion.js';
import { readWorkspaceNote, workspaceSession } from './_workspace.js';

const flags: OptionTable = {
  ...GITLAB_OPTIONS,
  continue: { type: 'string' },
  evidence: { type: 'string' },
  accept: { type: 'string', multiple: true },
  'rollback-on-failure': { type: 'boolean' },
};

/** `hotfix resolve --continue`: the human conflict path (D3), continuing the promotion with the edited files. */
export const resolveCommand: Command = {
  help: `Usage: hotfix resolve --continue <workspace-dir> [--evidence <file>] [--accept <path>]... [--rollback-on-failure]

After "hotfix promote --resolve <workspace-dir>" stopped on a conflicting pick (exit 6) and wrote
the conflicted files into the workspace, edit them (remove every conflict marker), then continue:
the SDK re-merges against release, verifies that no marker is left and nothing outside the hotfix
changed, pushes only if release has not moved (compare-and-swap, never forced), records the
resolution as evidence, and the promotion goes on from its journal (S3-S7). A file still holding
markers, or still exactly as the tool wrote it, keeps the target waiting (exit 6); name such a
file with --accept <target-folder>/<path> to take it as written. The evidence file recorded in
the workspace must be confirmed with --evidence when it lies outside the workspace.

Example:
  hotfix resolve --continue ./hotfix-workspace --evidence evidence.json
`,
  options: flags,
  async run(ctx, argv) {
    const p = parseCommand(argv, flags);
    const dirFlag = str(p, 'continue');
    if (!dirFlag) return ctx.io.fail(usageProblem('--continue <workspace-dir> is required'));
    const cwd = ctx.deps.cwd ?? '.';
    const dir = resolve(cwd, dirFlag);
    const evidenceFlag = str(p, 'evidence');
    const note = await readWorkspaceNote(dir, evidenceFlag ? resolve(cwd, evidenceFlag) : undefined, journalPathFor);
    const { readJournal, describeError } = await import('@hotfix-release/evidence');
    const state = await readJournal(note.journal);
    if (!state.isOk()) return ctx.io.fail(usageProblem(`${note.journal}: ${describeError(state.error)}`));
    const gl = await connect(ctx.deps, p);
    await requireTokenCan(gl, 'promotion', 'hotfix resolve');
    const session = workspaceSession(gl.sdk, dir, note, strs(p, 'accept'));
    const { bundle } = state.value;
    return runPromotion(ctx, gl, {
      request: promotionRequestOf(bundle),
      evidencePath: note.evidence,
      journalPath: note.journal,
      command: 'resolve',
      resolveDir: dir,
      session,
      rollbackFlag: flag(p, 'rollback-on-failure'),
    });
  },
};
