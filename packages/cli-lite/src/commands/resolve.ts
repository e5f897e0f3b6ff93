import { resolve } from 'node:path';
import { parseCommand, str } from '../args.js';
import { connect } from '../gitlab.js';
import { usageProblem } from '../problem.js';
import type { Command } from '../types.js';
import { runPromotion } from './_promotion.js';
import { readWorkspaceNote } from './_workspace.js';

/** `hotfix resolve --continue`: the human conflict path (D3), continuing the promotion with the edited files. */
export const resolveCommand: Command = {
  help: `Usage: hotfix resolve --continue <workspace-dir>

After "hotfix promote --resolve <workspace-dir>" stopped on a conflicting pick (exit 6) and wrote
the conflicted files into the workspace, edit them (remove every conflict marker), then continue:
the SDK re-merges against release, verifies that no marker is left and nothing outside the hotfix
changed, pushes only if release has not moved (compare-and-swap, never forced), records the
resolution as evidence, and the promotion goes on from its journal (S3-S7). A file still holding
markers keeps the target waiting (exit 6).

Example:
  hotfix resolve --continue ./hotfix-workspace
`,
  async run(ctx, argv) {
    const p = parseCommand(argv, { continue: { type: 'string' } });
    const dirFlag = str(p, 'continue');
    if (!dirFlag) return ctx.io.fail(usageProblem('--continue <workspace-dir> is required'));
    const dir = resolve(ctx.deps.cwd ?? '.', dirFlag);
    const note = await readWorkspaceNote(dir);
    const { readJournal, describeError } = await import('@hotfix-release/evidence');
    const state = await readJournal(note.journal);
    if (!state.isOk()) return ctx.io.fail(usageProblem(`${note.journal}: ${describeError(state.error)}`));
    const gl = await connect(ctx.deps, p);
    const { bundle } = state.value;
    return runPromotion(ctx, gl, {
      mr: { project: bundle.hotfix.mr.project, iid: bundle.hotfix.mr.iid },
      targets: bundle.targets.map((t) => t.project),
      evidencePath: note.evidence,
      journalPath: note.journal,
      command: 'resolve',
      resolveDir: dir,
    });
  },
};
