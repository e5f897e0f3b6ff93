/**
 * Defensive reads of a raw bundle value for the HTML report: the report shows what a bundle claims even
 * when it does not match the schema (marked unverified), so nothing here trusts a shape. Internal.
 */

/** A plain object, or `undefined`. */
export type Obj = Readonly<Record<string, unknown>> | undefined;

/** The value as a plain object, or `undefined`. */
export function obj(value: unknown): Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** The value as an array (empty when it is not one), at most `max` items. */
export function arr(value: unknown, max = 1000): readonly unknown[] {
  return Array.isArray(value) ? value.slice(0, max) : [];
}

/** A member of an object value. */
export function at(o: unknown, key: string): unknown {
  const x = obj(o);
  return x && Object.hasOwn(x, key) ? x[key] : undefined;
}

/** A string member, or `undefined`. */
export function str(o: unknown, key: string): string | undefined {
  const v = at(o, key);
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
}

/**
 * The raw bundle an input carries: the value itself, or the predicate of the in-toto statement in a
 * DSSE envelope, with the envelope's signature key ids. Never throws.
 */
export function decodeInput(value: unknown): { bundle: Obj; keyids: readonly string[] | null; problem?: string } {
  const env = obj(value);
  if (!env || !('payloadType' in env) || !('signatures' in env)) return { bundle: obj(value), keyids: null };
  const keyids = arr(env.signatures, 16)
    .map((s) => str(s, 'keyid'))
    .filter((k): k is string => k !== undefined);
  if (typeof env.payload !== 'string') return { bundle: undefined, keyids, problem: 'the envelope has no payload' };
  try {
    const statement: unknown = JSON.parse(Buffer.from(env.payload, 'base64').toString('utf8'));
    const bundle = obj(at(statement, 'predicate'));
    return bundle ? { bundle, keyids } : { bundle, keyids, problem: 'the statement carries no predicate' };
  } catch {
    return { bundle: undefined, keyids, problem: 'the envelope payload is not a JSON statement' };
  }
}

/** A record's `provenance` member (any shape a schema gives it) as one line, or `undefined`. */
export function provenanceOf(record: unknown): string | undefined {
  const p = at(record, 'provenance');
  if (p === undefined || p === null) return undefined;
  if (typeof p !== 'object') return String(p);
  if (Array.isArray(p)) return p.map((x) => (typeof x === 'object' ? JSON.stringify(x) : String(x))).join(', ');
  return Object.entries(p)
    .map(([k, v]) => `${k}: ${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`)
    .join('; ');
}

/**
 * The hotfixes of a raw bundle with their JSON Pointers: schema 3.x `hotfixes`, or the one `hotfix` of a
 * 1.x/2.x bundle (the report renders what the bundle says, before or without normalization).
 */
export function hotfixesOf(bundle: unknown): readonly { readonly hotfix: unknown; readonly pointer: string }[] {
  const many = at(bundle, 'hotfixes');
  if (Array.isArray(many)) return arr(many, 20).map((hotfix, i) => ({ hotfix, pointer: `/hotfixes/${i}` }));
  const one = at(bundle, 'hotfix');
  return one === undefined ? [] : [{ hotfix: one, pointer: '/hotfix' }];
}

/** The hotfix a raw target record names (`group/project!iid`), or the bundle's only one (1.x/2.x). */
export function hotfixOfTarget(
  bundle: unknown,
  target: unknown,
): { readonly hotfix: unknown; readonly pointer: string } {
  const all = hotfixesOf(bundle);
  const ref = str(target, 'hotfix');
  const found = all.find((h) => `${str(at(h.hotfix, 'mr'), 'project')}!${str(at(h.hotfix, 'mr'), 'iid')}` === ref);
  return found ?? (all.length === 1 && all[0] ? all[0] : { hotfix: undefined, pointer: '/hotfixes' });
}
