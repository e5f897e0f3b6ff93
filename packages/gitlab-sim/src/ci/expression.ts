/**
 * GitLab CI `rules: - if:` expressions: `$VAR`, "strings", 'strings', `null`, `/regex/`,
 * `==`, `!=`, `=~`, `!~`, `&&`, `||` and parentheses. Anything else is GitLab's
 * "invalid expression syntax".
 */

type Token =
  | { t: 'var'; name: string }
  | { t: 'str'; value: string }
  | { t: 'null' }
  | { t: 're'; re: RegExp }
  | { t: 'op'; op: '==' | '!=' | '=~' | '!~' | '&&' | '||' | '(' | ')' };

type Value = string | null | RegExp | boolean;

/** Thrown for an expression GitLab would reject. */
export class ExpressionError extends Error {
  constructor() {
    super('invalid expression syntax');
    this.name = 'ExpressionError';
  }
}

function lex(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (two === '==' || two === '!=' || two === '=~' || two === '!~' || two === '&&' || two === '||') {
      tokens.push({ t: 'op', op: two });
      i += 2;
    } else if (c === '(' || c === ')') {
      tokens.push({ t: 'op', op: c });
      i++;
    } else if (c === '$') {
      const m = /^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/.exec(src.slice(i));
      if (!m) throw new ExpressionError();
      tokens.push({ t: 'var', name: m[1] as string });
      i += m[0].length;
    } else if (c === '"' || c === "'") {
      const end = src.indexOf(c, i + 1);
      if (end < 0) throw new ExpressionError();
      tokens.push({ t: 'str', value: src.slice(i + 1, end) });
      i = end + 1;
    } else if (c === '/') {
      const m = /^\/((?:\\.|[^/\\])*)\/([a-z]*)/.exec(src.slice(i));
      if (!m) throw new ExpressionError();
      try {
        tokens.push({ t: 're', re: new RegExp(m[1] as string, (m[2] ?? '').replace(/[^imsu]/g, '')) });
      } catch {
        throw new ExpressionError();
      }
      i += m[0].length;
    } else if (src.startsWith('null', i) && !/[A-Za-z0-9_]/.test(src[i + 4] ?? '')) {
      tokens.push({ t: 'null' });
      i += 4;
    } else {
      throw new ExpressionError();
    }
  }
  return tokens;
}

function truthy(v: Value): boolean {
  if (v === null || v === false) return false;
  if (typeof v === 'string') return v.length > 0;
  return true;
}

/** Evaluates a rules:if expression against variables (undefined variables are `null`). */
export function evaluateExpression(src: string, vars: Readonly<Record<string, string>>): boolean {
  const tokens = lex(src);
  let pos = 0;
  const peekOp = (): string | undefined => {
    const tok = tokens[pos];
    return tok?.t === 'op' ? tok.op : undefined;
  };
  const parseOr = (): Value => {
    let left = parseAnd();
    while (peekOp() === '||') {
      pos++;
      const right = parseAnd();
      left = truthy(left) ? left : right;
    }
    return left;
  };
  const parseAnd = (): Value => {
    let left = parseCmp();
    while (peekOp() === '&&') {
      pos++;
      const right = parseCmp();
      left = truthy(left) ? right : left;
    }
    return left;
  };
  const parseCmp = (): Value => {
    const left = parsePrimary();
    const op = peekOp();
    if (op !== '==' && op !== '!=' && op !== '=~' && op !== '!~') return left;
    pos++;
    const right = parsePrimary();
    if (op === '==' || op === '!=') {
      const eq = left instanceof RegExp || right instanceof RegExp ? String(left) === String(right) : left === right;
      return op === '==' ? eq : !eq;
    }
    if (!(right instanceof RegExp)) throw new ExpressionError();
    const matched = typeof left === 'string' && right.test(left);
    return op === '=~' ? matched : !matched;
  };
  const parsePrimary = (): Value => {
    const tok = tokens[pos++];
    if (!tok) throw new ExpressionError();
    switch (tok.t) {
      case 'var':
        return vars[tok.name] ?? null;
      case 'str':
        return tok.value;
      case 'null':
        return null;
      case 're':
        return tok.re;
      case 'op': {
        if (tok.op !== '(') throw new ExpressionError();
        const inner = parseOr();
        if (peekOp() !== ')') throw new ExpressionError();
        pos++;
        return inner;
      }
    }
  };
  const result = parseOr();
  if (pos !== tokens.length) throw new ExpressionError();
  return truthy(result);
}
