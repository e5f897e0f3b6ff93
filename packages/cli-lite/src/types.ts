/**
 * The types every command module shares: what the CLI needs from its surroundings, the output
 * of one run, and the command contract. They live here, not in `run.ts`, so that a command
 * never imports the dispatcher that loads it (no import cycle).
 */
import type { ProblemDetails } from './problem.js';

/** What the CLI needs from its surroundings; tests pass their own. */
export interface CliDeps {
  /** Writes to standard output. */
  readonly stdout: (text: string) => void;
  /** Writes to standard error. */
  readonly stderr: (text: string) => void;
  /** The environment variables the CLI may read. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The working directory (config lookup, relative paths); `.` when omitted. */
  readonly cwd?: string;
  /** Whether standard output is a terminal. */
  readonly stdoutIsTTY?: boolean;
  /** Whether standard error is a terminal (live progress). */
  readonly stderrIsTTY?: boolean;
  /** Subscribes to Ctrl-C (SIGINT); returns the unsubscribe function. */
  readonly onInterrupt?: (handler: () => void) => () => void;
}

/** Output of one command run: human text or exactly one JSON document on stdout; tokens redacted. */
export interface Io {
  readonly json: boolean;
  readonly color: boolean;
  /** Whether stderr is a terminal and progress may redraw a line (not in CI). */
  readonly live: boolean;
  /** Human output on stdout (ignored in `--json` mode). */
  out(text: string): void;
  /** Diagnostics and progress on stderr. */
  err(text: string): void;
  /** Writes raw text on stdout in every mode (reports, schemas, envelopes). */
  raw(text: string): void;
  /** Ends with a result document (`--json`) and returns its exit code. */
  result(doc: Readonly<Record<string, unknown>>, exitCode: number): number;
  /** Ends with a problem: one human line on stderr, or the problem document on stdout with `--json`. */
  fail(p: ProblemDetails, hints?: readonly string[]): number;
  /** Paints text when colour is on. */
  paint(code: 'red' | 'green' | 'yellow' | 'dim' | 'bold', text: string): string;
}

/** What a command gets: its surroundings and its output. */
export interface CommandContext {
  /** The surroundings. */
  readonly deps: CliDeps;
  /** Output for this run (human or `--json`). */
  readonly io: Io;
}

/** One command: its help (with an example) and its body. */
export interface Command {
  /** `--help` text, ending with an example. */
  readonly help: string;
  /** Runs the command on its own arguments; returns the exit code. */
  run(ctx: CommandContext, argv: readonly string[]): Promise<number>;
}
