import { createHash } from 'node:crypto';
import { type EvidenceError, evidenceError } from './evidence-error.js';
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
  const out = { text: '' };
  const failure = write(value, [], out, []);
  return failure ? errResult(failure) : okResult(out.text);
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
  if (!text.isOk()) return text;
  return okResult(`sha256:${createHash('sha256').update(text.value, 'utf8').digest('hex')}`);
}

function failAt(message: string, path: readonly PropertyKey[]): EvidenceError {
  return evidenceError('not-canonicalizable', message, { pointer: toJsonPointer(path) });
}

// Recursive on purpose (depth is capped); `stack` holds the ancestors, for cycle detection.
function write(value: unknown, path: PropertyKey[], out: { text: string }, stack: object[]): EvidenceError | undefined {
  if (path.length > MAX_DEPTH) return failAt(`nesting deeper than ${MAX_DEPTH} levels`, path);
  switch (typeof value) {
    case 'string':
      if (hasLoneSurrogate(value)) return failAt('lone surrogate in string', path);
      out.text += quote(value);
      return undefined;
    case 'number':
      if (!Number.isFinite(value)) return failAt(`non-finite number ${String(value)}`, path);
      out.text += JSON.stringify(value);
      return undefined;
    case 'boolean':
      out.text += value ? 'true' : 'false';
      return undefined;
    case 'object':
      break;
    default:
      return failAt(`unsupported ${typeof value} value`, path);
  }
  if (value === null) {
    out.text += 'null';
    return undefined;
  }
  if (stack.includes(value)) return failAt('cycle', path);
  stack.push(value);
  if (Array.isArray(value)) {
    out.text += '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out.text += ',';
      path.push(i);
      if (value[i] === undefined) return failAt('undefined in array', path);
      const failure = write(value[i], path, out, stack);
      path.pop();
      if (failure) return failure;
    }
    out.text += ']';
  } else {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).sort();
    let first = true;
    out.text += '{';
    for (const key of keys) {
      const child = record[key];
      if (child === undefined) continue;
      if (!first) out.text += ',';
      first = false;
      path.push(key);
      if (hasLoneSurrogate(key)) return failAt('lone surrogate in key', path);
      out.text += `${quote(key)}:`;
      const failure = write(child, path, out, stack);
      path.pop();
      if (failure) return failure;
    }
    out.text += '}';
  }
  stack.pop();
  return undefined;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: JSON escapes exactly these control characters.
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** JSON string quoting; strings needing no escape (the usual case) skip `JSON.stringify`. */
function quote(text: string): string {
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : `"${text}"`;
}

function hasLoneSurrogate(text: string): boolean {
  // The cheap scan rules out almost every string before the look-around regex runs.
  if (!/[\uD800-\uDFFF]/.test(text)) return false;
  return /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
}
