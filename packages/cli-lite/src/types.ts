/**
 * The types every command module shares: what the CLI needs from its surroundings, the output
 * of one run, and the command contract. They live here, not in `run.ts`, so that a command
 * never imports the dispatcher that loads it (no import cycle).
 */
import type { OptionTable } from './args.js';
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
  /** The width of the terminal behind standard error, in columns, when it is one. */
  readonly stderrColumns?: () => number | undefined;
  /** Subscribes to resizes of the terminal behind standard error; returns the unsubscribe function. */
  readonly onResize?: (handler: () => void) => () => void;
  /** Subscribes to Ctrl-C (SIGINT); returns the unsubscribe function. */
  readonly onInterrupt?: (handler: () => void) => () => void;
}

/** The colours the CLI paints with. */
export type Paint = 'red' | 'green' | 'yellow' | 'dim' | 'bold';

/** How a run reports: human text, one JSON document, or a stream of JSON events ending with that document. */
export type OutputMode = 'human' | 'json' | 'ndjson';

/** Output of one command run: human text or exactly one JSON document on stdout; tokens redacted. */
export interface Io {
  /** Whether stdout carries machine output (`--json` or `--events ndjson`): human text is suppressed. */
  readonly json: boolean;
  /** Whether stdout carries one JSON event per line (`--events ndjson`). */
  readonly events: boolean;
  /** Whether text on stdout is coloured. */
  readonly color: boolean;
  /** Whether text on stderr is coloured (decided apart from stdout: one may be a pipe, the other a terminal). */
  readonly colorErr: boolean;
  /** Whether stderr is a terminal and progress may redraw a line (not in CI). */
  readonly live: boolean;
  /** Human output on stdout (ignored in machine modes). */
  out(text: string): void;
  /** Diagnostics and progress on stderr. */
  err(text: string): void;
  /** Writes raw text on stdout in every mode (reports, schemas, envelopes). */
  raw(text: string): void;
  /** Writes one JSON value as one line on stdout (`--events ndjson`); tokens redacted. */
  event(value: unknown): void;
  /** Ends with a result document (`--json`, or the last line of `--events ndjson`) and returns its exit code. */
  result(doc: Readonly<Record<string, unknown>>, exitCode: number): number;
  /** Ends with a problem: one human line on stderr, or the problem document on stdout in machine modes. */
  fail(p: ProblemDetails, hints?: readonly string[]): number;
  /** Paints text for stdout when its colour is on. */
  paint(code: Paint, text: string): string;
  /** Paints text for stderr when its colour is on. */
  paintErr(code: Paint, text: string): string;
  /** The width of the terminal behind stderr, in columns (80 when unknown). */
  columns(): number;
  /** Calls `handler` when the terminal behind stderr is resized; returns the unsubscribe function. */
  onResize(handler: () => void): () => void;
}

/** What a command gets: its surroundings and its output. */
export interface CommandContext {
  /** The surroundings. */
  readonly deps: CliDeps;
  /** Output for this run (human or `--json`). */
  readonly io: Io;
}

/** One command: its help (with an example), its flags and its body. */
export interface Command {
  /** `--help` text, ending with an example. */
  readonly help: string;
  /** Its own flags (the common ones come on top); shell completion is generated from them. */
  readonly options: OptionTable;
  /** Runs the command on its own arguments; returns the exit code. */
  run(ctx: CommandContext, argv: readonly string[]): Promise<number>;
}

/** A command in the table: a one-line summary and how to load it. */
export interface CommandEntry {
  /** One line for `hotfix --help`. */
  readonly summary: string;
  /** Loads the command's module (commands are loaded only when named). */
  readonly load: () => Promise<Command>;
}
