/**
 * The `hotfix` command as a pure function: arguments and surroundings in, exit code out.
 * Each command lives in its own module under `commands/` and is loaded only when named, so
 * `hotfix policy check` never loads the GitLab client or git.
 */

import { PACKAGE_VERSION } from './_package-version.js';
import { EXIT_CODE_HELP, EXIT_CODES } from './exit-codes.js';
import { createIo } from './io.js';
import { ProblemError, problem, usageProblem } from './problem.js';
import type { CliDeps, CommandEntry, Io, OutputMode } from './types.js';

/** The CLI's version, read from its package.json (inlined at build time). */
export const CLI_VERSION: string = PACKAGE_VERSION;

/** Every command, by its words (`policy check`). */
export const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  preflight: {
    summary: 'Check the prerequisites (P1-P6, S1, D1) without changing anything',
    load: async () => (await import('./commands/preflight.js')).preflightCommand,
  },
  doctor: {
    summary: 'Check this GitLab, token and configuration can run the runbook, with a fix per finding',
    load: async () => (await import('./commands/doctor.js')).doctorCommand,
  },
  promote: {
    summary: 'Run the whole runbook for one merged hotfix (S1-S7), or --dry-run the plan',
    load: async () => (await import('./commands/promote.js')).promoteCommand,
  },
  resume: {
    summary: 'Continue an interrupted promotion from its journal',
    load: async () => (await import('./commands/resume.js')).resumeCommand,
  },
  abandon: {
    summary: 'Give a promotion up: release its release locks, mark its journal abandoned',
    load: async () => (await import('./commands/abandon.js')).abandonCommand,
  },
  resolve: {
    summary: 'Continue after resolving a conflicting pick by hand (D3)',
    load: async () => (await import('./commands/resolve.js')).resolveCommand,
  },
  rollback: {
    summary: 'Revert the recorded picks from release and redeploy staging (R1, R2)',
    load: async () => (await import('./commands/rollback.js')).rollbackCommand,
  },
  status: {
    summary: 'Where a promotion stands now, read live from GitLab',
    load: async () => (await import('./commands/status.js')).statusCommand,
  },
  'policy check': {
    summary: 'Check evidence bundles against E1-E8 (exit 0/1/2/3)',
    load: async () => (await import('./commands/policy-check.js')).policyCheckCommand,
  },
  'evidence verify': {
    summary: 'Verify a signed (DSSE) evidence envelope with a public key',
    load: async () => (await import('./commands/evidence-verify.js')).evidenceVerifyCommand,
  },
  'evidence sign': {
    summary: 'Sign an evidence bundle with an ed25519 private key',
    load: async () => (await import('./commands/evidence-sign.js')).evidenceSignCommand,
  },
  'evidence report': {
    summary: 'Write a self-contained HTML report of a promotion (timeline, verdicts, signature)',
    load: async () => (await import('./commands/evidence-report.js')).evidenceReportCommand,
  },
  'evidence schema': {
    summary: 'Print the JSON Schema of evidence bundles',
    load: async () => (await import('./commands/evidence-schema.js')).evidenceSchemaCommand,
  },
  runbook: {
    summary: 'List the runbook IDs that errors and policy results cite',
    load: async () => (await import('./commands/runbook.js')).runbookCommand,
  },
  completion: {
    summary: 'Print a shell completion script (bash, zsh or fish)',
    load: async () => (await import('./commands/completion.js')).completionCommandFor(COMMANDS),
  },
};

const GROUPS = new Set(['policy', 'evidence']);

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((k) => k.length));
  const lines = Object.entries(COMMANDS).map(([k, e]) => `  hotfix ${k.padEnd(width)}  ${e.summary}`);
  const codes = EXIT_CODE_HELP.map(([c, t]) => `  ${String(c).padStart(3)}  ${t}`);
  return `hotfix: promote one merged hotfix to staging, safely, with proof.

Usage:
${lines.join('\n')}
  hotfix help <command>${' '.repeat(Math.max(0, width - 14))}  Show one command's help
  hotfix --version${' '.repeat(Math.max(0, width - 9))}  Print the version

Every command takes --help, --json (one JSON document on stdout; errors as RFC 9457 problem
details), --events ndjson (one JSON event per line on stdout while it works, then that document),
--config <file> (default: hotfix.config.json found upward), --gitlab-url <url> and --no-color.
A flag that takes one value may be given once.
Environment: GITLAB_TOKEN, GITLAB_URL; in GitLab CI CI_SERVER_URL, CI_JOB_TOKEN, CI_PROJECT_PATH,
CI_MERGE_REQUEST_IID. A non-empty NO_COLOR turns colour off; FORCE_COLOR turns it on (0 or false: off).

Exit codes:
${codes.join('\n')}

Example:
  hotfix promote --mr evenergi/charging-api!42 --evidence evidence.json
`;
}

/**
 * Runs the `hotfix` command with the given arguments and returns its exit code. Never throws:
 * a failure is one human line on stderr (or problem details with `--json`) and an exit code.
 *
 * @example
 * ```ts
 * const code = await run(['--version'], { stdout: console.log, stderr: console.error, env: process.env });
 * ```
 */
export async function run(argv: readonly string[], deps: CliDeps): Promise<number> {
  const chosen = outputMode(argv);
  const io = createIo(deps, { mode: chosen.mode, noColor: argv.includes('--no-color'), argv });
  try {
    if (chosen.problem) return io.fail(usageProblem(chosen.problem));
    const [first] = argv;
    if (first === undefined) {
      deps.stderr(usage());
      return EXIT_CODES.usage;
    }
    if (first === '--help' || first === '-h') {
      deps.stdout(usage());
      return EXIT_CODES.ok;
    }
    if (first === '--version' || first === '-V') {
      deps.stdout(`${CLI_VERSION}\n`);
      return EXIT_CODES.ok;
    }
    if (first === 'help') return await help(argv.slice(1), deps, io);
    const found = lookup(argv);
    if ('problem' in found) return io.fail(usageProblem(found.problem));
    const command = await found.entry.load();
    const rest = argv.slice(found.words);
    if (rest.includes('--help') || rest.includes('-h')) {
      deps.stdout(command.help);
      return EXIT_CODES.ok;
    }
    return await command.run({ deps, io }, rest);
  } catch (e) {
    if (e instanceof ProblemError) return io.fail(e.problem);
    const message = e instanceof Error ? e.message : String(e);
    return io.fail(problem({ code: 'internal', detail: `internal error: ${message}`, exitCode: EXIT_CODES.internal }));
  }
}

/** `--json`, `--events ndjson` (or `--events=ndjson`), or human output; anything else is a usage problem. */
function outputMode(argv: readonly string[]): { mode: OutputMode; problem?: string } {
  const values: string[] = [];
  argv.forEach((a, i) => {
    if (a === '--events') values.push(argv[i + 1] ?? '');
    else if (a.startsWith('--events=')) values.push(a.slice('--events='.length));
  });
  if (values.length === 0) return { mode: argv.includes('--json') ? 'json' : 'human' };
  if (values.length > 1) return { mode: 'ndjson', problem: '--events was given more than once; it takes one value' };
  if (values[0] !== 'ndjson')
    return { mode: 'json', problem: `--events "${values[0]}" is not a known format (the one format is ndjson)` };
  return { mode: 'ndjson' };
}

/** The command named by the first one or two words of `argv`. */
function lookup(argv: readonly string[]): { entry: CommandEntry; words: number } | { problem: string } {
  const [first = '', second] = argv;
  const grouped = GROUPS.has(first);
  const key = grouped ? `${first} ${second ?? ''}` : first;
  const entry = COMMANDS[key];
  if (entry) return { entry, words: grouped ? 2 : 1 };
  const what =
    grouped && (second === undefined || second.startsWith('-'))
      ? `"${first}" needs a subcommand`
      : `unknown command "${grouped ? key : first}"`;
  return { problem: `${what}. Run "hotfix --help".` };
}

/** `hotfix help [<command>]`: the usage, or one command's help, on stdout. */
async function help(words: readonly string[], deps: CliDeps, io: Io): Promise<number> {
  if (words.length === 0) {
    deps.stdout(usage());
    return EXIT_CODES.ok;
  }
  const found = lookup(words);
  if ('problem' in found) return io.fail(usageProblem(found.problem));
  if (words.length > found.words)
    return io.fail(usageProblem(`hotfix help takes one command, not "${words.join(' ')}"`));
  deps.stdout((await found.entry.load()).help);
  return EXIT_CODES.ok;
}
