/**
 * The one error dialect of hotfix-release, and this package's errors in it. Every package
 * (sdk, evidence, policy, and the CLI's problem details) returns errors of one shape:
 * `code`, `message`, `runbookRef`, `details`, with locations inside a checked value given as
 * JSON Pointers (RFC 6901). This package is the lowest one, so the shape and its one renderer,
 * {@link describeError}, live here and the others reuse them.
 */
import type { RunbookId } from './runbook.js';

/** One problem located by a JSON Pointer (RFC 6901) into the checked value. */
export interface ErrorIssue {
  /** Where the problem is, e.g. `/targets/0/pipeline/inputs/action`; `''` is the whole value. */
  readonly pointer: string;
  /** What is wrong, in one line. */
  readonly message: string;
}

/**
 * The shape every error of every package has. Branch on `code`, never on `message`. A location
 * inside a value is a JSON Pointer: `details.pointer`, `details.pointers` or `details.issues`;
 * `details.path` is always a file path.
 */
export interface ErrorShape<C extends string = string, D extends object = object> {
  /** Stable kebab-case code. */
  readonly code: C;
  /** One human sentence saying what happened. */
  readonly message: string;
  /** The runbook ID this error relates to, when one does. */
  readonly runbookRef: RunbookId | undefined;
  /** Typed context for this code (`{}` when there is none). */
  readonly details: D;
}

/** The context of an error that has none beyond its message. */
export type NoDetails = Readonly<Record<string, never>>;

/** The typed context of each evidence error code. */
export interface EvidenceErrorDetails {
  /** A bundle does not match the evidence schema. */
  'invalid-bundle': { readonly issues: readonly ErrorIssue[] };
  /** A bundle's `schemaVersion` has a major this reader does not read. */
  'unsupported-schema-version': { readonly schemaVersion: string };
  /** A value has no canonical JSON form (non-finite number, cycle, too deep…). */
  'not-canonicalizable': { readonly pointer: string };
  /** A DSSE envelope is malformed. */
  'invalid-envelope': { readonly issues: readonly ErrorIssue[] };
  /** A signing or verification key is unreadable or not ed25519. */
  'invalid-key': NoDetails;
  /** No signature of a trusted key verifies. */
  'signature-invalid': NoDetails;
  /** An in-toto Statement is malformed or has nothing to attest. */
  'invalid-statement': { readonly issues: readonly ErrorIssue[] };
  /** The journal file could not be read or written. */
  'journal-io': { readonly path: string };
  /** The journal file is not an evidence journal. */
  'journal-corrupt': { readonly path: string; readonly issues: readonly ErrorIssue[] };
  /** A journal entry does not match its schema or its header. */
  'invalid-journal-entry': { readonly issues: readonly ErrorIssue[] };
  /** A token-like value was found where evidence must hold none. */
  'secret-detected': { readonly pointers: readonly string[] };
}

/** The `code` of an {@link EvidenceError}. */
export type EvidenceErrorCode = keyof EvidenceErrorDetails;

/** Every error this package returns: the one {@link ErrorShape}, keyed by `code`. */
export type EvidenceError = {
  [C in EvidenceErrorCode]: ErrorShape<C, EvidenceErrorDetails[C]> & {
    /** The I/O error underneath (`journal-io` only). */
    readonly cause?: unknown;
  };
}[EvidenceErrorCode];

/** Builds an evidence error of the given code; `runbookRef` only where a runbook step is at stake. */
export function evidenceError<C extends EvidenceErrorCode>(
  code: C,
  message: string,
  details: EvidenceErrorDetails[C],
  init: { readonly runbookRef?: RunbookId; readonly cause?: unknown } = {},
): Extract<EvidenceError, { code: C }> {
  const error = { code, message, runbookRef: init.runbookRef, details };
  const built = init.cause === undefined ? error : { ...error, cause: init.cause };
  return built as unknown as Extract<EvidenceError, { code: C }>;
}

/**
 * Renders any error of any package as one human line: `code [ref]: file: message` followed by
 * where, inside the value, the problem is (the first five issues, a pointer, or pointers).
 */
export function describeError(error: ErrorShape): string {
  const d = error.details as {
    readonly path?: unknown;
    readonly pointer?: unknown;
    readonly pointers?: unknown;
    readonly issues?: unknown;
  };
  const ref = error.runbookRef ? ` [${error.runbookRef}]` : '';
  const file = typeof d.path === 'string' ? `${d.path}: ` : '';
  return `${error.code}${ref}: ${file}${error.message}${where(d)}`;
}

function where(d: { readonly pointer?: unknown; readonly pointers?: unknown; readonly issues?: unknown }): string {
  if (Array.isArray(d.issues) && d.issues.length > 0) {
    const issues = d.issues as readonly ErrorIssue[];
    const shown = issues.slice(0, 5).map((i) => `${i.pointer || '/'}: ${i.message}`);
    const more = issues.length > 5 ? `; and ${issues.length - 5} more` : '';
    return ` (${shown.join('; ')}${more})`;
  }
  if (typeof d.pointer === 'string') return ` at ${d.pointer || '/'}`;
  if (Array.isArray(d.pointers) && d.pointers.length > 0) return ` at ${d.pointers.join(', ')}`;
  return '';
}
