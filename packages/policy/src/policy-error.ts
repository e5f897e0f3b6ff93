import type { ErrorIssue, ErrorShape } from '@hotfix-release/evidence';
import type { ControlId } from './control-catalog.js';

/** The typed context of each policy configuration error code (exit code 3). */
export interface PolicyErrorDetails {
  /** The check options or inputs do not match their schema. */
  'invalid-options': { readonly issues: readonly ErrorIssue[] };
  /** The waiver file is not JSON or does not match its schema. */
  'invalid-waivers': { readonly issues: readonly ErrorIssue[] };
  /** The gate's policy file is not JSON or does not match its schema. */
  'invalid-policy-file': { readonly issues: readonly ErrorIssue[] };
  /**
   * The gate's expectations disagree among their sources: the caller (`--mr`, `--mrs-file`) and the policy file's
   * `expected.mrs` name different sets of merge requests, or the pipeline's own MR is not among the file's (D4).
   */
  'conflicting-expectations': { readonly issues: readonly ErrorIssue[] };
  /** Waivers that carry no authority: unsigned by a trusted key and not read from a protected ref, or approved by the MR's author. */
  'waivers-not-authorized': { readonly pointer: string };
  /** A waiver names a control the catalog does not have. */
  'unknown-control': { readonly controlId: string; readonly pointer: string };
  /** A waiver names a control that may not be waived. */
  'control-not-waivable': { readonly controlId: ControlId; readonly pointer: string };
  /** A trusted key is unreadable or not ed25519. */
  'invalid-trusted-key': { readonly pointer: string };
}

/** The `code` of a {@link PolicyError}. */
export type PolicyErrorCode = keyof PolicyErrorDetails;

/** Every configuration error of the policy: the one error shape, keyed by `code`. */
export type PolicyError = { [C in PolicyErrorCode]: ErrorShape<C, PolicyErrorDetails[C]> }[PolicyErrorCode];

/** Builds a policy error of the given code; `runbookRef` only where a runbook step is at stake. */
export function policyError<C extends PolicyErrorCode>(
  code: C,
  message: string,
  details: PolicyErrorDetails[C],
  runbookRef?: ErrorShape['runbookRef'],
): Extract<PolicyError, { code: C }> {
  return { code, message, runbookRef, details } as unknown as Extract<PolicyError, { code: C }>;
}
