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
  const failure = write(value, [], out, []);
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

function failAt(message: string, path: readonly PropertyKey[]): EvidenceError {
  return { code: 'not-canonicalizable', message, pointer: toJsonPointer(path) };
}

// Recursive on purpose (depth is capped); `stack` holds the ancestors, for cycle detection.
function write(value: unknown, path: PropertyKey[], out: string[], stack: object[]): EvidenceError | undefined {
  if (path.length > MAX_DEPTH) return failAt(`nesting deeper than ${MAX_DEPTH} levels`, path);
  switch (typeof value) {
    case 'string':
      if (hasLoneSurrogate(value)) return failAt('lone surrogate in string', path);
      out.push(JSON.stringify(value));
      return undefined;
    case 'number':
      if (!Number.isFinite(value)) return failAt(`non-finite number ${String(value)}`, path);
      out.push(JSON.stringify(value));
      return undefined;
    case 'boolean':
      out.push(value ? 'true' : 'false');
      return undefined;
    case 'object':
      break;
    default:
      return failAt(`unsupported ${typeof value} value`, path);
  }
  if (value === null) {
    out.push('null');
    return undefined;
  }
  if (stack.includes(value)) return failAt('cycle', path);
  stack.push(value);
  if (Array.isArray(value)) {
    out.push('[');
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out.push(',');
      path.push(i);
      if (value[i] === undefined) return failAt('undefined in array', path);
      const failure = write(value[i], path, out, stack);
      path.pop();
      if (failure) return failure;
    }
    out.push(']');
  } else {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).sort();
    let first = true;
    out.push('{');
    for (const key of keys) {
      const child = record[key];
      if (child === undefined) continue;
      if (!first) out.push(',');
      first = false;
      path.push(key);
      if (hasLoneSurrogate(key)) return failAt('lone surrogate in key', path);
      out.push(JSON.stringify(key), ':');
      const failure = write(child, path, out, stack);
      path.pop();
      if (failure) return failure;
    }
    out.push('}');
  }
  stack.pop();
  return undefined;
}

function hasLoneSurrogate(text: string): boolean {
  // The cheap scan rules out almost every string before the look-around regex runs.
  if (!/[\uD800-\uDFFF]/.test(text)) return false;
  return /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
}
