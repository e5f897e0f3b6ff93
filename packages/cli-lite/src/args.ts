import { parseArgs } from 'node:util';
import { ProblemError, usageProblem } from './problem.js';

/** One flag of a command: its kind, an optional one-letter alias, and whether it may repeat. */
export interface OptionSpec {
  /** `string` takes a value; `boolean` is a switch. */
  readonly type: 'string' | 'boolean';
  /** A one-letter alias (`-h`). */
  readonly short?: string;
  /** The flag may be given several times and every value counts; otherwise a second one is a usage error. */
  readonly multiple?: boolean;
  /** The values a string flag accepts, for shell completion (the command still validates them). */
  readonly choices?: readonly string[];
}

/** A command's own flags, by name (without the leading `--`). */
export type OptionTable = Readonly<Record<string, OptionSpec>>;

/** Flags every command takes. */
export const COMMON_OPTIONS = {
  json: { type: 'boolean' },
  events: { type: 'string', choices: ['ndjson'] },
  help: { type: 'boolean', short: 'h' },
  config: { type: 'string' },
  'gitlab-url': { type: 'string' },
  'no-color': { type: 'boolean' },
} as const satisfies Record<string, OptionSpec>;

/**
 * Flags of the commands that talk to GitLab: `--job-token` sends CI_JOB_TOKEN (only when asked),
 * `--check-header [<target>:]<header>=<VARIABLE>` sends a header whose value is read from an
 * environment variable with the health and smoke checks (staging behind auth).
 */
export const GITLAB_OPTIONS = {
  'job-token': { type: 'boolean' },
  'check-header': { type: 'string', multiple: true },
} as const satisfies Record<string, OptionSpec>;

/** Parsed flags and positionals. */
export interface Parsed {
  readonly values: Readonly<Record<string, string | boolean | readonly string[] | undefined>>;
  readonly positionals: readonly string[];
}

/**
 * Parses a command's arguments strictly; a bad flag is a usage problem (exit 64). A flag that is
 * not `multiple` given twice is a usage problem naming it: `--mr A --mr B` must never quietly mean B.
 */
export function parseCommand(argv: readonly string[], options: OptionTable): Parsed {
  const table: Record<string, OptionSpec> = { ...COMMON_OPTIONS, ...options };
  let r: ReturnType<typeof parseArgs<{ options: Record<string, OptionSpec>; tokens: true; allowPositionals: true }>>;
  try {
    const specs = Object.fromEntries(
      Object.entries(table).map(([k, v]) => [
        k,
        { type: v.type, multiple: v.multiple === true, ...(v.short ? { short: v.short } : {}) },
      ]),
    );
    r = parseArgs({ args: [...argv], options: specs, allowPositionals: true, strict: true, tokens: true });
  } catch (e) {
    throw new ProblemError(usageProblem(e instanceof Error ? e.message : String(e)));
  }
  const seen = new Set<string>();
  for (const t of r.tokens) {
    if (t.kind !== 'option' || table[t.name]?.multiple) continue;
    if (seen.has(t.name))
      throw new ProblemError(usageProblem(`--${t.name} was given more than once; it takes one value`));
    seen.add(t.name);
  }
  return { values: r.values as Parsed['values'], positionals: r.positionals };
}

/** A string flag's value. */
export function str(p: Parsed, name: string): string | undefined {
  const v = p.values[name];
  return typeof v === 'string' ? v : undefined;
}

/** A repeatable string flag's values. */
export function strs(p: Parsed, name: string): string[] {
  const v = p.values[name];
  return Array.isArray(v) ? [...(v as string[])] : typeof v === 'string' ? [v] : [];
}

/** A boolean flag. */
export function flag(p: Parsed, name: string): boolean {
  return p.values[name] === true;
}

/** A required string flag; missing is a usage problem. */
export function required(p: Parsed, name: string, example: string): string {
  const v = str(p, name);
  if (v === undefined || v === '') throw new ProblemError(usageProblem(`--${name} is required (e.g. ${example})`));
  return v;
}

/** Parses `group/project!iid`. */
export function parseMr(text: string): { project: string; iid: number } {
  const m = /^([^\s!]+\/[^\s!]+)!(\d+)$/.exec(text.trim());
  if (!m?.[1] || !m[2] || Number(m[2]) < 1)
    throw new ProblemError(usageProblem(`--mr "${text}" is not <group/project>!<iid> (e.g. evenergi/charging-api!42)`));
  return { project: m[1], iid: Number(m[2]) };
}

/** Parses a duration like `90s`, `30m`, `2h` or plain milliseconds. */
export function parseDurationMs(text: string, name: string): number {
  const m = /^(\d+)(ms|s|m|h)?$/.exec(text.trim());
  if (!m?.[1]) throw new ProblemError(usageProblem(`--${name} "${text}" is not a duration (e.g. 90s, 30m, 2h)`));
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 'ms') as 'ms' | 's' | 'm' | 'h'];
  return Number(m[1]) * unit;
}
