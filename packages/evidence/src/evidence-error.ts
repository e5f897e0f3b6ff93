/**
 * One schema problem, located by a JSON Pointer (RFC 6901) into the checked value.
 *
 * @example
 * ```ts
 * const issue: BundleIssue = { pointer: '/targets/0/pipeline/id', message: 'Expected number' };
 * ```
 */
export interface BundleIssue {
  /** Where the problem is, e.g. `/targets/0/pipeline/inputs/action`; `''` is the whole value. */
  readonly pointer: string;
  /** What is wrong, in one line. */
  readonly message: string;
}

/**
 * Every error this package returns, keyed by a stable kebab-case `code`.
 *
 * @example
 * ```ts
 * const e: EvidenceError = { code: 'signature-invalid', message: 'no signature verified' };
 * console.log(describeEvidenceError(e));
 * ```
 */
export type EvidenceError =
  | { readonly code: 'invalid-bundle'; readonly message: string; readonly issues: readonly BundleIssue[] }
  | { readonly code: 'unsupported-schema-version'; readonly message: string; readonly schemaVersion: string }
  | { readonly code: 'not-canonicalizable'; readonly message: string; readonly pointer: string }
  | { readonly code: 'invalid-envelope'; readonly message: string; readonly issues: readonly BundleIssue[] }
  | { readonly code: 'invalid-key'; readonly message: string }
  | { readonly code: 'signature-invalid'; readonly message: string }
  | { readonly code: 'invalid-statement'; readonly message: string; readonly issues: readonly BundleIssue[] }
  | { readonly code: 'journal-io'; readonly message: string; readonly path: string; readonly cause?: unknown }
  | {
      readonly code: 'journal-corrupt';
      readonly message: string;
      readonly path: string;
      readonly issues: readonly BundleIssue[];
    }
  | { readonly code: 'invalid-journal-entry'; readonly message: string; readonly issues: readonly BundleIssue[] }
  | { readonly code: 'secret-detected'; readonly message: string; readonly pointers: readonly string[] };

/**
 * The `code` of an {@link EvidenceError}.
 *
 * @example
 * ```ts
 * const code: EvidenceErrorCode = 'invalid-bundle';
 * ```
 */
export type EvidenceErrorCode = EvidenceError['code'];

/**
 * Renders any {@link EvidenceError} as one human line naming its code.
 *
 * @example
 * ```ts
 * describeEvidenceError({ code: 'invalid-key', message: 'not an ed25519 key' });
 * // 'invalid-key: not an ed25519 key'
 * ```
 */
export function describeEvidenceError(error: EvidenceError): string {
  switch (error.code) {
    case 'invalid-bundle':
    case 'invalid-envelope':
    case 'invalid-statement':
    case 'invalid-journal-entry':
      return `${error.code}: ${error.message}${formatIssues(error.issues)}`;
    case 'journal-corrupt':
      return `${error.code}: ${error.path}: ${error.message}${formatIssues(error.issues)}`;
    case 'journal-io':
      return `${error.code}: ${error.path}: ${error.message}`;
    case 'unsupported-schema-version':
      return `${error.code}: ${error.message} (got ${error.schemaVersion})`;
    case 'not-canonicalizable':
      return `${error.code}: ${error.message} at ${error.pointer || '/'}`;
    case 'secret-detected':
      return `${error.code}: ${error.message} at ${error.pointers.join(', ')}`;
    case 'signature-invalid':
    case 'invalid-key':
      return `${error.code}: ${error.message}`;
  }
}

function formatIssues(issues: readonly BundleIssue[]): string {
  if (issues.length === 0) return '';
  const shown = issues.slice(0, 5).map((i) => `${i.pointer || '/'}: ${i.message}`);
  const more = issues.length > 5 ? `; and ${issues.length - 5} more` : '';
  return ` (${shown.join('; ')}${more})`;
}
