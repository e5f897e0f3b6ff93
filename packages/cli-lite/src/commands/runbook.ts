import { RUNBOOK } from '@hotfix-release/evidence';
import { type OptionTable, parseCommand } from '../args.js';
import { EXIT_CODES } from '../exit-codes.js';
import { usageProblem } from '../problem.js';
import type { Command } from '../types.js';

const flags: OptionTable = {};

/** `hotfix runbook`: the runbook IDs every error and policy result cites. */
export const runbookCommand: Command = {
  help: `Usage: hotfix runbook [--json]

List the runbook IDs (P, S, D, E, R) that errors, evidence and policy results cite.

Example:
  hotfix runbook | grep ^D3
`,
  options: flags,
  async run({ io }, argv) {
    const p = parseCommand(argv, flags);
    if (p.positionals.length > 0) return io.fail(usageProblem('hotfix runbook takes no arguments'));
    if (io.json) return io.result({ command: 'runbook', entries: RUNBOOK }, EXIT_CODES.ok);
    for (const entry of RUNBOOK) io.out(`${entry.id}\t${entry.summary}\n`);
    return EXIT_CODES.ok;
  },
};
