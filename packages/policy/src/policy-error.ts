import type { BundleIssue } from '@hotfix-release/evidence';

/**
 * Every configuration error of the policy (exit code 3), keyed by a stable kebab-case `code`.
 *
 * @example
 * ```ts
 * const e: PolicyError = { code: 'unknown-control', message: 'no control E9', controlId: 'E9', pointer: '/waivers/0/control' };
 * ```
 */
export type PolicyError =
  | { readonly code: 'invalid-options'; readonly message: string; readonly issues: readonly BundleIssue[] }
  | { readonly code: 'invalid-waivers'; readonly message: string; readonly issues: readonly BundleIssue[] }
  | { readonly code: 'invalid-policy-file'; readonly message: string; readonly issues: readonly BundleIssue[] }
  | { readonly code: 'waivers-not-authorized'; readonly message: string; readonly pointer: string }
  | { readonly code: 'unknown-control'; readonly message: string; readonly controlId: string; readonly pointer: string }
  | {
      readonly code: 'control-not-waivable';
      readonly message: string;
      readonly controlId: string;
      readonly pointer: string;
      readonly runbookRef: string;
    }
  | { readonly code: 'invalid-trusted-key'; readonly message: string; readonly pointer: string };

/**
 * The `code` of a {@link PolicyError}.
 *
 * @example
 * ```ts
 * const c: PolicyErrorCode = 'invalid-waivers';
 * ```
 */
export type PolicyErrorCode = PolicyError['code'];

/**
 * Renders any {@link PolicyError} as one human line naming its code.
 *
 * @example
 * ```ts
 * describePolicyError({ code: 'invalid-trusted-key', message: 'not ed25519', pointer: '/trustedKeys/0' });
 * // 'invalid-trusted-key: not ed25519 at /trustedKeys/0'
 * ```
 */
export function describePolicyError(error: PolicyError): string {
  switch (error.code) {
    case 'invalid-options':
    case 'invalid-policy-file':
    case 'invalid-waivers': {
      const issues = error.issues.slice(0, 5).map((i) => `${i.pointer || '/'}: ${i.message}`);
      return `${error.code}: ${error.message}${issues.length ? ` (${issues.join('; ')})` : ''}`;
    }
    case 'unknown-control':
    case 'waivers-not-authorized':
    case 'invalid-trusted-key':
      return `${error.code}: ${error.message} at ${error.pointer}`;
    case 'control-not-waivable':
      return `${error.code} [${error.runbookRef}]: ${error.message} at ${error.pointer}`;
  }
}
