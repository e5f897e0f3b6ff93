import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { checkBundles, renderHtmlReport } from '@hotfix-release/policy';
import { type OptionTable, parseCommand, str } from '../args.js';
import { EXIT_CODES } from '../exit-codes.js';
import { ProblemError, usageProblem } from '../problem.js';
import { problemFromError } from '../sdk-problem.js';
import type { Command } from '../types.js';
import { gateCheck, gateFlags } from './_gate-check.js';

const flags: OptionTable = { html: { type: 'string' }, ...gateFlags };

/**
 * `hotfix evidence report`: checks the inputs with the policy and writes one self-contained HTML page
 * (the policy package's `renderHtmlReport`). Exit 0 once the page is written, whatever the verdict: the
 * page shows it, and `hotfix policy check` is the gate.
 */
export const evidenceReportCommand: Command = {
  help: `Usage: hotfix evidence report <bundle or envelope>... --html <file> --policy <file>
                              [--policy-ref <ref> [--policy-project <path>]] [--mr <group/project!iid>]
                              [--key <public key file>]... [--waivers <file> [--waivers-ref <ref>]]
                              [--live] [--now <ISO time>]

Write a self-contained HTML report of a promotion for people to read: per target a timeline from the
MR's merge to the label, a flow diagram with the failing step highlighted, the verdict of every
control (E1-E8 and integrity) with its runbook reference and waivers, the signature status and the
bundle digest. No script and no external resource: it opens offline and as a CI artifact.
The inputs are checked exactly as \`hotfix policy check\` checks them (the same policy file, MR,
keys, waivers and --live; in GitLab CI the same signature requirement).

Exit codes: 0 the report was written (the verdict is in the report and on stderr; use
\`hotfix policy check\` to gate), 2 an input file could not be read, 3 bad configuration
(waivers, key), 64 usage. An input that is not JSON or not valid evidence is shown in the report.

Example:
  hotfix evidence report evidence.dsse.json --policy /etc/hotfix/policy.json --key signing-key.pub.pem --html report.html
`,
  options: flags,
  async run(ctx, argv) {
    const p = parseCommand(argv, flags);
    const cwd = ctx.deps.cwd ?? '.';
    const html = str(p, 'html');
    if (!html) throw new ProblemError(usageProblem('--html <file> is required (e.g. --html report.html)'));
    const { inputs, options } = await gateCheck(
      ctx,
      p,
      'hotfix evidence report evidence.dsse.json --policy policy.json --html report.html',
    );
    const checked = await checkBundles(inputs, options);
    if (checked.isErr()) {
      const e = checked.error;
      return ctx.io.fail(
        problemFromError(e, { title: 'Bad policy configuration', exitCode: EXIT_CODES.configuration }),
      );
    }
    const report = checked.value;
    await writeFile(resolve(cwd, html), renderHtmlReport(inputs, report));
    if (ctx.io.json)
      return ctx.io.result(
        {
          command: 'evidence report',
          html,
          status: report.status,
          policyExitCode: report.exitCode,
          summary: report.summary,
        },
        EXIT_CODES.ok,
      );
    ctx.io.err(`hotfix: evidence ${report.status} (policy exit ${report.exitCode}); HTML report written to ${html}\n`);
    return EXIT_CODES.ok;
  },
};
