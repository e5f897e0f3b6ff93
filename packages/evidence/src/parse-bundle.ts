import type { z } from 'zod';
import { type ErrorIssue, type EvidenceError, evidenceError } from './evidence-error.js';
import { type EvidenceResult, errResult, okResult } from './evidence-result.js';
import { toJsonPointer } from './json-pointer.js';
import { type PromotionBundle, promotionBundleSchema, READABLE_MAJORS } from './schema/bundle-schema.js';

/** Maps zod issues to {@link ErrorIssue}s located by JSON Pointer. Internal helper. */
export function issuesFromZod(error: z.ZodError): ErrorIssue[] {
  return error.issues.map((issue) => ({ pointer: toJsonPointer(issue.path), message: issue.message }));
}

/**
 * Validates an unknown value (e.g. `JSON.parse` output) as a {@link PromotionBundle}.
 *
 * Errors: `unsupported-schema-version` when the major version is not one of {@link READABLE_MAJORS}
 * (this one and the one before);
 * `invalid-bundle` with one issue per problem, each naming its JSON Pointer.
 *
 * @example
 * ```ts
 * const r = parseBundle(JSON.parse(text));
 * if (r.isErr()) console.error(describeError(r.error));
 * ```
 * @see E1–E8 (the records this schema holds)
 */
export function parseBundle(value: unknown): EvidenceResult<PromotionBundle, EvidenceError> {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const version = (value as { schemaVersion?: unknown }).schemaVersion;
    if (typeof version === 'string') {
      const major = /^(\d+)\.\d+\.\d+$/.exec(version)?.[1];
      if (major !== undefined && !READABLE_MAJORS.includes(Number(major))) {
        return errResult(
          evidenceError(
            'unsupported-schema-version',
            `this reader understands schema ${READABLE_MAJORS.map((m) => `${m}.x.y`).join(' and ')} only`,
            { schemaVersion: version.slice(0, 50) },
          ),
        );
      }
    }
  }
  let parsed: ReturnType<typeof promotionBundleSchema.safeParse>;
  try {
    parsed = promotionBundleSchema.safeParse(value);
  } catch (cause) {
    return errResult(
      evidenceError('invalid-bundle', 'the value could not be validated', {
        issues: [{ pointer: '', message: cause instanceof Error ? cause.message : 'validation threw' }],
      }),
    );
  }
  if (!parsed.success) {
    const issues = issuesFromZod(parsed.error);
    return errResult(evidenceError('invalid-bundle', `${issues.length} schema problem(s)`, { issues }));
  }
  return okResult(parsed.data);
}
