import { RUNBOOK } from '@hotfix-release/evidence';

/** What the CLI needs from its surroundings; tests pass their own. */
export interface CliDeps {
  /** Writes to standard output. */
  readonly stdout: (text: string) => void;
  /** Writes to standard error. */
  readonly stderr: (text: string) => void;
  /** The environment variables the CLI may read. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** The CLI's version, kept in step with its package.json. */
export const CLI_VERSION = '0.1.0';

const USAGE = `hotfix: promote one merged hotfix to staging, safely, with proof.

Usage:
  hotfix runbook            List the runbook IDs that errors and policy results cite
  hotfix --version          Print the version
  hotfix --help             Show this help
`;

/**
 * Runs the `hotfix` command with the given arguments and returns its exit code.
 *
 * @example
 * ```ts
 * const code = await run(['--version'], { stdout: console.log, stderr: console.error, env: process.env });
 * ```
 */
export async function run(argv: readonly string[], deps: CliDeps): Promise<number> {
  const [command] = argv;
  if (command === undefined || command === '--help' || command === '-h') {
    deps.stdout(USAGE);
    return command === undefined ? 64 : 0;
  }
  if (command === '--version') {
    deps.stdout(`${CLI_VERSION}\n`);
    return 0;
  }
  if (command === 'runbook') {
    for (const entry of RUNBOOK) deps.stdout(`${entry.id}\t${entry.summary}\n`);
    return 0;
  }
  deps.stderr(`hotfix: unknown command "${command}". Run "hotfix --help".\n`);
  return 64;
}
