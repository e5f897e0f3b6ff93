import {
  type DsseTrustedKey,
  describeError,
  findSecrets,
  type PromotionBundle,
  parseBundle,
  parseStatement,
  verifyEnvelope,
} from '@hotfix-release/evidence';
import { CONTROL_CATALOG, type ControlDefinition, type ControlId, controlDefinition } from './control-catalog.js';
import type { ControlOutcome, ControlResult } from './control-result.js';
import {
  checkClaims,
  checkDigest,
  checkPromotedTargets,
  checkSignature,
  checkSubject,
} from './controls/bundle-controls.js';
import {
  type ControlCheck,
  type ControlContext,
  type ExpectedValues,
  type IntegrityFacts,
  MissingExpectation,
  need,
  targetHotfix,
} from './controls/control-context.js';
import { checkE4, checkE5 } from './controls/deployment-controls.js';
import { checkE3 } from './controls/enumeration-controls.js';
import { checkFreshness, checkStepOrder } from './controls/order-controls.js';
import { checkE2 } from './controls/pipeline-controls.js';
import { checkE1 } from './controls/release-controls.js';
import { checkRollback } from './controls/rollback-controls.js';
import { checkE6, checkE7, checkE8, isGoverned } from './controls/validation-controls.js';

/** The check function of every synchronous control (bundle-schema is the parse itself; live-facts is async). */
const CHECKS: Record<Exclude<ControlId, 'bundle-schema' | 'live-facts'>, ControlCheck> = {
  'bundle-digest': checkDigest,
  'bundle-signature': checkSignature,
  'bundle-claims': checkClaims,
  'bundle-subject': checkSubject,
  'promoted-targets': checkPromotedTargets,
  E1: checkE1,
  E2: checkE2,
  E3: checkE3,
  E4: checkE4,
  E5: checkE5,
  E6: checkE6,
  E7: checkE7,
  E8: checkE8,
  'step-order': checkStepOrder,
  'evidence-freshness': checkFreshness,
  'rollback-records': checkRollback,
};

/** Engine configuration after option parsing. Internal. */
export interface EngineConfig {
  readonly expected: ExpectedValues;
  readonly trustedKeys: readonly DsseTrustedKey[];
  /** Signed or refused (CI). */
  readonly requireSignature: boolean;
  readonly nowMs: number;
  readonly maxEvidenceAgeMs: number;
  readonly futureSkewMs: number;
}

/** One input's evaluation: the typed bundle when it parsed, and the results. Internal. */
export interface BundleEvaluation {
  readonly name: string;
  readonly bundle: PromotionBundle | undefined;
  readonly digest: string | null;
  readonly results: ControlResult[];
}

/** Builds a full result from a catalog entry and an outcome. Internal. */
export function toResult(
  def: ControlDefinition,
  name: string,
  target: string | null,
  o: ControlOutcome,
): ControlResult {
  return {
    id: def.id,
    title: def.title,
    runbookRef: def.runbookRef,
    remediation: def.remediation,
    bundle: name,
    target,
    ...o,
  };
}

const schemaDef = controlDefinition('bundle-schema');

function unreadable(name: string, message: string, pointer = ''): BundleEvaluation {
  return {
    name,
    bundle: undefined,
    digest: null,
    results: [toResult(schemaDef, name, null, { status: 'error', message, pointer })],
  };
}

function looksLikeEnvelope(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'payloadType' in value && 'signatures' in value;
}

/** Decodes an input (bundle or DSSE envelope) into the raw bundle and integrity facts. Internal. */
function decode(
  value: unknown,
  config: EngineConfig,
): { ok: true; facts: IntegrityFacts } | { ok: false; message: string } {
  const keysConfigured = config.trustedKeys.length > 0;
  const signatureRequired = config.requireSignature;
  if (!looksLikeEnvelope(value))
    return { ok: true, facts: { raw: value, keysConfigured, signatureRequired, envelope: null } };
  const env = value as { payload?: unknown; payloadType?: unknown };
  let verification: { ok: true; keyid: string } | { ok: false; message: string } | null = null;
  if (keysConfigured) {
    const v = verifyEnvelope(value, config.trustedKeys);
    if (!v.isOk() && v.error.code !== 'signature-invalid') return { ok: false, message: describeError(v.error) };
    verification = v.isOk() ? { ok: true, keyid: v.value.keyid } : { ok: false, message: v.error.message };
  }
  if (typeof env.payload !== 'string') return { ok: false, message: 'the envelope has no base64 payload' };
  const statement = parseStatement(Buffer.from(env.payload, 'base64'));
  if (!statement.isOk()) return { ok: false, message: describeError(statement.error) };
  return {
    ok: true,
    facts: {
      raw: statement.value.predicate,
      keysConfigured,
      signatureRequired,
      envelope: { payloadType: String(env.payloadType), statement: statement.value, verification },
    },
  };
}

/**
 * Evaluates every synchronous control of the catalog against one input (a parsed bundle or DSSE envelope).
 * Never throws: a throwing control becomes `error`. Internal (used by `checkBundles`).
 */
export function evaluateBundle(name: string, value: unknown, config: EngineConfig): BundleEvaluation {
  const decoded = decode(value, config);
  if (!decoded.ok) return unreadable(name, decoded.message);
  const parsed = parseBundle(decoded.facts.raw);
  if (!parsed.isOk()) {
    const e = parsed.error;
    const pointer = e.code === 'invalid-bundle' ? (e.details.issues[0]?.pointer ?? '') : '/schemaVersion';
    return unreadable(name, describeError(e), pointer);
  }
  const bundle = parsed.value;
  const secrets = findSecrets(decoded.facts.raw);
  if (secrets.length > 0)
    return unreadable(
      name,
      `the evidence carries ${secrets.length} token-like value(s): evidence must never hold a secret (revoke the token)`,
      secrets[0],
    );
  const expected = config.expected;
  const base = {
    bundle,
    expected,
    nowMs: config.nowMs,
    maxEvidenceAgeMs: config.maxEvidenceAgeMs,
    futureSkewMs: config.futureSkewMs,
    integrity: decoded.facts,
  };
  const results: ControlResult[] = [
    toResult(schemaDef, name, null, {
      status: 'pass',
      message: `schema ${bundle.schemaVersion}`,
      pointer: '/schemaVersion',
    }),
  ];
  const find = (id: string, target: string | null) =>
    results.find((r) => r.id === id && (r.target === target || r.target === null));
  for (const def of CONTROL_CATALOG) {
    if (def.id === 'bundle-schema' || def.id === 'live-facts') continue;
    const check = CHECKS[def.id];
    const runs: { ctx: ControlContext; target: string | null }[] =
      def.scope === 'bundle'
        ? [{ ctx: { ...base, target: undefined, targetIndex: -1 }, target: null }]
        : bundle.targets.map((t, i) => ({ ctx: { ...base, target: t, targetIndex: i }, target: t.project }));
    for (const { ctx, target } of runs) {
      results.push(toResult(def, name, target, runControl(def, check, ctx, find, target)));
    }
  }
  return { name, bundle, digest: bundle.digest ?? null, results };
}

/** Applicability, dependency errors and exception capture around one control function. Internal. */
export function runControl(
  def: ControlDefinition,
  check: ControlCheck,
  ctx: ControlContext,
  find: (id: ControlId, target: string | null) => ControlResult | undefined,
  target: string | null,
): ControlOutcome {
  let na: string | undefined;
  try {
    na = notApplicable(def, ctx);
  } catch (cause) {
    return { status: 'error', message: cause instanceof Error ? cause.message : String(cause), pointer: '' };
  }
  if (na) return { status: 'not_applicable', message: na, pointer: ctx.target ? `/targets/${ctx.targetIndex}` : '' };
  const broken = def.dependencies.find((d) => find(d, target)?.status === 'error');
  if (broken)
    return { status: 'error', message: `not evaluated: dependency ${broken} could not be evaluated`, pointer: '' };
  try {
    return check(ctx);
  } catch (cause) {
    if (cause instanceof MissingExpectation) return { status: 'error', message: cause.message, pointer: '' };
    return {
      status: 'error',
      message: `control threw: ${cause instanceof Error ? cause.message : String(cause)}`,
      pointer: '',
    };
  }
}

function notApplicable(def: ControlDefinition, ctx: ControlContext): string | undefined {
  const t = ctx.target;
  if (def.appliesWhen === 'signature-expected' && !ctx.integrity.keysConfigured && !ctx.integrity.signatureRequired)
    return 'no signing key configured';
  if (def.appliesWhen === 'envelope' && !ctx.integrity.envelope) return 'not a signed envelope';
  if (!t) return undefined;
  if (def.appliesWhen === 'rolled-back')
    return t.outcome === 'rolled_back' ? undefined : `target outcome is ${t.outcome}`;
  if (t.outcome !== 'promoted') return `target outcome is ${t.outcome}`;
  if (def.appliesWhen === 'governed' && !isGoverned(need(ctx, 'governedProjects'), targetHotfix(ctx).hotfix.mr.project))
    return `not governed delivery work (the policy file does not list ${t.hotfix}'s project as governed)`;
  return undefined;
}
