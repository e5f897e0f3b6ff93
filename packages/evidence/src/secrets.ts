import { createHash } from 'node:crypto';
import { type EvidenceError, evidenceError } from './evidence-error.js';
import { type EvidenceResult, errResult, okResult } from './evidence-result.js';
import { toJsonPointer } from './json-pointer.js';

/**
 * GitLab token prefixes (personal, project/group, OAuth, deploy, runner, CI job, trigger, feed, mail,
 * agent, SCIM, feature-flag) plus HTTP credential forms. A bundle must contain none of them.
 */
const TOKEN_PATTERNS: readonly RegExp[] = [
  /\b(?:glpat|glptt|gloas|gldt|glrt|glcbt|glft|glimt|glagent|glsoat|glffct|glrtr|glwt)-[A-Za-z0-9_.-]{8,}/,
  /\bBearer\s+[A-Za-z0-9._~+/-]{16,}/i,
  /\bPRIVATE-TOKEN\s*[:=]/i,
  /^https?:\/\/[^/\s@]+:[^/\s@]+@/,
  /[?&](?:private_token|access_token|job_token)=/i,
];

/** Options for {@link findSecrets}: extra literal values (e.g. the configured token) that must never appear. */
export interface SecretScanOptions {
  /** Exact values to look for anywhere in strings and keys; empty strings are ignored. */
  readonly sentinels?: readonly string[];
}

/**
 * Lists the JSON Pointers of every string (value or key) that looks like a token or contains a sentinel.
 *
 * @example
 * ```ts
 * findSecrets({ note: 'glpat-abcdefghijklmnop' }); // ['/note']
 * ```
 */
export function findSecrets(value: unknown, options: SecretScanOptions = {}): string[] {
  const sentinels = (options.sentinels ?? []).filter((s) => s.length > 0);
  const found: string[] = [];
  const looksSecret = (text: string) =>
    TOKEN_PATTERNS.some((p) => p.test(text)) || sentinels.some((s) => text.includes(s));
  const path: PropertyKey[] = [];
  const stack = new Set<object>();
  const walk = (node: unknown): void => {
    if (typeof node === 'string') {
      if (looksSecret(node)) found.push(toJsonPointer(path));
      return;
    }
    if (typeof node !== 'object' || node === null || stack.has(node) || path.length > 512) return;
    stack.add(node);
    for (const [key, child] of Object.entries(node)) {
      path.push(key);
      if (looksSecret(key)) found.push(toJsonPointer(path));
      walk(child);
      path.pop();
    }
    stack.delete(node);
  };
  walk(value);
  return found;
}

/**
 * Asserts that a bundle (or any JSON value) carries no token-like value and no sentinel.
 *
 * Errors: `secret-detected` with the JSON Pointers (never the values).
 *
 * @example
 * ```ts
 * const r = assertNoSecrets(bundle, { sentinels: [process.env.GITLAB_TOKEN ?? ''] });
 * if (r.isErr()) console.error(describeError(r.error));
 * ```
 */
export function assertNoSecrets(value: unknown, options: SecretScanOptions = {}): EvidenceResult<void, EvidenceError> {
  const pointers = findSecrets(value, options);
  if (pointers.length === 0) return okResult(undefined);
  return errResult(evidenceError('secret-detected', `${pointers.length} token-like value(s) found`, { pointers }));
}

/**
 * A pipeline variable as evidence records it: a guided input in clear, any other variable as its key and
 * the sha256 of its value, so a secret passed as a variable never reaches evidence yet a change is visible.
 *
 * @see E2
 */
export type RecordedVariable =
  | { readonly key: string; readonly value: string }
  | { readonly key: string; readonly sha256: string };

/**
 * Records pipeline variables for evidence: only the guided inputs (by key, compared case-insensitively)
 * keep their value in clear; every other value is replaced by `sha256:<hex>` of its UTF-8 bytes.
 *
 * @see E2, S4
 */
export function recordVariables(
  variables: readonly { readonly key: string; readonly value: string }[],
  guidedKeys: readonly string[],
): RecordedVariable[] {
  const guided = new Set(guidedKeys.map((k) => k.toLowerCase()));
  return variables.map((v) =>
    guided.has(v.key.toLowerCase())
      ? { key: v.key, value: v.value }
      : { key: v.key, sha256: `sha256:${createHash('sha256').update(v.value, 'utf8').digest('hex')}` },
  );
}
