import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  type CheckOptions,
  type CheckReport,
  checkBundles,
  formatCodeQuality,
  formatJson,
  formatJunit,
  formatMarkdown,
  formatText,
  toJsonReport,
} from '@hotfix-release/policy';
import { flag, parseCommand, str, strs } from '../args.js';
import { EXIT_CODES } from '../exit-codes.js';
import { ProblemError, problem, usageProblem } from '../problem.js';
import { problemFromError } from '../sdk-problem.js';
import type { Command } from '../types.js';

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

async function readText(path: string, what: string, exitCode: 2 | 3): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw new ProblemError(
      problem({
        code: exitCode === 2 ? 'evidence-unreadable' : 'invalid-config',
        detail: `${what} ${path} could not be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
        exitCode,
        extra: { file: path },
      }),
    );
  }
}

/** `hotfix policy check`: the policy package's checker, with its exit codes 0/1/2/3. */
export const policyCheckCommand: Command = {
  help: `Usage: hotfix policy check <bundle>... [--format text|json|junit|markdown|codequality]
                           [--output <file>] [--junit <file>] [--waivers <file>]
                           [--key <public key file>]... [--live] [--now <ISO time>] [--verbose]

Check evidence bundles (or DSSE envelopes of them) against the runbook's completion criteria
E1-E8. --live re-reads the pipeline inputs, deployed SHA, label and note from GitLab.
--output writes the report to a file; --junit also writes a JUnit report (for CI).

Exit codes: 0 every required control passed, 1 a control failed, 2 the evidence could not be
evaluated, 3 bad configuration (waivers, key, options).

Example:
  hotfix policy check evidence.json --waivers waivers.json --format junit --output policy.xml
`,
  async run(ctx, argv) {
    const p = parseCommand(argv, {
      format: { type: 'string' },
      output: { type: 'string' },
      junit: { type: 'string' },
      waivers: { type: 'string' },
      key: { type: 'string', multiple: true },
      live: { type: 'boolean' },
      now: { type: 'string' },
      verbose: { type: 'boolean' },
    });
    const cwd = ctx.deps.cwd ?? '.';
    const format = (str(p, 'format') ?? (ctx.io.json ? 'json' : 'text')) as Format;
    if (!FORMATS.includes(format))
      throw new ProblemError(usageProblem(`--format must be one of ${FORMATS.join(', ')} (got "${format}")`));
    if (p.positionals.length === 0)
      throw new ProblemError(
        usageProblem('name at least one evidence bundle (e.g. hotfix policy check evidence.json)'),
      );
    const inputs = [];
    for (const name of p.positionals)
      inputs.push({ name, text: await readText(resolve(cwd, name), 'evidence bundle', 2) });
    const waiversFile = str(p, 'waivers');
    const keys = strs(p, 'key');
    const now = str(p, 'now');
    const options: CheckOptions = {
      ...(now ? { now } : {}),
      ...(waiversFile ? { waivers: await readText(resolve(cwd, waiversFile), 'waiver file', 3) } : {}),
      trustedKeys: await Promise.all(
        keys.map(async (k) => ({ publicKey: await readText(resolve(cwd, k), 'public key', 3) })),
      ),
    };
    if (flag(p, 'live')) {
      const { createLiveFacts } = await import('../live-facts.js');
      options.live = await createLiveFacts(ctx.deps, p);
    }
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
