import { createHash, createPrivateKey, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import { z } from 'zod';
import { type EvidenceError, evidenceError } from './evidence-error.js';
import { type EvidenceResult, errResult, okResult } from './evidence-result.js';
import { issuesFromZod } from './parse-bundle.js';

/** The payload type of an in-toto statement inside a DSSE envelope. */
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

const base64 = z.string().regex(/^(?:[A-Za-z0-9+/]*|[A-Za-z0-9_-]*)={0,2}$/, 'expected base64 (standard or URL-safe)');

/**
 * Decodes standard or URL-safe base64 (DSSE allows both), padded or not, and only in its canonical form:
 * re-encoding must give the same text, so a changed byte can never hide in slack bits. Internal.
 */
function decodeBase64(text: string): Buffer | undefined {
  const urlSafe = /[-_]/.test(text);
  const bytes = Buffer.from(text, urlSafe ? 'base64url' : 'base64');
  const std = bytes.toString('base64');
  const url = bytes.toString('base64url');
  const pad = '='.repeat((4 - (url.length % 4)) % 4);
  return [std, std.replace(/=+$/, ''), url, url + pad].includes(text) ? bytes : undefined;
}

/** A DSSE envelope (payload and signatures base64-encoded). */
export const dsseEnvelopeSchema = z.object({
  payload: base64,
  payloadType: z.string().min(1).max(255),
  signatures: z
    .array(z.object({ keyid: z.string().max(255), sig: base64 }))
    .min(1)
    .max(16),
});

/** A DSSE envelope. */
export type DsseEnvelope = z.infer<typeof dsseEnvelopeSchema>;

/**
 * A key to sign with: an ed25519 private key (KeyObject or PEM) and an optional key id
 * (default: {@link keyIdOf} its public key).
 *
 * @example
 * ```ts
 * const { privateKey } = generateKeyPairSync('ed25519');
 * const signer: DsseSigner = { privateKey };
 * ```
 */
export interface DsseSigner {
  /** The ed25519 private key. */
  readonly privateKey: KeyObject | string;
  /** The key id written into the signature. */
  readonly keyid?: string;
}

/**
 * A trusted verification key: an ed25519 public key (KeyObject or PEM) and an optional key id
 * (default: {@link keyIdOf} the key).
 */
export interface DsseTrustedKey {
  /** The ed25519 public key. */
  readonly publicKey: KeyObject | string;
  /** The key id a signature must name. */
  readonly keyid?: string;
}

/** What a verified envelope carried. */
export interface VerifiedEnvelope {
  /** The payload type that was signed. */
  readonly payloadType: string;
  /** The payload bytes that were signed. */
  readonly payload: Buffer;
  /** The key id whose signature verified. */
  readonly keyid: string;
}

/**
 * DSSE pre-authentication encoding: `DSSEv1 SP LEN(type) SP type SP LEN(body) SP body`, lengths in bytes.
 *
 * @example
 * ```ts
 * pae('t', Buffer.from('hi')).toString(); // 'DSSEv1 1 t 2 hi'
 * ```
 */
export function pae(payloadType: string, payload: Uint8Array): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  const head = Buffer.from(`DSSEv1 ${type.length} `, 'utf8');
  const mid = Buffer.from(` ${payload.length} `, 'utf8');
  return Buffer.concat([head, type, mid, payload]);
}

/**
 * A stable key id for an ed25519 public key: `sha256:` of its SPKI DER encoding.
 *
 * Errors: `invalid-key` when the value is not an ed25519 key.
 */
export function keyIdOf(key: KeyObject | string): EvidenceResult<string, EvidenceError> {
  const pub = toPublicKey(key);
  if (!pub.isOk()) return errResult(pub.error);
  const der = pub.value.export({ type: 'spki', format: 'der' });
  return okResult(`sha256:${createHash('sha256').update(der).digest('hex')}`);
}

/**
 * Signs a payload into a DSSE envelope with ed25519.
 *
 * Errors: `invalid-key` when the private key is not ed25519.
 */
export function signEnvelope(
  payload: Uint8Array,
  payloadType: string,
  signer: DsseSigner,
): EvidenceResult<DsseEnvelope, EvidenceError> {
  let privateKey: KeyObject;
  try {
    privateKey = typeof signer.privateKey === 'string' ? createPrivateKey(signer.privateKey) : signer.privateKey;
  } catch {
    return errResult(evidenceError('invalid-key', 'the private key could not be read', {}));
  }
  if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'ed25519') {
    return errResult(evidenceError('invalid-key', 'signing needs an ed25519 private key', {}));
  }
  const keyid = signer.keyid ?? keyIdOf(createPublicKey(privateKey));
  const id = typeof keyid === 'string' ? keyid : keyid.isOk() ? keyid.value : '';
  const sig = sign(null, pae(payloadType, payload), privateKey).toString('base64');
  return okResult({ payload: Buffer.from(payload).toString('base64'), payloadType, signatures: [{ keyid: id, sig }] });
}

/**
 * Verifies a DSSE envelope against trusted ed25519 keys. Every signature naming a trusted key must verify
 * and at least one must; when no signature names a trusted key id (ids are hints, not part of what is
 * signed), each trusted key is tried on each signature in turn. Standard and URL-safe base64 are accepted,
 * in canonical form only, so any changed byte fails.
 *
 * Errors: `invalid-envelope` (shape, naming the field), `invalid-key`, `signature-invalid`.
 *
 * @example
 * ```ts
 * const v = verifyEnvelope(JSON.parse(text), [{ publicKey }]);
 * if (v.isOk()) JSON.parse(v.value.payload.toString('utf8'));
 * ```
 */
export function verifyEnvelope(
  envelope: unknown,
  trusted: readonly DsseTrustedKey[],
): EvidenceResult<VerifiedEnvelope, EvidenceError> {
  const parsed = dsseEnvelopeSchema.safeParse(envelope);
  if (!parsed.success) {
    return errResult(evidenceError('invalid-envelope', 'not a DSSE envelope', { issues: issuesFromZod(parsed.error) }));
  }
  const keys: { keyid: string; key: KeyObject }[] = [];
  for (const t of trusted) {
    const pub = toPublicKey(t.publicKey);
    if (!pub.isOk()) return errResult(pub.error);
    const id = t.keyid ?? keyIdOf(pub.value);
    keys.push({ keyid: typeof id === 'string' ? id : id.isOk() ? id.value : '', key: pub.value });
  }
  if (keys.length === 0) return errResult(evidenceError('invalid-key', 'no trusted key was given', {}));
  const env = parsed.data;
  const payload = decodeBase64(env.payload);
  if (!payload) {
    return errResult(evidenceError('signature-invalid', 'payload is not canonical base64', {}));
  }
  const message = pae(env.payloadType, payload);
  let verifiedBy: string | undefined;
  const named = env.signatures.filter((s) => keys.some((k) => k.keyid === s.keyid));
  for (const s of named) {
    const key = keys.find((k) => k.keyid === s.keyid) as { keyid: string; key: KeyObject };
    const sig = decodeBase64(s.sig);
    if (!sig || !verify(null, message, key.key, sig)) {
      return errResult(evidenceError('signature-invalid', `signature by ${s.keyid} does not verify`, {}));
    }
    verifiedBy ??= s.keyid;
  }
  if (named.length === 0) {
    for (const s of env.signatures) {
      const sig = decodeBase64(s.sig);
      const key = sig ? keys.find((k) => verify(null, message, k.key, sig)) : undefined;
      if (key) {
        verifiedBy = key.keyid;
        break;
      }
    }
  }
  if (verifiedBy === undefined) {
    return errResult(evidenceError('signature-invalid', 'no signature by a trusted key', {}));
  }
  return okResult({ payloadType: env.payloadType, payload, keyid: verifiedBy });
}

function toPublicKey(key: KeyObject | string): EvidenceResult<KeyObject, EvidenceError> {
  let pub: KeyObject;
  try {
    pub = typeof key === 'string' ? createPublicKey(key) : key.type === 'private' ? createPublicKey(key) : key;
  } catch {
    return errResult(evidenceError('invalid-key', 'the public key could not be read', {}));
  }
  if (pub.asymmetricKeyType !== 'ed25519')
    return errResult(evidenceError('invalid-key', 'expected an ed25519 key', {}));
  return okResult(pub);
}
