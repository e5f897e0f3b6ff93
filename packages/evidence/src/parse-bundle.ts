import type { z } from 'zod';
import { type ErrorIssue, type EvidenceError, evidenceError } from './evidence-error.js';
import { type EvidenceResult, errResult, okResult } from './evidence-result.js';
import { toJsonPointer } from './json-pointer.js';
import { legacyBundleSchema, normalizeBundle } from './normalize-bundle.js';
import {
  hotfixKey,
  hotfixRef,
  type PromotionBundle,
  projectKey,
  promotionBundleSchema,
  READABLE_MAJORS,
} from './schema/bundle-schema.js';

/** Maps zod issues to {@link ErrorIssue}s located by JSON Pointer. Internal helper. */
export function issuesFromZod(error: z.ZodError): ErrorIssue[] {
  return error.issues.map((issue) => ({ pointer: toJsonPointer(issue.path), message: issue.message }));
}

/**
 * Validates an unknown value (e.g. `JSON.parse` output) as a {@link PromotionBundle}. A 1.x or 2.x bundle is
 * validated against its own schema and returned in the 3.x shape (see `normalizeBundle`); a 3.x bundle
 * must also be consistent: every target names one of its `hotfixes`, and no MR or target is listed twice
 * (whether `promotedTargets` is right is the policy's `promoted-targets` control).
 *
 * Errors: `unsupported-schema-version` when the major version is not one of {@link READABLE_MAJORS}
 * (this one and the two before);
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
  const major = readMajor(value);
  let parsed: ReturnType<typeof promotionBundleSchema.safeParse> | ReturnType<typeof legacyBundleSchema.safeParse>;
  try {
    parsed = major === 1 || major === 2 ? legacyBundleSchema.safeParse(value) : promotionBundleSchema.safeParse(value);
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
  const bundle = normalizeBundle(parsed.data);
  const issues = consistencyIssues(bundle);
  if (issues.length > 0)
    return errResult(evidenceError('invalid-bundle', `${issues.length} schema problem(s)`, { issues }));
  return okResult(bundle);
}

function readMajor(value: unknown): number | undefined {
  const v =
    typeof value === 'object' && value !== null ? (value as { schemaVersion?: unknown }).schemaVersion : undefined;
  const m = typeof v === 'string' ? /^(\d+)\./.exec(v)?.[1] : undefined;
  return m === undefined ? undefined : Number(m);
}

/** D4: what the schema alone cannot say: every hotfix reference resolves, no MR or target twice. */
function consistencyIssues(b: PromotionBundle): ErrorIssue[] {
  const issues: ErrorIssue[] = [];
  const refs = b.hotfixes.map((h) => hotfixRef(h.mr));
  // Twice means one MR or project however its path is cased (GitLab's paths are case-insensitive).
  const keys = b.hotfixes.map((h) => hotfixKey(h.mr));
  for (const [i, ref] of refs.entries())
    if (keys.indexOf(keys[i] as string) !== i)
      issues.push({ pointer: `/hotfixes/${i}/mr`, message: `${ref} is listed twice` });
  const projects = b.targets.map((t) => projectKey(t.project));
  for (const [i, t] of b.targets.entries()) {
    if (!refs.includes(t.hotfix))
      issues.push({ pointer: `/targets/${i}/hotfix`, message: `${t.hotfix} is not one of the bundle's hotfixes` });
    if (projects.indexOf(projectKey(t.project)) !== i)
      issues.push({ pointer: `/targets/${i}/project`, message: `${t.project} is listed twice` });
  }
  return issues;
}
