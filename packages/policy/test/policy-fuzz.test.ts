/**
 * Property tests: random mutations of a sealed (and of a signed) bundle and malformed inputs never crash
 * the checker and never produce a pass. Seeded, so a failure reproduces; sized to run in a few seconds.
 */
import { bundleDigest, canonicalJson, parseBundle } from '@hotfix-release/evidence';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CheckOptions, checkBundles } from '../src/index.js';
import {
  buildPromotionBundle,
  clone,
  FIXTURE_MR,
  FIXTURE_NOW,
  FIXTURE_POLICY,
  publicKeyPem,
  seal,
  signed,
} from './policy-fixtures.js';

const SEED = 20261130;
const { signing: _signing, ...unsignedPolicy } = FIXTURE_POLICY;
const noKeys: CheckOptions = { now: FIXTURE_NOW, policy: unsignedPolicy, expected: { mr: FIXTURE_MR } };
const withKeys: CheckOptions = { ...noKeys, trustedKeys: [{ publicKey: publicKeyPem }] };
const sealed = clone(seal(buildPromotionBundle()));
const sealedText = JSON.stringify(sealed);
const envelope = signed(buildPromotionBundle()) as Record<string, unknown>;

type Path = (string | number)[];
function pathsOf(value: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  out.push(prefix);
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) pathsOf(v, [...prefix, i], out);
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) pathsOf(v, [...prefix, k], out);
  }
  return out;
}
const paths = pathsOf(sealed).filter((p) => p.length > 0);

const tricky = fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'digest', 'hasOwnProperty', '');
const hugeString = fc.integer({ min: 10_000, max: 200_000 }).map((n) => 'x'.repeat(n));
const deep = fc.integer({ min: 600, max: 5_000 }).map((n) => {
  let v: unknown = 'leaf';
  for (let i = 0; i < n; i++) v = i % 2 ? [v] : { a: v };
  return v;
});
const oddValue = fc.oneof(
  { weight: 6, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      Number.NaN,
      Number.POSITIVE_INFINITY,
      -0,
      1e308,
      '',
      'glpat-0123456789abcdef',
      'bring-all-code-to-release-branch',
    ),
  },
  { weight: 1, arbitrary: hugeString },
  { weight: 1, arbitrary: deep },
);

type Mutation =
  | { kind: 'set'; path: Path; value: unknown }
  | { kind: 'delete'; path: Path }
  | { kind: 'insert'; path: Path; key: string; value: unknown };
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), path: fc.constantFrom(...paths), value: oddValue }),
  fc.record({ kind: fc.constant('delete' as const), path: fc.constantFrom(...paths) }),
  fc.record({
    kind: fc.constant('insert' as const),
    path: fc.constantFrom([], ...paths),
    key: fc.oneof(tricky, fc.string()),
    value: oddValue,
  }),
);

/** Applies a mutation in place (deep values are never cloned: JSON.stringify would overflow on them). */
function applyInPlace(copy: unknown, m: Mutation): unknown {
  const parentPath = m.kind === 'insert' ? m.path : m.path.slice(0, -1);
  let parent: unknown = copy;
  for (const seg of parentPath) {
    if (typeof parent !== 'object' || parent === null) return copy;
    parent = (parent as Record<string | number, unknown>)[seg];
  }
  if (typeof parent !== 'object' || parent === null) return copy;
  const p = parent as Record<string | number, unknown>;
  const last = m.path[m.path.length - 1] as string | number;
  if (m.kind === 'set') p[last] = m.value;
  else if (m.kind === 'delete') {
    if (Array.isArray(p)) p.splice(Number(last), 1);
    else delete p[last];
  } else if (!Array.isArray(p)) {
    // An own property, as JSON.parse creates it: `__proto__` must not become the prototype.
    Object.defineProperty(p, m.key, { value: m.value, enumerable: true, writable: true, configurable: true });
  }
  return copy;
}

const sealedCanonical = canonicalJson(sealed);

function changedFromSealed(a: unknown): boolean {
  const x = canonicalJson(a);
  return !(x.isOk() && sealedCanonical.isOk() && x.value === sealedCanonical.value);
}

async function status(value: unknown, options: CheckOptions, asText = false): Promise<string> {
  const input = asText ? { name: 'fuzz.json', text: String(value) } : { name: 'fuzz.json', value };
  const r = await checkBundles([input], options);
  if (r.isErr()) throw new Error(`unexpected configuration error ${r.error.code}`);
  expect(['pass', 'fail', 'error']).toContain(r.value.status);
  return r.value.status;
}

describe('policy fuzzing', () => {
  it('never passes a sealed bundle changed after sealing (1,500 random mutations)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), async (ms) => {
        const mutated = ms.reduce<unknown>(applyInPlace, clone(sealed));
        fc.pre(changedFromSealed(mutated));
        expect(await status(mutated, noKeys)).not.toBe('pass');
      }),
      { seed: SEED, numRuns: 1_500 },
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('never crashes on a mutated bundle that was resealed, and passes only schema-valid bundles (600 runs)', async () => {
    await fc.assert(
      fc.asyncProperty(mutation, async (m) => {
        const mutated = applyInPlace(clone(sealed), m) as Record<string, unknown>;
        const { digest: _d, ...rest } = mutated;
        const digest = bundleDigest(rest);
        const resealed = digest.isOk() ? { ...rest, digest: digest.value } : rest;
        const r = await status(resealed, noKeys);
        if (r === 'pass') expect(parseBundle(resealed).isOk()).toBe(true);
      }),
      { seed: SEED, numRuns: 600 },
    );
  });

  it('never passes a signed envelope with a changed signed part (600 runs)', async () => {
    // The key id is a hint, not signed (DSSE): with no matching id each trusted key is tried in turn, so
    // changing it must not make a valid signature fail; the signed parts are the payload, its type and the sig.
    const fields = ['payload', 'payloadType', 'sig'] as const;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...fields),
        fc.nat(),
        fc.string({ minLength: 1, maxLength: 3 }),
        async (field, at, insert) => {
          const env = clone(envelope) as {
            payload: string;
            payloadType: string;
            signatures: { keyid: string; sig: string }[];
          };
          const sig = env.signatures[0] as { keyid: string; sig: string };
          const holder = (field === 'sig' ? sig : env) as unknown as Record<string, string>;
          const text = holder[field] as string;
          const i = at % (text.length + 1);
          holder[field] = text.slice(0, i) + insert + text.slice(i + 1);
          fc.pre(holder[field] !== text);
          expect(await status(env, withKeys)).not.toBe('pass');
        },
      ),
      { seed: SEED, numRuns: 600 },
    );
  });

  it('reports truncated JSON, random text and wrong types as errors, never a pass (1,200 runs)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: sealedText.length - 1 }), async (cut) => {
        expect(await status(sealedText.slice(0, cut), noKeys, true)).toBe('error');
      }),
      { seed: SEED, numRuns: 400 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string(),
          fc.jsonValue().map((v) => JSON.stringify(v)),
        ),
        async (text) => {
          expect(await status(text, noKeys, true)).not.toBe('pass');
        },
      ),
      { seed: SEED, numRuns: 400 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.anything({
          withBigInt: true,
          withDate: true,
          withMap: true,
          withSet: true,
          withNullPrototype: true,
          withTypedArray: true,
          withSparseArray: true,
        }),
        async (value) => {
          expect(await status(value, withKeys)).not.toBe('pass');
        },
      ),
      { seed: SEED, numRuns: 400 },
    );
  });

  it('survives deep nesting, huge strings and prototype keys in JSON text without polluting prototypes', async () => {
    const deepText = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expect(await status(deepText, noKeys, true)).toBe('error');
    const nestedField = sealedText.replace('"tool":{', `"x":${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)},"tool":{`);
    expect(await status(nestedField, noKeys, true)).not.toBe('pass');
    const proto = sealedText.replace(
      '{',
      '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},',
    );
    expect(await status(proto, noKeys, true)).not.toBe('pass');
    const huge = sealedText.replace('"oncall.alice"', `"${'a'.repeat(5_000_000)}"`);
    expect(await status(huge, noKeys, true)).toBe('error');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(await status(sealedText, noKeys, true)).toBe('pass');
  });
});
