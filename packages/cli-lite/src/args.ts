import { parseArgs } from 'node:util';
import { ProblemError, usageProblem } from './problem.js';

type OptionSpec = { readonly type: 'string' | 'boolean'; readonly short?: string; readonly multiple?: boolean };

/** Flags every command takes. */
export const COMMON_OPTIONS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  config: { type: 'string' },
  'gitlab-url': { type: 'string' },
  'no-color': { type: 'boolean' },
} as const satisfies Record<string, OptionSpec>;

/** Parsed flags and positionals. */
export interface Parsed {
  readonly values: Readonly<Record<string, string | boolean | readonly string[] | undefined>>;
  readonly positionals: readonly string[];
}

/** Parses a command's arguments strictly; a bad flag is a usage problem (exit 64). */
export function parseCommand(argv: readonly string[], options: Readonly<Record<string, OptionSpec>>): Parsed {
  try {
    const r = parseArgs({
      args: [...argv],
      options: { ...COMMON_OPTIONS, ...options } as Record<string, OptionSpec & { type: 'string' | 'boolean' }>,
      allowPositionals: true,
      strict: true,
    });
    return { values: r.values as Parsed['values'], positionals: r.positionals };
  } catch (e) {
    throw new ProblemError(usageProblem(e instanceof Error ? e.message : String(e)));
  }
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
