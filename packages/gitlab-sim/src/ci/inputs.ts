/**
 * `spec: inputs:` validation and `$[[ inputs.x ]]` interpolation, with GitLab's
 * error texts (lib/gitlab/ci/config/interpolation and lib/gitlab/ci/input).
 */

/** One declared input. */
export interface InputSpec {
  readonly type: 'string' | 'boolean' | 'number' | 'array';
  readonly default?: unknown;
  readonly options?: readonly unknown[];
  readonly regex?: string;
  readonly description?: string;
}

const TYPES = ['string', 'boolean', 'number', 'array'] as const;

/** Reads the `spec:` header document into input specs; returns errors for malformed specs. */
export function parseInputSpecs(spec: unknown): { specs: Map<string, InputSpec>; errors: string[] } {
  const specs = new Map<string, InputSpec>();
  const errors: string[] = [];
  if (spec === undefined || spec === null) return { specs, errors };
  if (typeof spec !== 'object' || Array.isArray(spec))
    return { specs, errors: ['header:spec config should be a hash'] };
  const inputs = (spec as Record<string, unknown>).inputs;
  if (inputs === undefined || inputs === null) return { specs, errors };
  if (typeof inputs !== 'object' || Array.isArray(inputs)) {
    return { specs, errors: ['header:spec:inputs config should be a hash'] };
  }
  for (const [name, raw] of Object.entries(inputs as Record<string, unknown>)) {
    const def = (raw ?? {}) as Record<string, unknown>;
    const type = (def.type ?? 'string') as string;
    if (!(TYPES as readonly string[]).includes(type)) {
      errors.push(`unknown input specification for \`${name}\` (valid types: array, boolean, number, string)`);
      continue;
    }
    const s: { -readonly [K in keyof InputSpec]: InputSpec[K] } = { type: type as InputSpec['type'] };
    if ('default' in def) s.default = def.default;
    if (Array.isArray(def.options)) s.options = def.options;
    if (typeof def.regex === 'string') s.regex = def.regex;
    if (typeof def.description === 'string') s.description = def.description;
    specs.set(name, s);
  }
  return { specs, errors };
}

function typeOk(type: InputSpec['type'], v: unknown): boolean {
  switch (type) {
    case 'string':
      return typeof v === 'string';
    case 'boolean':
      return typeof v === 'boolean';
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'array':
      return Array.isArray(v);
  }
}

function article(type: InputSpec['type']): string {
  return type === 'array' ? 'an array' : `a ${type}`;
}

/**
 * Checks given inputs against the specs, as Gitlab::Ci::Config::Interpolation::Inputs does:
 * unknown arguments first, then per input (in spec order) the required check, the default's
 * validations, then the given value's. A `null` value counts as not given.
 */
export function resolveInputs(
  specs: ReadonlyMap<string, InputSpec>,
  given: Readonly<Record<string, unknown>>,
): { values: Record<string, unknown>; errors: string[] } {
  const errors: string[] = [];
  const values: Record<string, unknown> = {};
  const unknown = Object.keys(given).filter((k) => !specs.has(k));
  if (unknown.length) errors.push(`unknown input arguments: ${unknown.join(', ')}`);
  for (const [name, spec] of specs) {
    const own: string[] = [];
    const value = given[name] ?? undefined;
    const required = !('default' in spec);
    if (required && value === undefined) own.push('required value has not been provided');
    else {
      if (!required) own.push(...validateValue(spec, spec.default, true));
      if (value !== undefined) own.push(...validateValue(spec, value, false));
    }
    errors.push(...own.map((m) => `\`${name}\` input: ${m}`));
    if (own.length === 0) values[name] = value === undefined ? spec.default : value;
  }
  return { values, errors };
}

function validateValue(spec: InputSpec, value: unknown, isDefault: boolean): string[] {
  const which = isDefault ? 'default' : 'provided';
  const out: string[] = [];
  if (!typeOk(spec.type, value)) out.push(`${which} value is not ${article(spec.type)}`);
  if (spec.options) {
    if (spec.type !== 'string' && spec.type !== 'number')
      out.push('Options can only be used with string and number inputs');
    else if (!spec.options.some((o) => o === value)) {
      // GitLab's string and number inputs word this differently ("the" only for numbers).
      const list = spec.type === 'number' ? 'the list of the allowed options' : 'the list of allowed options';
      out.push(`\`${String(value)}\` cannot be used because it is not in ${list}`);
    }
  }
  if (spec.regex !== undefined) {
    if (spec.type !== 'string') out.push('RegEx validation can only be used with string inputs');
    else if (typeof value === 'string') {
      const m = /^\/(.*)\/([a-z]*)$/.exec(spec.regex);
      try {
        const re = m ? new RegExp(m[1] as string, (m[2] ?? '').replace(/[^imsu]/g, '')) : new RegExp(spec.regex);
        if (!re.test(value)) out.push(`${which} value does not match required RegEx pattern`);
      } catch {
        out.push('invalid regular expression');
      }
    }
  }
  return out;
}

const BLOCK = /\$\[\[\s*(.*?)\s*\]\]/g;

function applyFunctions(value: unknown, fns: string[]): unknown {
  let v = value;
  for (const fn of fns) {
    const trunc = /^truncate\(\s*(\d+)\s*,\s*(\d+)\s*\)$/.exec(fn);
    if (trunc) v = String(v).substr(Number(trunc[1]), Number(trunc[2]));
    else if (fn === 'posix_escape') v = String(v).replace(/([^A-Za-z0-9_\-.,:/@\n])/g, '\\$1');
    else if (fn !== 'expand_vars') throw new Error(`invalid interpolation function: \`${fn}\``);
  }
  return v;
}

function lookup(expr: string, inputs: Readonly<Record<string, unknown>>): unknown {
  const [access, ...fns] = expr.split('|').map((s) => s.trim());
  const m = /^inputs\.([A-Za-z0-9_-]+)$/.exec(access ?? '');
  if (!m) throw new Error(`unknown interpolation provided: \`${access}\` in \`${expr}\``);
  const key = m[1] as string;
  if (!Object.hasOwn(inputs, key)) throw new Error(`unknown interpolation key: \`${key}\``);
  return applyFunctions(inputs[key], fns);
}

function interpolateString(s: string, inputs: Readonly<Record<string, unknown>>): unknown {
  const whole = /^\$\[\[\s*(.*?)\s*\]\]$/.exec(s);
  if (whole && !s.slice(3).includes('$[[')) return lookup(whole[1] as string, inputs);
  return s.replace(BLOCK, (_m, expr: string) => {
    const v = lookup(expr, inputs);
    return typeof v === 'string' ? v : JSON.stringify(v);
  });
}

/**
 * Replaces `$[[ inputs.x ]]` in every key and value. A value that is exactly one block keeps
 * the input's type (a boolean stays a boolean); blocks inside text are rendered as text.
 */
export function interpolate(node: unknown, inputs: Readonly<Record<string, unknown>>): unknown {
  if (typeof node === 'string') return node.includes('$[[') ? interpolateString(node, inputs) : node;
  if (Array.isArray(node)) return node.map((n) => interpolate(n, inputs));
  if (node && typeof node === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) out[String(interpolate(k, inputs))] = interpolate(v, inputs);
    return out;
  }
  return node;
}
