import {
  type DsseEnvelope,
  type DsseSigner,
  type DsseTrustedKey,
  describeError,
  type EvidenceError,
  gitShaSchema,
  hotfixKey,
  hotfixRef,
  isoUtcSchema,
  isRunbookId,
  type PromotionBundle,
  projectKey,
  projectPathSchema,
  signEnvelope,
  toJsonPointer,
  verifyEnvelope,
} from '@hotfix-release/evidence';
import { err, ok, type Result } from 'neverthrow';
import { z } from 'zod';
import { type ControlId, controlDefinition, isControlId } from './control-catalog.js';
import type { ControlResult } from './control-result.js';
import { type PolicyError, policyError } from './policy-error.js';

/**
 * The waiver file: a version and a list of waivers, each naming a control, a scope (project, MR as
 * `group/project!iid`, commit; every given field must match), a reason, an approver and an expiry.
 */
export const waiverFileSchema = z.object({
  version: z.literal(1),
  waivers: z
    .array(
      z.object({
        control: z.string().min(1).max(100),
        scope: z
          .object({
            project: projectPathSchema.optional(),
            mr: z
              .string()
              .regex(/^[A-Za-z0-9_.\-/]+!\d+$/, 'expected group/project!iid')
              .optional(),
            commit: gitShaSchema.optional(),
          })
          .refine(
            (s) => s.project !== undefined || s.mr !== undefined || s.commit !== undefined,
            'a waiver needs a scope',
          ),
        reason: z.string().min(10, 'give a reason of at least 10 characters').max(2000),
        approver: z.string().min(1).max(255),
        expiresAt: isoUtcSchema,
      }),
    )
    .max(500),
});

/** One waiver. */
export type Waiver = z.infer<typeof waiverFileSchema>['waivers'][number] & { readonly control: ControlId };

/**
 * Parses a waiver file (text or parsed JSON).
 *
 * Errors (exit 3): `invalid-waivers` naming the field, `unknown-control`, `control-not-waivable`.
 * @see E6, E7, E8
 */
export function parseWaivers(input: unknown): Result<readonly Waiver[], PolicyError> {
  let json = input;
  if (typeof input === 'string') {
    try {
      json = JSON.parse(input);
    } catch {
      return err(policyError('invalid-waivers', 'the waiver file is not JSON', { issues: [] }));
    }
  }
  const parsed = waiverFileSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ pointer: toJsonPointer(i.path), message: i.message }));
    return err(policyError('invalid-waivers', 'the waiver file does not match its schema', { issues }));
  }
  const waivers: Waiver[] = [];
  for (const [i, w] of parsed.data.waivers.entries()) {
    const pointer = `/waivers/${i}/control`;
    if (!isControlId(w.control))
      return err(
        policyError('unknown-control', `no control "${w.control}" in the catalog`, { controlId: w.control, pointer }),
      );
    const def = controlDefinition(w.control);
    if (!def.waivable) {
      const ref = isRunbookId(def.runbookRef) ? def.runbookRef : undefined;
      return err(
        policyError(
          'control-not-waivable',
          `control ${w.control} may not be waived`,
          { controlId: w.control, pointer },
          ref,
        ),
      );
    }
    waivers.push({ ...w, control: w.control });
  }
  return ok(waivers);
}

/**
 * The DSSE payload type of a signed waiver file.
 *
 * @see E6, E7, E8
 */
export const WAIVERS_PAYLOAD_TYPE = 'application/vnd.hotfix-release.waivers+json';

/**
 * Signs a waiver file (its exact text) into a DSSE envelope with an ed25519 key the gate trusts. The text
 * is checked first, so a signed file is always one the gate can read.
 *
 * Errors: `invalid-waivers`, `unknown-control`, `control-not-waivable` (the file), `invalid-waivers` with the
 * key's message when the key cannot sign.
 *
 * @see E6, E7, E8
 */
export function signWaivers(text: string, signer: DsseSigner): Result<DsseEnvelope, PolicyError> {
  const parsed = parseWaivers(text);
  if (parsed.isErr()) return err(parsed.error);
  const env = signEnvelope(Buffer.from(text, 'utf8'), WAIVERS_PAYLOAD_TYPE, signer);
  if (!env.isOk()) return err(policyError('invalid-waivers', describeError(env.error), { issues: [] }));
  return ok(env.value);
}

function looksLikeEnvelope(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'payloadType' in value && 'signatures' in value;
}

/**
 * Waivers with authority: the file must be a DSSE envelope of a waiver file signed by a trusted key, or
 * have been read live from a protected ref (`source: 'protected-ref'`); no waiver may be approved by the
 * MR's author. A waiver file added in the MR under review has neither, and is refused. Internal.
 */
export function authorizedWaivers(
  input: unknown,
  source: 'file' | 'protected-ref',
  trustedKeys: readonly DsseTrustedKey[],
  mrAuthors: readonly string[],
): Result<readonly Waiver[], PolicyError> {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch {
      return err(policyError('invalid-waivers', 'the waiver file is not JSON', { issues: [] }));
    }
  }
  let waivers: Result<readonly Waiver[], PolicyError>;
  if (looksLikeEnvelope(value)) {
    if (trustedKeys.length === 0)
      return err(
        policyError(
          'waivers-not-authorized',
          'the waiver file is signed but no trusted key is configured to verify it',
          { pointer: '/signatures' },
        ),
      );
    const v = verifyEnvelope(value, trustedKeys);
    if (!v.isOk())
      return err(
        policyError(
          'waivers-not-authorized',
          `the waiver signature does not verify with a trusted key: ${describe(v.error)}`,
          { pointer: '/signatures' },
        ),
      );
    if (v.value.payloadType !== WAIVERS_PAYLOAD_TYPE)
      return err(
        policyError(
          'waivers-not-authorized',
          `the signed payload is ${v.value.payloadType}, not a waiver file (${WAIVERS_PAYLOAD_TYPE})`,
          { pointer: '/payloadType' },
        ),
      );
    waivers = parseWaivers(v.value.payload.toString('utf8'));
  } else {
    // Read the file first so a malformed one is reported as such; then refuse it without authority.
    waivers = parseWaivers(value);
    if (waivers.isErr() || source === 'protected-ref')
      return waivers.isErr() ? waivers : withAuthor(waivers, mrAuthors);
    return err(
      policyError(
        'waivers-not-authorized',
        'the waiver file is neither signed by a trusted key nor read from a protected ref: a waiver added in the merge request under review has no authority',
        { pointer: '' },
      ),
    );
  }
  return withAuthor(waivers, mrAuthors);
}

function withAuthor(
  waivers: Result<readonly Waiver[], PolicyError>,
  mrAuthors: readonly string[],
): Result<readonly Waiver[], PolicyError> {
  if (waivers.isErr() || mrAuthors.length === 0) return waivers;
  const i = waivers.value.findIndex((w) => mrAuthors.includes(w.approver));
  if (i >= 0)
    return err(
      policyError(
        'waivers-not-authorized',
        `waiver ${i} is approved by ${waivers.value[i]?.approver}, who authored the merge request (GitLab, read live): the approver must be someone else`,
        { pointer: `/waivers/${i}/approver` },
      ),
    );
  return waivers;
}

function describe(e: EvidenceError): string {
  return describeError(e);
}

function matches(w: Waiver, r: ControlResult, bundle: PromotionBundle | undefined): boolean {
  if (w.control !== r.id || !bundle) return false;
  const target = bundle.targets.find((t) => t.project === r.target);
  // Scopes name projects and MRs as GitLab does, by identity: `Group/Project` is `group/project`.
  // A target's result is scoped by that target's hotfix; a bundle-wide result only when EVERY hotfix of the
  // bundle is in the waiver's scope (a waiver for one repository's MR never waives another's).
  const hotfixes = target ? bundle.hotfixes.filter((h) => hotfixRef(h.mr) === target.hotfix) : bundle.hotfixes;
  const projects = r.target !== null ? [r.target] : hotfixes.map((h) => h.mr.project);
  const { project, mr } = w.scope;
  if (project !== undefined && !projects.every((p) => projectKey(p) === projectKey(project))) return false;
  if (mr !== undefined && !hotfixes.every((h) => hotfixKey(h.mr) === hotfixKey(mr))) return false;
  if (w.scope.commit !== undefined) {
    const shas = [
      ...hotfixes.flatMap((h) => h.commits.map((c) => c.sha)),
      ...(target?.pick?.picks.map((p) => p.pickedSha) ?? []),
    ];
    if (!shas.includes(w.scope.commit)) return false;
  }
  return true;
}

/**
 * Applies waivers to results: a matching, unexpired waiver turns a `fail` or an `unverified` into `waived`; a matching
 * expired waiver makes the result `fail` (unless it is an `error`), so stale waivers are renewed or removed.
 * Internal (used by `checkBundles`).
 */
export function applyWaivers(
  results: readonly ControlResult[],
  waivers: readonly Waiver[],
  bundle: PromotionBundle | undefined,
  nowMs: number,
): ControlResult[] {
  return results.map((r) => {
    const matching = waivers.filter((w) => matches(w, r, bundle));
    if (matching.length === 0) return r;
    const live = matching.find((w) => Date.parse(w.expiresAt) > nowMs);
    const info = (w: Waiver, expired: boolean) => ({
      approver: w.approver,
      reason: w.reason,
      expiresAt: w.expiresAt,
      expired,
    });
    if (live) {
      // A waiver covers an unverified result like a failed one (only waivable controls can be waived).
      return r.status === 'fail' || r.status === 'unverified'
        ? {
            ...withoutAccepted(r),
            status: 'waived' as const,
            message: `waived by ${live.approver} until ${live.expiresAt}: ${live.reason} (was: ${r.message})`,
            waiver: info(live, false),
          }
        : r;
    }
    const expired = matching[0] as Waiver;
    if (r.status === 'error') return r;
    return {
      ...withoutAccepted(r),
      status: 'fail' as const,
      message: `waiver by ${expired.approver} expired at ${expired.expiresAt} (${r.status}: ${r.message})`,
      waiver: info(expired, true),
    };
  });
}

/** A result without the `accepted` mark, which belongs only to `unverified`. Internal. */
function withoutAccepted(r: ControlResult): ControlResult {
  const { accepted: _accepted, ...rest } = r;
  return rest;
}
