import { ApiError, invalidParam } from './http.js';

/** Reads request parameters (query and body merged) the way Grape coerces them. */
export class Params {
  constructor(private readonly values: Readonly<Record<string, unknown>>) {}

  /** Whether the parameter was sent at all. */
  has(name: string): boolean {
    return this.values[name] !== undefined;
  }

  /** A string parameter (numbers are turned into strings), or undefined. */
  str(name: string): string | undefined {
    const v = this.values[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    throw invalidParam(name);
  }

  /** A boolean parameter (`true`/`false`/`1`/`0`), or undefined. */
  bool(name: string): boolean | undefined {
    const v = this.values[name];
    if (v === undefined || v === null || v === '') return undefined;
    if (v === true || v === 'true' || v === 1 || v === '1') return true;
    if (v === false || v === 'false' || v === 0 || v === '0') return false;
    throw invalidParam(name);
  }

  /** An integer parameter, or undefined. */
  int(name: string): number | undefined {
    const v = this.values[name];
    if (v === undefined || v === null || v === '') return undefined;
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : Number.NaN;
    if (!Number.isInteger(n)) throw invalidParam(name);
    return n;
  }

  /** A list given as an array or a comma-separated string. */
  list(name: string): string[] | undefined {
    const v = this.values[name] ?? this.values[`${name}[]`];
    if (v === undefined || v === null) return undefined;
    if (Array.isArray(v)) return v.map(String);
    if (typeof v === 'string') return v === '' ? [] : v.split(',').map((s) => s.trim());
    throw invalidParam(name);
  }

  /** The raw value. */
  raw(name: string): unknown {
    return this.values[name];
  }

  /**
   * Grape's `requires`: every missing (or, with `allowBlank: false`, blank) parameter is
   * named in one 400 `{"error":"a is missing, b is missing"}` (or `b is empty`).
   */
  require(names: readonly string[], opts: { allowBlank?: boolean } = {}): void {
    const problems: string[] = [];
    for (const name of names) {
      const v = this.values[name];
      if (v === undefined || v === null) problems.push(`${name} is missing`);
      else if (opts.allowBlank === false && typeof v === 'string' && v.trim() === '') problems.push(`${name} is empty`);
    }
    if (problems.length) throw new ApiError(400, { error: problems.join(', ') });
  }

  /** Grape's `at_least_one_of`: 400 naming every accepted parameter when none was sent. */
  requireOneOf(names: readonly string[]): void {
    if (names.some((n) => this.values[n] !== undefined)) return;
    throw new ApiError(400, { error: `${names.join(', ')} are missing, at least one parameter must be provided` });
  }
}
