import type { PreflightReport } from '@hotfix-release/sdk';
import { GITLAB_OPTIONS, type OptionTable, parseCommand } from '../args.js';
import { EXIT_CODES } from '../exit-codes.js';
import { connect, requireTokenCan } from '../gitlab.js';
import { problemFromSdk } from '../sdk-problem.js';
import type { Command, CommandContext } from '../types.js';
import { requestOf } from './_mr.js';

const flags: OptionTable = {
  ...GITLAB_OPTIONS,
  mr: { type: 'string', multiple: true },
  'mrs-file': { type: 'string' },
  target: { type: 'string', multiple: true },
};

/** `hotfix preflight`: every prerequisite checked, nothing changed. */
export const preflightCommand: Command = {
  help: `Usage: hotfix preflight --mr <group/project>!<iid> [--target <group/project>]...
       hotfix preflight --mr <group/api>!<iid> --mr <group/portal>!<iid> ...
       hotfix preflight --mrs-file <file.json>

Check the prerequisites before anything changes: the MR is merged and approved (P1, D1), each
target and its release branch exist (P2), you may pick and run the orchestration pipeline (P3, P4),
the service descriptor and checks are known (P5, P6). Lists every problem; exit 0 when none blocks.
With several MRs (a hotfix that spans repositories, D4: --mr repeated, each into its own project,
or --mrs-file as for "hotfix promote"), every MR is checked and every problem of all of them listed;
exit 0 only when none blocks any of them.

Example:
  hotfix preflight --mr evenergi/charging-api!42 --target evenergi/charging-api --target evenergi/billing-service
  hotfix preflight --mr evenergi/charging-api!42 --mr evenergi/fleet-portal!17
`,
  options: flags,
  async run(ctx, argv) {
    const p = parseCommand(argv, flags);
    const gl = await connect(ctx.deps, p);
    await requireTokenCan(gl, 'inspection', 'hotfix preflight');
    const request = await requestOf(p, gl.settings, ctx.deps.cwd ?? '.');
    const wanted =
      'hotfixes' in request
        ? // As in a promotion of several MRs: each into its own project, then its further targets.
          request.hotfixes.map((h) => ({ mr: h.mr, targets: [...new Set([h.mr.project, ...(h.targets ?? [])])] }))
        : [{ mr: request.mr, ...(request.targets ? { targets: [...request.targets] } : {}) }];
    const reports: PreflightReport[] = [];
    // D4: every MR is checked before anything is reported, so one run lists the problems of all of them.
    for (const w of wanted) {
      const r = await gl.sdk.preflight(gl.client, gl.config, w);
      if (r.isErr()) return ctx.io.fail(problemFromSdk(r.error));
      reports.push(r.value);
    }
    const ok = reports.every((r) => r.ok);
    const code = ok ? EXIT_CODES.ok : EXIT_CODES.failed;
    if (ctx.io.json)
      return ctx.io.result(
        'hotfixes' in request
          ? { command: 'preflight', ok, hotfixes: reports }
          : { command: 'preflight', ...(reports[0] as PreflightReport) },
        code,
      );
    for (const report of reports) printReport(ctx, report);
    const { io } = ctx;
    io.out(
      ok
        ? `${io.paint('green', '✓')} Preflight passed; nothing was changed.\n`
        : `${io.paint('red', '✗')} Preflight failed; nothing was changed.\n`,
    );
    return code;
  },
};

function printReport({ io }: CommandContext, report: PreflightReport): void {
  io.out(
    `${report.mr.project}!${report.mr.iid}${report.mr.title ? ` "${report.mr.title}"` : ''} (${report.mr.state ?? 'unknown'})\n`,
  );
  for (const t of report.targets)
    io.out(`  target ${t.project}: ${t.releaseBranch}${t.releaseHead ? ` @ ${t.releaseHead.slice(0, 12)}` : ''}\n`);
  for (const f of report.findings) {
    const mark = f.severity === 'error' ? io.paint('red', '✗') : io.paint('yellow', '!');
    io.out(`  ${mark} ${f.code} [${f.runbookRef}]${f.target ? ` ${f.target}` : ''}: ${f.message}\n`);
  }
}
