/**
 * The `hotfix` command as a pure function: arguments and surroundings in, exit code out.
 * Each command lives in its own module under `commands/` and is loaded only when named, so
 * `hotfix policy check` never loads the GitLab client or git.
 */
import { EXIT_CODE_HELP, EXIT_CODES } from './exit-codes.js';
import { createIo } from './io.js';
import { ProblemError, problem, usageProblem } from './problem.js';
import type { CliDeps, Command } from './types.js';

/** The CLI's version, kept in step with its package.json. */
export const CLI_VERSION = '0.1.0';

type Entry = { readonly summary: string; readonly load: () => Promise<Command> };

const COMMANDS: Readonly<Record<string, Entry>> = {
  preflight: {
    summary: 'Check the prerequisites (P1-P6, S1, D1) without changing anything',
    load: async () => (await import('./commands/preflight.js')).preflightCommand,
  },
  promote: {
    summary: 'Run the whole runbook for one merged hotfix (S1-S7), or --dry-run the plan',
    load: async () => (await import('./commands/promote.js')).promoteCommand,
  },
  resume: {
    summary: 'Continue an interrupted promotion from its journal',
    load: async () => (await import('./commands/resume.js')).resumeCommand,
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
  'evidence schema': {
    summary: 'Print the JSON Schema of evidence bundles',
    load: async () => (await import('./commands/evidence-schema.js')).evidenceSchemaCommand,
  },
  runbook: {
    summary: 'List the runbook IDs that errors and policy results cite',
    load: async () => (await import('./commands/runbook.js')).runbookCommand,
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
  hotfix --version${' '.repeat(Math.max(0, width - 8))}  Print the version

Every command takes --help, --json (one JSON document on stdout; errors as RFC 9457 problem
details), --config <file> (default: hotfix.config.json found upward) and --gitlab-url <url>.
Environment: GITLAB_TOKEN, GITLAB_URL; in GitLab CI CI_SERVER_URL, CI_JOB_TOKEN, CI_PROJECT_PATH,
CI_MERGE_REQUEST_IID. NO_COLOR turns colour off.

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
  const io = createIo(deps, { json: argv.includes('--json'), noColor: argv.includes('--no-color') });
  try {
    const [first, second] = argv;
    if (first === undefined || first === '--help' || first === '-h') {
      deps.stdout(usage());
      return first === undefined ? EXIT_CODES.usage : EXIT_CODES.ok;
    }
    if (first === '--version' || first === '-V') {
      deps.stdout(`${CLI_VERSION}\n`);
      return EXIT_CODES.ok;
    }
    const grouped = GROUPS.has(first);
    const key = grouped ? `${first} ${second ?? ''}` : first;
    const entry = COMMANDS[key];
    if (!entry) {
      const what =
        grouped && (second === undefined || second.startsWith('-'))
          ? `"${first}" needs a subcommand`
          : `unknown command "${grouped ? key : first}"`;
      return io.fail(usageProblem(`${what}. Run "hotfix --help".`));
    }
    const command = await entry.load();
    const rest = argv.slice(grouped ? 2 : 1);
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
