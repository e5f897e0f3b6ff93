import { createHash } from 'node:crypto';
import type { EvidenceError } from './evidence-error.js';
import { type EvidenceResult, errResult, okResult } from './evidence-result.js';
import { toJsonPointer } from './json-pointer.js';

const MAX_DEPTH = 512;

/**
 * Serialises a JSON value canonically in the style of RFC 8785 (JCS): object keys sorted by UTF-16 code
 * units, no whitespace, ECMAScript number formatting, JSON string escaping. Object members whose value is
 * `undefined` are omitted, as `JSON.stringify` does.
 *
 * Errors: `not-canonicalizable` for non-finite numbers, bigints, functions, symbols, `undefined` in arrays,
 * lone surrogates, cycles, or nesting deeper than 512 levels; the error names the JSON Pointer.
 *
 * @example
 * ```ts
 * canonicalJson({ b: 1, a: [true, null, 'x'] }); // { ok: true, value: '{"a":[true,null,"x"],"b":1}' }
 * ```
 */
export function canonicalJson(value: unknown): EvidenceResult<string, EvidenceError> {
  const out: string[] = [];
  const failure = write(value, [], out, new Set());
  return failure ? errResult(failure) : okResult(out.join(''));
}

/**
 * The content digest of a JSON value: `sha256:<hex>` of its canonical JSON (UTF-8).
 *
 * @example
 * ```ts
 * const d = contentDigest({ a: 1 }); // { ok: true, value: 'sha256:…' }
 * ```
 */
export function contentDigest(value: unknown): EvidenceResult<string, EvidenceError> {
  const text = canonicalJson(value);
  if (!text.ok) return text;
  return okResult(`sha256:${createHash('sha256').update(text.value, 'utf8').digest('hex')}`);
}

function write(value: unknown, path: PropertyKey[], out: string[], seen: Set<object>): EvidenceError | undefined {
  const fail = (message: string): EvidenceError => ({
    code: 'not-canonicalizable',
    message,
    pointer: toJsonPointer(path),
  });
  if (path.length > MAX_DEPTH) return fail(`nesting deeper than ${MAX_DEPTH} levels`);
  switch (typeof value) {
    case 'string':
      if (hasLoneSurrogate(value)) return fail('lone surrogate in string');
      out.push(JSON.stringify(value));
      return undefined;
    case 'number':
      if (!Number.isFinite(value)) return fail(`non-finite number ${String(value)}`);
      out.push(JSON.stringify(value));
      return undefined;
    case 'boolean':
      out.push(value ? 'true' : 'false');
      return undefined;
    case 'object':
      break;
    default:
      return fail(`unsupported ${typeof value} value`);
  }
  if (value === null) {
    out.push('null');
    return undefined;
  }
  if (seen.has(value)) return fail('cycle');
  seen.add(value);
  try {
    if (Array.isArray(value)) {
      out.push('[');
      for (let i = 0; i < value.length; i++) {
        if (i > 0) out.push(',');
        path.push(i);
        if (value[i] === undefined) return fail('undefined in array');
        const failure = write(value[i], path, out, seen);
        path.pop();
        if (failure) return failure;
      }
      out.push(']');
      return undefined;
    }
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record)
      .filter((k) => record[k] !== undefined)
      .sort();
    out.push('{');
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      if (i > 0) out.push(',');
      if (hasLoneSurrogate(key)) return fail('lone surrogate in key');
      out.push(JSON.stringify(key), ':');
      path.push(key);
      const failure = write(record[key], path, out, seen);
      path.pop();
      if (failure) return failure;
    }
    out.push('}');
    return undefined;
  } finally {
    seen.delete(value);
  }
}

function hasLoneSurrogate(text: string): boolean {
  return /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
}
