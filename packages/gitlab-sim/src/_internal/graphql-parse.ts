/**
 * A deliberately small GraphQL reader for the simulator: one anonymous or named `query`
 * operation with variable definitions, fields with aliases and arguments (variables, strings,
 * numbers, booleans, null, lists), nested selection sets. No fragments, directives, mutations
 * or subscriptions: a document using them is a syntax error here (see docs/simulator.md).
 */

/** An argument value as written. */
export type GqlValue =
  | { readonly kind: 'var'; readonly name: string }
  | { readonly kind: 'lit'; readonly value: unknown }
  | { readonly kind: 'list'; readonly items: readonly GqlValue[] };

/** One field of a selection set. */
export interface GqlField {
  readonly alias: string;
  readonly name: string;
  readonly args: Readonly<Record<string, GqlValue>>;
  readonly selections: readonly GqlField[] | undefined;
}

/** A syntax error, with GitLab's (graphql-ruby's) wording style. */
export class GqlSyntaxError extends Error {}

const TOKEN = /\s*(?:(#[^\n]*)|([{}()[\]:$!,=])|("(?:[^"\\]|\\.)*")|(-?\d+(?:\.\d+)?)|([_A-Za-z][_0-9A-Za-z]*))/y;

function tokenize(src: string): string[] {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < src.length) {
    if (/^\s*$/.test(src.slice(TOKEN.lastIndex))) break;
    const m = TOKEN.exec(src);
    if (!m) throw new GqlSyntaxError(`Parse error on "${src.slice(TOKEN.lastIndex).trim().slice(0, 20)}"`);
    if (m[1] !== undefined) continue;
    out.push((m[2] ?? m[3] ?? m[4] ?? m[5]) as string);
  }
  return out;
}

/** Parses a query document into its top-level selection set. */
export function parseQuery(src: string): readonly GqlField[] {
  const t = tokenize(src);
  let i = 0;
  const peek = () => t[i];
  const next = () => {
    const v = t[i++];
    if (v === undefined) throw new GqlSyntaxError('Parse error on end of input');
    return v;
  };
  const expect = (v: string) => {
    const got = next();
    if (got !== v) throw new GqlSyntaxError(`Parse error on "${got}" (expected "${v}")`);
  };
  const value = (): GqlValue => {
    const v = next();
    if (v === '$') return { kind: 'var', name: next() };
    if (v === '[') {
      const items: GqlValue[] = [];
      while (peek() !== ']') {
        items.push(value());
        if (peek() === ',') i++;
      }
      i++;
      return { kind: 'list', items };
    }
    if (v.startsWith('"')) return { kind: 'lit', value: JSON.parse(v) };
    if (/^-?\d/.test(v)) return { kind: 'lit', value: Number(v) };
    if (v === 'true' || v === 'false') return { kind: 'lit', value: v === 'true' };
    if (v === 'null') return { kind: 'lit', value: null };
    throw new GqlSyntaxError(`Parse error on "${v}"`);
  };
  const selectionSet = (): GqlField[] => {
    expect('{');
    const fields: GqlField[] = [];
    while (peek() !== '}') {
      let name = next();
      if (!/^[_A-Za-z]/.test(name)) throw new GqlSyntaxError(`Parse error on "${name}"`);
      const alias = name;
      if (peek() === ':') {
        i++;
        name = next();
      }
      const args: Record<string, GqlValue> = {};
      if (peek() === '(') {
        i++;
        while (peek() !== ')') {
          const arg = next();
          expect(':');
          args[arg] = value();
          if (peek() === ',') i++;
        }
        i++;
      }
      fields.push({ alias, name, args, selections: peek() === '{' ? selectionSet() : undefined });
      if (peek() === ',') i++;
    }
    i++;
    return fields;
  };
  if (peek() === 'query') {
    i++;
    if (peek() !== '(' && peek() !== '{') i++; // operation name
    if (peek() === '(') {
      let depth = 0;
      do {
        const v = next();
        if (v === '(') depth++;
        if (v === ')') depth--;
      } while (depth > 0);
    }
  } else if (peek() !== '{') {
    throw new GqlSyntaxError(`Parse error on "${peek() ?? 'end of input'}": only queries are served`);
  }
  const root = selectionSet();
  if (i !== t.length) throw new GqlSyntaxError(`Parse error on "${t[i]}": one operation per document`);
  return root;
}

/** The value of an argument, with variables substituted. */
export function argValue(v: GqlValue | undefined, variables: Readonly<Record<string, unknown>>): unknown {
  if (v === undefined) return undefined;
  if (v.kind === 'var') return variables[v.name];
  if (v.kind === 'list') return v.items.map((x) => argValue(x, variables));
  return v.value;
}
