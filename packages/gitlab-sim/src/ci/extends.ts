/**
 * `extends:` as GitLab resolves it (Gitlab::Ci::Config::Extendable): a job (or template) is
 * the deep merge of its bases, in order, then itself; hashes merge, everything else (arrays
 * included) is replaced.
 */

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const MAX_NESTING = 11;

function deepMerge(base: Obj, over: Obj): Obj {
  const out: Obj = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isObj(b) && isObj(v) ? deepMerge(b, v) : v;
  }
  return out;
}

/** Returns the configuration with every `extends` resolved, or throws GitLab's error text. */
export function resolveExtends(config: Obj): Obj {
  const resolved = new Map<string, Obj>();
  const resolve = (key: string, stack: string[]): Obj => {
    const done = resolved.get(key);
    if (done) return done;
    const entry = config[key];
    if (!isObj(entry)) throw new Error(`${stack[stack.length - 1] ?? key}: invalid base hash in \`extends\``);
    if (stack.includes(key)) throw new Error(`${key}: circular dependency detected in \`extends\``);
    if (stack.length >= MAX_NESTING) throw new Error(`${key}: nesting too deep in \`extends\``);
    const parents = entry.extends === undefined ? [] : Array.isArray(entry.extends) ? entry.extends : [entry.extends];
    let merged: Obj = {};
    for (const parent of parents.map(String)) {
      if (!(parent in config)) throw new Error(`${key}: unknown key in \`extends\``);
      merged = deepMerge(merged, resolve(parent, [...stack, key]));
    }
    const { extends: _ignored, ...own } = entry;
    const result = deepMerge(merged, own);
    resolved.set(key, result);
    return result;
  };
  const out: Obj = {};
  for (const [key, value] of Object.entries(config))
    out[key] = isObj(value) && 'extends' in value ? resolve(key, []) : value;
  return out;
}
