import { GITLAB_OPTIONS, type OptionTable, parseCommand } from '../args.js';
import { EXIT_CODES } from '../exit-codes.js';
import { connect, requireTokenCan } from '../gitlab.js';
import { problemFromSdk } from '../sdk-problem.js';
import type { Command } from '../types.js';
import { mrOf, targetsOf } from './_mr.js';

const flags: OptionTable = {
  ...GITLAB_OPTIONS,
  mr: { type: 'string' },
  target: { type: 'string', multiple: true },
};

/** `hotfix preflight`: every prerequisite checked, nothing changed. */
export const preflightCommand: Command = {
  help: `Usage: hotfix preflight --mr <group/project>!<iid> [--target <group/project>]...

Check the prerequisites before anything changes: the MR is merged and approved (P1, D1), each
target and its release branch exist (P2), you may pick and run the orchestration pipeline (P3, P4),
the service descriptor and checks are known (P5, P6). Lists every problem; exit 0 when none blocks.

Example:
  hotfix preflight --mr evenergi/charging-api!42 --target evenergi/charging-api --target evenergi/billing-service
`,
  options: flags,
  async run(ctx, argv) {
    const p = parseCommand(argv, flags);
    const gl = await connect(ctx.deps, p);
    await requireTokenCan(gl, 'inspection', 'hotfix preflight');
    const mr = mrOf(p, gl.settings);
    const targets = targetsOf(p);
    const r = await gl.sdk.preflight(gl.client, gl.config, { mr, ...(targets ? { targets } : {}) });
    if (r.isErr()) return ctx.io.fail(problemFromSdk(r.error));
    const report = r.value;
    const code = report.ok ? EXIT_CODES.ok : EXIT_CODES.failed;
    if (ctx.io.json) return ctx.io.result({ command: 'preflight', ...report }, code);
    const { io } = ctx;
    io.out(
      `${report.mr.project}!${report.mr.iid}${report.mr.title ? ` "${report.mr.title}"` : ''} (${report.mr.state ?? 'unknown'})\n`,
    );
    for (const t of report.targets)
      io.out(`  target ${t.project}: ${t.releaseBranch}${t.releaseHead ? ` @ ${t.releaseHead.slice(0, 12)}` : ''}\n`);
    for (const f of report.findings) {
      const mark = f.severity === 'error' ? io.paint('red', '✗') : io.paint('yellow', '!');
      io.out(`  ${mark} ${f.code} [${f.runbookRef}]${f.target ? ` ${f.target}` : ''}: ${f.message}\n`);
    }
    io.out(
      report.ok
        ? `${io.paint('green', '✓')} Preflight passed; nothing was changed.\n`
        : `${io.paint('red', '✗')} Preflight failed; nothing was changed.\n`,
    );
    return code;
  },
};
