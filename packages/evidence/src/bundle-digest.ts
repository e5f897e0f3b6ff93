import { contentDigest } from './canonical-json.js';
import type { EvidenceError } from './evidence-error.js';
import { type EvidenceResult, errResult, okResult } from './evidence-result.js';
import type { PromotionBundle } from './schema/bundle-schema.js';
import { assertNoSecrets, type SecretScanOptions } from './secrets.js';

/**
 * The digest a bundle should carry: `sha256:` of the canonical JSON of the value without its `digest`
 * member. Works on the raw parsed JSON so fields unknown to this reader are covered too.
 *
 * Errors: `not-canonicalizable` (see {@link canonicalJson}).
 *
 * @example
 * ```ts
 * const d = bundleDigest(JSON.parse(text));
 * if (d.isOk() && d.value !== JSON.parse(text).digest) console.error('digest mismatch');
 * ```
 */
export function bundleDigest(value: unknown): EvidenceResult<string, EvidenceError> {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const { digest: _ignored, ...rest } = value as Record<string, unknown>;
    return contentDigest(rest);
  }
  return contentDigest(value);
}

/**
 * Returns a copy of the bundle with its `digest` set to {@link bundleDigest}. Give the real token(s) as
 * `sentinels`: a bundle containing one anywhere is refused, whatever its shape.
 *
 * The digest is an unkeyed sha256: it detects accidental change, not forgery (anyone can reseal an edited
 * bundle). Authenticity comes from a DSSE signature by a key the gate trusts (`signBundle`).
 *
 * Errors: `secret-detected` (a token-like value or a sentinel: bundles never carry tokens), `not-canonicalizable`.
 *
 * @example
 * ```ts
 * const sealed = sealBundle(bundle);
 * if (sealed.isOk()) writeFileSync('evidence.json', JSON.stringify(sealed.value));
 * ```
 */
export function sealBundle(
  bundle: PromotionBundle,
  options: SecretScanOptions = {},
): EvidenceResult<PromotionBundle, EvidenceError> {
  const clean = assertNoSecrets(bundle, options);
  if (!clean.isOk()) return errResult(clean.error);
  const digest = bundleDigest(bundle);
  if (!digest.isOk()) return errResult(digest.error);
  return okResult({ ...bundle, digest: digest.value });
}
