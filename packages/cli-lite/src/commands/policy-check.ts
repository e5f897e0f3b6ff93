import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  type CheckReport,
  checkBundles,
  formatCodeQuality,
  formatJson,
  formatJunit,
  formatMarkdown,
  formatText,
  toJsonReport,
} from '@hotfix-release/policy';
import { flag, GITLAB_OPTIONS, type OptionTable, parseCommand, str } from '../args.js';
import { EXIT_CODES } from '../exit-codes.js';
import { ProblemError, usageProblem } from '../problem.js';
import { problemFromError } from '../sdk-problem.js';
import type { Command } from '../types.js';
import { gateCheck, gateFlags } from './_gate-check.js';

const FORMATS = ['text', 'json', 'junit', 'markdown', 'codequality'] as const;
type Format = (typeof FORMATS)[number];

function render(report: CheckReport, format: Format, verbose: boolean): string {
  switch (format) {
    case 'text':
      return formatText(report, { verbose });
    case 'json':
      return formatJson(report);
    case 'junit':
      return formatJunit(report);
    case 'markdown':
      return formatMarkdown(report, { all: verbose });
    case 'codequality':
      return formatCodeQuality(report);
  }
}

const flags: OptionTable = {
  ...GITLAB_OPTIONS,
  format: { type: 'string', choices: FORMATS },
  output: { type: 'string' },
  junit: { type: 'string' },
  verbose: { type: 'boolean' },
  ...gateFlags,
};

/** `hotfix policy check`: the policy package's checker, with its exit codes 0/1/2/3. */
export const policyCheckCommand: Command = {
  help: `Usage: hotfix policy check <bundle>... --policy <file> [--policy-ref <ref> [--policy-project <path>]]
                           [--mr <group/project!iid>]... [--gitlab-url <url>] [--key <public key file>]...
                           [--waivers <file> [--waivers-ref <ref>]] [--live] [--now <ISO time>]
                           [--format text|json|junit|markdown|codequality] [--output <file>]
                           [--junit <file>] [--verbose]

Check evidence bundles (or DSSE envelopes of them) against the runbook's completion criteria
E1-E8 and the gate's own policy file (instance, orchestration project and ref, release branch,
environment, label, governed projects, trusted keys). Nothing is taken from the bundle itself.
--policy-ref reads --policy (and --waivers-ref reads --waivers) live from the project's default
branch. In GitLab CI (CI=true) the instance and MR default from CI_SERVER_URL, CI_PROJECT_PATH and
CI_MERGE_REQUEST_IID, evidence must be signed by a trusted key (unless the policy file allows
unsigned evidence), and a policy or waiver file inside CI_PROJECT_DIR is refused.
For a fix that spans repositories (D4), give --mr once per merge request: the bundle must promote
exactly those (one the gate did not ask for, or one missing, fails bundle-claims), and E1-E8 judge
each target against its own MR. The policy file may pin them instead ("expected": {"mrs": [...]});
when both name MRs they must name the same set (else exit 3), and in CI the pipeline's MR must be one.
--live re-reads the pipeline inputs, deployed SHA, label, note and the MR author from GitLab.

Exit codes: 0 every required control passed, 1 a control failed or is unverified (rests only on
what was sent or reported; accepted, and then exit 0, only when the policy file sets
orchestration.acceptUnverified), 2 the evidence could not be evaluated (unsigned in CI, untrusted
signature, evidence of something else), 3 bad configuration.

Example:
  hotfix policy check evidence.dsse.json --policy /etc/hotfix/policy.json --mr evenergi/api!42
  hotfix policy check evidence.dsse.json --policy policy.json --mr evenergi/api!42 --mr evenergi/portal!7
`,
  options: flags,
  async run(ctx, argv) {
    const p = parseCommand(argv, flags);
    const cwd = ctx.deps.cwd ?? '.';
    const format = (str(p, 'format') ?? (ctx.io.json ? 'json' : 'text')) as Format;
    if (!FORMATS.includes(format))
      throw new ProblemError(usageProblem(`--format must be one of ${FORMATS.join(', ')} (got "${format}")`));
    const { inputs, options } = await gateCheck(ctx, p, 'hotfix policy check evidence.json --policy policy.json');
    const checked = await checkBundles(inputs, options);
    if (checked.isErr()) {
      const e = checked.error;
      return ctx.io.fail(
        problemFromError(e, { title: 'Bad policy configuration', exitCode: EXIT_CODES.configuration }),
      );
    }
    const report = checked.value;
    const text = render(report, format, flag(p, 'verbose'));
    const output = str(p, 'output');
    const junit = str(p, 'junit');
    if (output) await writeFile(resolve(cwd, output), text);
    if (junit) await writeFile(resolve(cwd, junit), formatJunit(report));
    if (ctx.io.json) return ctx.io.result({ command: 'policy check', ...toJsonReport(report) }, report.exitCode);
    if (!output) ctx.io.raw(text.endsWith('\n') ? text : `${text}\n`);
    else ctx.io.err(`hotfix: ${report.status} (${report.exitCode}); report written to ${output}\n`);
    return report.exitCode;
  },
};
