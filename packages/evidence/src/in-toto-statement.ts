import { z } from 'zod';
import { canonicalJson } from './canonical-json.js';
import { type DsseEnvelope, type DsseSigner, IN_TOTO_PAYLOAD_TYPE, signEnvelope } from './dsse.js';
import { type EvidenceError, evidenceError } from './evidence-error.js';
import { type EvidenceResult, errResult, okResult } from './evidence-result.js';
import { issuesFromZod } from './parse-bundle.js';
import type { PromotionBundle } from './schema/bundle-schema.js';

/** The in-toto statement type this package writes. */
export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';

/** The predicate type of a hotfix-release evidence bundle. */
export const EVIDENCE_PREDICATE_TYPE = 'https://hotfix-release.dev/evidence/v1';

/** An in-toto Statement v1 whose predicate is an evidence bundle (kept as raw JSON). */
export const inTotoStatementSchema = z.object({
  _type: z.literal(STATEMENT_TYPE),
  subject: z
    .array(
      z.object({
        name: z.string().min(1).max(1000),
        digest: z.record(z.string().regex(/^[a-zA-Z0-9]+$/), z.string().regex(/^[0-9a-f]+$/)),
      }),
    )
    .min(1)
    .max(100),
  predicateType: z.string().min(1).max(1000),
  // Kept as the raw value (not copied by zod) so digests cover unknown fields and `__proto__` keys stay inert.
  predicate: z.unknown().refine((v) => typeof v === 'object' && v !== null && !Array.isArray(v), 'expected an object'),
});

/** An in-toto Statement v1. */
export type InTotoStatement = z.infer<typeof inTotoStatementSchema>;

/**
 * One subject per promoted target: name `<project>@<release branch>`, digest the release head after the
 * pick (`gitCommit` for SHA-1, `sha256` for SHA-256 repositories). Targets without a pick record are skipped.
 *
 * @example
 * ```ts
 * statementSubjects(bundle); // [{ name: 'fleet/api@release', digest: { gitCommit: '…' } }]
 * ```
 */
export function statementSubjects(bundle: PromotionBundle): InTotoStatement['subject'] {
  const subjects: InTotoStatement['subject'] = [];
  for (const project of bundle.promotedTargets) {
    const pick = bundle.targets.find((t) => t.project === project)?.pick;
    if (!pick) continue;
    const algo = pick.headAfter.length === 64 ? 'sha256' : 'gitCommit';
    subjects.push({ name: `${project}@${pick.releaseBranch}`, digest: { [algo]: pick.headAfter } });
  }
  return subjects;
}

/**
 * Wraps a bundle in an in-toto Statement v1 with predicate type {@link EVIDENCE_PREDICATE_TYPE}.
 *
 * Errors: `invalid-statement` when no target was promoted (a statement needs a subject).
 */
export function toStatement(bundle: PromotionBundle): EvidenceResult<InTotoStatement, EvidenceError> {
  const subject = statementSubjects(bundle);
  if (subject.length === 0) {
    return errResult(
      evidenceError('invalid-statement', 'no promoted target with a pick record: nothing to attest', {
        issues: [{ pointer: '/promotedTargets', message: 'no promoted target' }],
      }),
    );
  }
  return okResult({ _type: STATEMENT_TYPE, subject, predicateType: EVIDENCE_PREDICATE_TYPE, predicate: bundle });
}

/**
 * Builds the statement for a bundle and signs its canonical JSON as a DSSE envelope.
 *
 * Errors: `invalid-statement`, `not-canonicalizable`, `invalid-key`.
 *
 * @example
 * ```ts
 * const env = signBundle(sealed, { privateKey });
 * if (env.isOk()) writeFileSync('evidence.dsse.json', JSON.stringify(env.value));
 * ```
 */
export function signBundle(bundle: PromotionBundle, signer: DsseSigner): EvidenceResult<DsseEnvelope, EvidenceError> {
  const statement = toStatement(bundle);
  if (!statement.isOk()) return errResult(statement.error);
  const text = canonicalJson(statement.value);
  if (!text.isOk()) return errResult(text.error);
  return signEnvelope(Buffer.from(text.value, 'utf8'), IN_TOTO_PAYLOAD_TYPE, signer);
}

/**
 * Reads an in-toto statement from payload bytes (after or without verification).
 *
 * Errors: `invalid-statement` (not JSON, or not a Statement v1, naming the field).
 *
 * @example
 * ```ts
 * const st = parseStatement(verified.payload);
 * if (st.isOk()) parseBundle(st.value.predicate);
 * ```
 */
export function parseStatement(payload: Uint8Array | string): EvidenceResult<InTotoStatement, EvidenceError> {
  let json: unknown;
  try {
    json = JSON.parse(typeof payload === 'string' ? payload : Buffer.from(payload).toString('utf8'));
  } catch {
    return errResult(evidenceError('invalid-statement', 'payload is not JSON', { issues: [] }));
  }
  const parsed = inTotoStatementSchema.safeParse(json);
  if (!parsed.success) {
    return errResult(
      evidenceError('invalid-statement', 'not an in-toto Statement v1', { issues: issuesFromZod(parsed.error) }),
    );
  }
  return okResult(parsed.data);
}
