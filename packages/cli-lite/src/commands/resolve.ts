import { parseCommand, str } from '../args.js';
import { usageProblem } from '../problem.js';
import type { Command } from '../run.js';
import { resolutionNotAvailable } from './_not-available.js';

/** `hotfix resolve --continue`: the human conflict path (D3); reports that it is not available yet. */
export const resolveCommand: Command = {
  help: `Usage: hotfix resolve --continue <workspace-dir>

After a conflicting pick (exit 6), resolve the conflicted files on a local release branch, verify
the tree, and continue (D3). Not available in this version: the SDK has no API yet to verify a
resolved workspace and push it with compare-and-swap; this command exits 69 and says what to do.

Example:
  hotfix resolve --continue ./hotfix-workspace
`,
  async run(ctx, argv) {
    const p = parseCommand(argv, { continue: { type: 'string' } });
    const dir = str(p, 'continue');
    if (!dir) return ctx.io.fail(usageProblem('--continue <workspace-dir> is required'));
    return ctx.io.fail(resolutionNotAvailable(dir));
  },
};
