import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildPromotionBundle } from '../test/promotion-bundle-fixture.js';
import { IN_TOTO_PAYLOAD_TYPE, keyIdOf, pae, signEnvelope, verifyEnvelope } from './dsse.js';
import {
  EVIDENCE_PREDICATE_TYPE,
  parseStatement,
  STATEMENT_TYPE,
  signBundle,
  toStatement,
} from './in-toto-statement.js';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const other = generateKeyPairSync('ed25519');

describe(pae.name, () => {
  it('encodes as the DSSE spec example', () => {
    expect(pae('http://example.com/HelloWorld', Buffer.from('hello world')).toString()).toBe(
      'DSSEv1 29 http://example.com/HelloWorld 11 hello world',
    );
    expect(pae('\u00e9', Buffer.from('\u00e9')).toString()).toBe('DSSEv1 2 \u00e9 2 \u00e9');
  });
});

describe(verifyEnvelope.name, () => {
  const payload = Buffer.from('{"hello":"world"}');
  const signed = signEnvelope(payload, IN_TOTO_PAYLOAD_TYPE, { privateKey });
  if (!signed.isOk()) throw new Error('sign failed');
  const env = signed.value;

  it('verifies with the matching key and names the key id', () => {
    const r = verifyEnvelope(env, [{ publicKey }]);
    expect(r.isOk() && r.value.payload.equals(payload)).toBe(true);
    expect(r.isOk() && r.value.keyid).toBe(
      keyIdOf(publicKey).isOk() && (keyIdOf(publicKey) as { value: string }).value,
    );
    expect(
      verifyEnvelope(env, [{ publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString() }]).isOk(),
    ).toBe(true);
  });

  it('returns signature-invalid for any changed payload byte', () => {
    for (let i = 0; i < payload.length; i++) {
      const bytes = Buffer.from(payload);
      bytes[i] = (bytes[i] as number) ^ 0x01;
      const r = verifyEnvelope({ ...env, payload: bytes.toString('base64') }, [{ publicKey }]);
      expect(!r.isOk() && r.error.code).toBe('signature-invalid');
    }
  });

  it('returns an error for any changed character of payload, payloadType, keyid or signature', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const mutate = (s: string, i: number) => {
      const c = s[i] as string;
      const next = c === '=' ? 'A' : (alphabet[(alphabet.indexOf(c) + 1) % 64] as string);
      return s.slice(0, i) + next + s.slice(i + 1);
    };
    const sig = env.signatures[0] as { keyid: string; sig: string };
    for (let i = 0; i < env.payload.length; i++) {
      expect(verifyEnvelope({ ...env, payload: mutate(env.payload, i) }, [{ publicKey }]).isOk()).toBe(false);
    }
    for (let i = 0; i < sig.sig.length; i++) {
      expect(
        verifyEnvelope({ ...env, signatures: [{ ...sig, sig: mutate(sig.sig, i) }] }, [{ publicKey }]).isOk(),
      ).toBe(false);
    }
    expect(verifyEnvelope({ ...env, payloadType: 'application/json' }, [{ publicKey }]).isOk()).toBe(false);
  });

  it('tries each trusted key in turn when no signature names a trusted key id (the key id is not signed)', () => {
    const sig = env.signatures[0] as { keyid: string; sig: string };
    const renamed = verifyEnvelope({ ...env, signatures: [{ ...sig, keyid: 'ci-key-2026' }] }, [
      { publicKey: other.publicKey },
      { publicKey },
    ]);
    expect(renamed.isOk() && renamed.value.keyid).toBe(sig.keyid);
    const untrusted = verifyEnvelope({ ...env, signatures: [{ ...sig, keyid: 'ci-key-2026' }] }, [
      { publicKey: other.publicKey },
    ]);
    expect(!untrusted.isOk() && untrusted.error.code).toBe('signature-invalid');
  });

  it('accepts URL-safe base64 (padded or not) and refuses a mixed or non-canonical encoding', () => {
    const sig = env.signatures[0] as { keyid: string; sig: string };
    const url = (b64: string) => Buffer.from(b64, 'base64').toString('base64url');
    const urlEnv = { ...env, payload: url(env.payload), signatures: [{ ...sig, sig: url(sig.sig) }] };
    expect(verifyEnvelope(urlEnv, [{ publicKey }]).isOk()).toBe(true);
    const padded = { ...urlEnv, signatures: [{ ...sig, sig: `${url(sig.sig)}==` }] };
    expect(verifyEnvelope(padded, [{ publicKey }]).isOk()).toBe(true);
    const mixed = { ...env, payload: `${env.payload.slice(0, 4)}-_${env.payload.slice(6)}` };
    expect(verifyEnvelope(mixed, [{ publicKey }]).isOk()).toBe(false);
  });

  it('returns signature-invalid for an untrusted key and invalid-envelope for a wrong shape', () => {
    const r = verifyEnvelope(env, [{ publicKey: other.publicKey }]);
    expect(!r.isOk() && r.error.code).toBe('signature-invalid');
    const shape = verifyEnvelope({ payload: 1 }, [{ publicKey }]);
    expect(!shape.isOk() && shape.error.code).toBe('invalid-envelope');
  });

  it('returns invalid-key for a non-ed25519 key', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
    expect(signEnvelope(payload, 't', { privateKey: rsa.privateKey })).toMatchObject({
      error: { code: 'invalid-key' },
    });
    expect(verifyEnvelope(env, [{ publicKey: rsa.publicKey }])).toMatchObject({
      error: { code: 'invalid-key' },
    });
  });
});

describe(signBundle.name, () => {
  it('signs an in-toto statement whose subjects are the promoted targets at their release heads', () => {
    const bundle = buildPromotionBundle();
    const env = signBundle(bundle, { privateKey, keyid: 'evidence-2026' });
    if (!env.isOk()) throw new Error('sign failed');
    const v = verifyEnvelope(env.value, [{ publicKey, keyid: 'evidence-2026' }]);
    if (!v.isOk()) throw new Error('verify failed');
    const st = parseStatement(v.value.payload);
    if (!st.isOk()) throw new Error('statement failed');
    expect(st.value._type).toBe(STATEMENT_TYPE);
    expect(st.value.predicateType).toBe(EVIDENCE_PREDICATE_TYPE);
    expect(st.value.subject).toEqual(
      bundle.targets.map((t) => ({ name: `${t.project}@release`, digest: { gitCommit: t.pick?.headAfter } })),
    );
    expect(st.value.predicate).toEqual(JSON.parse(JSON.stringify(bundle)));
  });

  it('returns invalid-statement when nothing was promoted', () => {
    const r = toStatement({ ...buildPromotionBundle(), promotedTargets: [] });
    expect(!r.isOk() && r.error.code).toBe('invalid-statement');
  });
});
