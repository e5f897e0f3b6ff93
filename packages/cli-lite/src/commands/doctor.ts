import type { DiagnoseReport } from '@hotfix-release/sdk';
import { flag, type OptionTable, parseCommand } from '../args.js';
import { EXIT_CODES } from '../exit-codes.js';
import { connect } from '../gitlab.js';
import { problemFromSdk } from '../sdk-problem.js';
import type { Command, Io } from '../types.js';
import { targetsOf } from './_mr.js';

const flags: OptionTable = {
  target: { type: 'string', multiple: true },
  'no-health': { type: 'boolean' },
  'job-token': { type: 'boolean' },
};

type Report = DiagnoseReport;

const MARK = { ok: ['green', '✓'], warn: ['yellow', '!'], fail: ['red', '✗'] } as const;

function printTable(io: Io, report: Report): void {
  const label = (f: Report['findings'][number]) => `${f.id}${f.target ? ` ${f.target}` : ''}`;
  const width = Math.max(7, ...report.findings.map((f) => label(f).length));
  const who = report.token.username ? ` as @${report.token.username}` : '';
  io.out(
    `GitLab ${report.gitlab.version ?? '(version unknown)'} at ${report.gitlab.url}${who}; guided inputs sent as ${report.transport.configured}.\n\n`,
  );
  io.out(`  ${'FINDING'.padEnd(width)}  STATUS  REF  WHAT / FIX\n`);
  for (const f of report.findings) {
    const [color, mark] = MARK[f.status];
    io.out(
      `${io.paint(color, mark)} ${label(f).padEnd(width)}  ${f.status.padEnd(6)}  ${f.runbookRef.padEnd(3)}  ${f.message}\n`,
    );
    if (f.fix) io.out(`  ${''.padEnd(width)}               fix: ${f.fix}\n`);
  }
  const count = (s: string) => report.findings.filter((f) => f.status === s).length;
  const tally = `${count('ok')} ok, ${count('warn')} warning(s), ${count('fail')} failing`;
  io.out(
    report.ok
      ? `\n${io.paint('green', '✓')} ${tally}: this GitLab can run the runbook; nothing was changed.\n`
      : `\n${io.paint('red', '✗')} ${tally}: fix the failing findings first; nothing was changed.\n`,
  );
}

/** `hotfix doctor`: a read-only pass over the instance, one finding per check with its fix. */
export const doctorCommand: Command = {
  help: `Usage: hotfix doctor [--target <group/project>]... [--no-health] [--job-token]

Check, without changing anything, whether this GitLab, this token and hotfix.config.json can run
the runbook, and print one finding per check with how to fix it:
  gitlab-version       GitLab's version and edition (/metadata)
  token-kind           a CI/CD job token (--job-token) cannot read the user or the MR, nor
                       cherry-pick or create pipelines: reported, and nothing is requested (P3)
  token-identity       whether GitLab accepts the token (401: nothing else is checked)
  token-scopes         the token's kind and scopes (/personal_access_tokens/self): api is needed (P3)
  inputs-transport     inputs or variables for the guided inputs: the version (inputs need 17.10,
                       GA 18.1) and the orchestrator's spec:inputs, read through ci_config_path (P4)
  orchestrator-ci      the orchestrator's CI configuration file is readable (P4)
  orchestration-ref    you may create pipelines on the orchestration ref, protected or not (P4)
  release-push         release accepts your pushes, or only merge requests (P3)
  release-lock         who holds the release lock (hotfix-release/lock/<release branch>) and until
                       when; a lease that ran out fails, naming the holder (R3)
  service-descriptor   every target has a service descriptor (P5)
  service-environment  the service's environment exists (P5)
  deploy-jobs          the service's CI defines its deploy jobs (P5)
  health-endpoint      the health endpoint answers with a version (E5); --no-health skips the request
  observed-deploy      a recent orchestration pipeline shows the deploy fingerprint and no cut-off
  jobs-readable        jobs are readable, so E2/E3 rest on observed facts (E2, E3)
Every configured service is checked, or only the --target ones. Every GitLab request is a GET.
Exit 0 when no finding fails (warnings allowed), 1 when one does, 3 for bad configuration.

Example:
  hotfix doctor
  hotfix doctor --target evenergi/charging-api --json
`,
  options: flags,
  async run(ctx, argv) {
    const p = parseCommand(argv, flags);
    const gl = await connect(ctx.deps, p);
    const targets = targetsOf(p);
    const r = await gl.sdk.diagnose(gl.client, gl.config, {
      ...(targets ? { targets } : {}),
      health: !flag(p, 'no-health'),
    });
    if (r.isErr()) return ctx.io.fail(problemFromSdk(r.error));
    const report = r.value;
    const code = report.ok ? EXIT_CODES.ok : EXIT_CODES.failed;
    if (ctx.io.json) return ctx.io.result({ command: 'doctor', ...report }, code);
    printTable(ctx.io, report);
    return code;
  },
};
